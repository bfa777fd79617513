"""Where balloons go in a panel, pure: the line's `at` first, then reading order, no overlaps.

A few explicit rules instead of an opaque score: every balloon lies inside its region
(the panel within the live area); none overlaps another; a balloon without `at` comes
after the one before it in reading order (lower, or on the same band further along the
reading direction); among the positions left, it sits nearest its preferred point (above
its speaker, else the corner where reading starts) and off the speaker's head if it can.
Candidates lie on a fixed grid, so the result is a pure function of the inputs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from storyforge.render.geometry import Rect

Point = tuple[float, float]
GRID = 17  # candidate positions per axis
_SLACK = 1e-6
# 3 x 3 anchor names -> (column, row), each 0, 1 or 2.
ANCHORS: dict[str, tuple[int, int]] = {
    "top-left": (0, 0), "top": (1, 0), "top-right": (2, 0),
    "left": (0, 1), "center": (1, 1), "right": (2, 1),
    "bottom-left": (0, 2), "bottom": (1, 2), "bottom-right": (2, 2),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Want:
    """One balloon to place: its size, its `at` anchor, where it would like to be."""

    width: float
    height: float
    at: str | None = None
    prefer: Point | None = None  # the point its top centre wants to be near
    avoid: Rect | None = None  # the speaker's head, not to be covered if there is room


def anchor_point(region: Rect, anchor: str) -> Point:
    """The point of a 3 x 3 anchor in a region: corners, edge middles and centre at sixths."""
    column, row = ANCHORS[anchor]
    return (region.x + region.width * (1 + 2 * column) / 6,
            region.y + region.height * (1 + 2 * row) / 6)  # fmt: skip


def anchored(region: Rect, anchor: str, width: float, height: float) -> Rect:
    """A box of the size put at an anchor: flush with the edges the anchor names."""
    column, row = ANCHORS[anchor]
    x = region.x + (region.width - width) * column / 2
    y = region.y + (region.height - height) * row / 2
    return Rect(x, y, width, height)


def follows(box: Rect, previous: Rect, direction: str) -> bool:
    """Whether `box` comes after `previous` in reading order (Z order, mirrored for rtl)."""
    if box.y < previous.y - _SLACK:
        return False
    if box.y >= previous.bottom - _SLACK:
        return True
    if direction == "rtl":
        return box.right <= previous.x + _SLACK
    return box.x >= previous.right - _SLACK


def place_one(region: Rect, want: Want, boxes: Sequence[Rect], previous: Rect | None,
              direction: str = "ltr") -> Rect | None:  # fmt: skip
    """The best box for one want clear of `boxes`, after `previous` when there is room."""
    if want.width > region.width + _SLACK or want.height > region.height + _SLACK:
        return None
    if want.at is not None:
        first = anchored(region, want.at, want.width, want.height)
        goal = (first.center[0], first.y)
    else:
        goal = want.prefer or _start(region, direction)
    best: tuple[tuple[float, ...], Rect] | None = None
    for box in _candidates(region, want, want.at):
        if any(box.overlaps(other) for other in boxes):
            continue
        key = _cost(box, want, goal, previous, direction)
        if best is None or key < best[0]:
            best = (key, box)
    return None if best is None else best[1]


def _cost(box: Rect, want: Want, goal: Point, previous: Rect | None,
          direction: str) -> tuple[float, ...]:  # fmt: skip
    out_of_order = previous is not None and not follows(box, previous, direction)
    covers_head = want.avoid is not None and box.overlaps(want.avoid)
    distance = math.dist((box.center[0], box.y), goal)
    reading_x = -box.right if direction == "rtl" else box.x
    return (float(out_of_order), float(covers_head), round(distance, 6), box.y, reading_x)


def _start(region: Rect, direction: str) -> Point:
    return (region.right if direction == "rtl" else region.x, region.y)


def _candidates(region: Rect, want: Want, at: str | None) -> list[Rect]:
    spare_x, spare_y = region.width - want.width, region.height - want.height
    boxes = [
        Rect(region.x + spare_x * i / (GRID - 1), region.y + spare_y * j / (GRID - 1),
             want.width, want.height)
        for j in range(GRID)
        for i in range(GRID)
    ]  # fmt: skip
    if at is not None:
        boxes.insert(0, anchored(region, at, want.width, want.height))
    return boxes
