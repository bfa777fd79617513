"""A panel's lettering laid out, pure: each line's balloon sized, placed and given its tail.

Text is measured by a function passed in (`measure.measure_text` for the bundled fonts),
so the layout itself is exact and testable. One type size per kind for the whole book
(`type_sizes`); balloons grow to fit their text and the text is never shrunk: a line that
cannot fit is a `Trouble`, which compile reports as a located diagnostic before any call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from storyforge.render.balloons import BOXED, TAILED, Tail, TextBlock, body_size, tail
from storyforge.render.geometry import Rect
from storyforge.render.placement import Want, place_one

Point = tuple[float, float]
Measure = Callable[[str, float, float], TextBlock]  # text, size (pt), wrap width (pt)
# Points on a 6-inch live area (US comic), scaled with the live width for other books.
BASE_SIZES: dict[str, float] = {
    "speech": 8.0, "thought": 8.0, "whisper": 7.5, "shout": 9.5, "off": 8.0,
    "caption": 7.5, "narration": 7.5, "sfx": 22.0,
}  # fmt: skip
BASE_LIVE_WIDTH = 432.0
WRAP_SHARES = (0.3, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0)  # wrap widths tried, of the widest allowed
HEAD_Y = 0.42  # a speaker's head, as a share of the panel height from its top
INSET = 5.0  # points between a balloon and its panel's border


@dataclass(frozen=True, slots=True)
class LineSpec:
    """One thing to letter in a panel: a line of dialogue, a caption or a sound effect."""

    kind: str  # speech, thought, whisper, shout, caption, narration, off or sfx
    text: str
    at: str | None = None
    target: Point | None = None  # the speaker's head (page points), for the tail


@dataclass(frozen=True, slots=True)
class Balloon:
    """A placed balloon: its body's box, its text block, its tail."""

    index: int  # the line's position in the panel's list
    kind: str
    text: str
    box: Rect
    block: TextBlock
    tail: Tail | None


@dataclass(frozen=True, slots=True)
class Trouble:
    """A line that cannot be lettered as asked."""

    index: int
    message: str


@dataclass(frozen=True, slots=True)
class PanelLettering:
    """The balloons of one panel and the lines that did not fit."""

    balloons: tuple[Balloon, ...]
    troubles: tuple[Trouble, ...]


def type_sizes(live_width: float) -> dict[str, float]:
    """The type size of each kind for a book whose live area is `live_width` points wide."""
    return {kind: size * live_width / BASE_LIVE_WIDTH for kind, size in BASE_SIZES.items()}


def speaker_point(cell: Rect, index: int, count: int, direction: str = "ltr") -> Point:
    """Where the `index`-th of `count` characters' head is taken to be in a cell.

    Characters are spread evenly across the cell in their listed order, mirrored for rtl.
    """
    share = (index + 0.5) / count
    share = 1 - share if direction == "rtl" else share
    return (cell.x + cell.width * share, cell.y + cell.height * HEAD_Y)


def edge_point(cell: Rect, toward: Point) -> Point:
    """The point of the cell's left or right edge level with `toward`: off-panel speakers."""
    x = cell.x if toward[0] < cell.center[0] else cell.right
    return (x, toward[1])


def letter_panel(
    cell: Rect,
    live: Rect,
    lines: Sequence[LineSpec],
    sizes: Mapping[str, float],
    measure: Measure,
    direction: str = "ltr",
    border: float = 0.0,
) -> PanelLettering:
    """Lay out a panel's lines: captions against the border, the rest inside, no overlaps."""
    inner = _intersection(cell, live).inset(border / 2 + INSET)
    flush = _intersection(cell, live).inset(border / 2)
    balloons: list[Balloon] = []
    troubles: list[Trouble] = []
    previous: Rect | None = None
    for index, line in enumerate(lines):
        region = flush if line.kind in BOXED else inner
        block = _block(line, region, sizes[line.kind], measure)
        width, height = body_size(line.kind, block)
        if height > region.height or width > region.width:
            troubles.append(Trouble(index, _too_big(line, block, region, measure)))
            continue
        want = _want(line, width, height, region, cell)
        order = None if line.at or line.kind == "sfx" else previous
        box = place_one(region, want, [b.box for b in balloons], order, direction)
        if box is None:
            message = f"no room for {_what(line)} beside the others; shorten it or move it with at:"
            troubles.append(Trouble(index, message))
            continue
        balloons.append(Balloon(index, line.kind, line.text, box, block, _tail(line, box, cell)))
        previous = box if line.kind != "sfx" else previous
    return PanelLettering(tuple(balloons), tuple(troubles))


def _block(line: LineSpec, region: Rect, size: float, measure: Measure) -> TextBlock:
    """The wrap of the line whose body is smallest, among bodies of a sensible shape."""
    if line.kind == "sfx":
        return measure(line.text, size, region.width)
    widest = _widest(line.kind, region, size)
    best: tuple[float, TextBlock, float] | None = None
    for share in WRAP_SHARES:
        block = measure(line.text, size, widest * share)
        width, height = body_size(line.kind, block)
        if width > region.width:
            continue
        aspect = width / height
        # Wide, low balloons read best; penalise the tall and the ribbon-like. Caption
        # boxes read best as long strips along the border.
        widest_shape = 8.0 if line.kind in BOXED else 2.4
        score = width * height * (1 + max(0.0, aspect - widest_shape) + 2 * max(0.0, 1.1 - aspect))
        if best is None or score < best[0] - 1e-9:
            best = (score, block, widest * share)
    if best is None:
        return measure(line.text, size, widest)
    return _balanced(line.text, best[1], best[2], measure)


def _balanced(text: str, block: TextBlock, width: float, measure: Measure) -> TextBlock:
    """The narrowest wrap with as few lines: even lines, no word left alone on the last."""
    low, high = block.width / 2, width
    for _ in range(7):
        middle = (low + high) / 2
        if len(measure(text, block.size, middle).lines) <= len(block.lines):
            high = middle
        else:
            low = middle
    return measure(text, block.size, high)


def _widest(kind: str, region: Rect, size: float) -> float:
    pad = 0.6 * size
    if kind in BOXED:
        return region.width - 1.2 * pad
    spare = {"thought": 4 * pad, "shout": 3 * pad}.get(kind, 2 * pad)
    factor = {"shout": 1.3}.get(kind, 1.0)
    return max(size, (region.width / factor - spare) / math.sqrt(2))


def _too_big(line: LineSpec, block: TextBlock, region: Rect, measure: Measure) -> str:
    one = measure("Mg", block.size, region.width)
    width, line_height = body_size(line.kind, one)
    room = max(0, int((region.height - (line_height - one.height)) // block.leading))
    if width > region.width:
        room = 0
    return (
        f"{_what(line)} needs {len(block.lines)} lines but the panel has room for {room} "
        f"at {block.size:g} pt; shorten it or give the panel a larger cell"
    )


def _what(line: LineSpec) -> str:
    return "the sound effect" if line.kind == "sfx" else f"the {line.kind} '{_short(line.text)}'"


def _short(text: str) -> str:
    return text if len(text) <= 24 else text[:23] + "…"


def _want(line: LineSpec, width: float, height: float, region: Rect, cell: Rect) -> Want:
    if line.kind == "sfx":
        return Want(width, height, line.at, (region.center[0], region.center[1] - height / 2))
    if line.kind in BOXED or line.target is None:
        return Want(width, height, line.at)
    if line.kind == "off":
        # Beside the frame edge its speaker is behind, so the tail stays short.
        edge = edge_point(cell, line.target)
        side = region.right - width / 2 if edge[0] >= cell.center[0] else region.x + width / 2
        return Want(width, height, line.at, (side, region.y))
    tx, ty = line.target
    head = Rect(tx - cell.width * 0.1, ty - cell.height * 0.12, cell.width * 0.2, cell.height * 0.3)
    return Want(width, height, line.at, (tx, region.y), head)


def _tail(line: LineSpec, box: Rect, cell: Rect) -> Tail | None:
    if line.kind not in TAILED or line.target is None:
        return None
    if line.kind == "off":
        # To the frame edge its speaker is behind, level with the balloon where it can be.
        edge = edge_point(cell, line.target)
        level = min(max(edge[1], box.y), box.bottom)
        return tail(line.kind, box, (edge[0], level), reach=1.0)
    return tail(line.kind, box, line.target)


def _intersection(a: Rect, b: Rect) -> Rect:
    x, y = max(a.x, b.x), max(a.y, b.y)
    return Rect(x, y, max(0.0, min(a.right, b.right) - x), max(0.0, min(a.bottom, b.bottom) - y))
