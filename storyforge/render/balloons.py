"""Balloon shapes, pure: bodies sized to their text, tails toward speakers, outlines as points.

Every renderer (Pillow pages, the PDF) draws the polygons these functions return, so a
balloon looks the same in both. Lengths are points; y grows down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from storyforge.render.geometry import Rect

Point = tuple[float, float]
BOXED = frozenset({"caption", "narration"})  # rectangles against the panel border
TAILED = frozenset({"speech", "whisper", "shout", "thought", "off"})
TAIL_REACH = 0.55  # a tail ends this share of the way to the head (Blambot: 50-60 %)
# A burst's radii, cycled round its rim: fixed, so the same shout always has the same spikes.
_BURST = (1.0, 0.74, 0.93, 0.7, 1.0, 0.78, 0.9, 0.72)
_ROOT2 = math.sqrt(2)


@dataclass(frozen=True, slots=True)
class TextBlock:
    """Wrapped lines and their measured widths at one type size, in points."""

    lines: tuple[str, ...]
    widths: tuple[float, ...]
    size: float
    leading: float  # baseline to baseline

    @property
    def width(self) -> float:
        """The widest line."""
        return max(self.widths, default=0.0)

    @property
    def height(self) -> float:
        """From the top of the first line to the bottom of the last."""
        return self.leading * len(self.lines)


@dataclass(frozen=True, slots=True)
class Tail:
    """A tail from a balloon's rim toward a target: a wedge, or thought bubbles."""

    base: tuple[Point, Point]  # where it leaves the body, just inside the rim
    tip: Point
    target: Point  # what it points at: the speaker's head, or the panel edge for off-panel
    bubbles: tuple[tuple[float, float, float], ...] = ()  # (x, y, radius), thought trails only


def body_size(kind: str, block: TextBlock) -> tuple[float, float]:
    """Width and height of the body that holds a text block with room round it.

    An ellipse around a w x h box is smallest with semi-axes w/sqrt2 and h/sqrt2; clouds
    and bursts add room for their scallops and spikes.
    """
    pad = 0.6 * block.size
    if kind in BOXED:
        return block.width + 1.2 * pad, block.height + pad
    if kind == "sfx":
        return block.width, block.height
    width, height = block.width * _ROOT2 + 2 * pad, block.height * _ROOT2 + pad
    if kind == "thought":
        return width + 2 * pad, height + 2 * pad
    if kind == "shout":
        return width * 1.3 + pad, height * 1.35 + pad
    return width, height


def ellipse(box: Rect, steps: int = 72) -> list[Point]:
    """An ellipse inscribed in `box`, as a closed polygon."""
    (cx, cy), a, b = box.center, box.width / 2, box.height / 2
    return [
        (cx + a * math.cos(2 * math.pi * n / steps), cy + b * math.sin(2 * math.pi * n / steps))
        for n in range(steps)
    ]


def cloud(box: Rect) -> list[Point]:
    """A thought cloud: outward scallops round an ellipse a little inside `box`."""
    inner = box.inset(box.width * 0.07, box.height * 0.09)
    rim = ellipse(inner, steps=max(10, round(inner.width / max(inner.height, 1) * 6) * 2))
    points: list[Point] = []
    for (x0, y0), (x1, y1) in zip(rim, [*rim[1:], rim[0]], strict=True):
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        ox, oy = _outward(inner, (mx, my), math.dist((x0, y0), (x1, y1)) * 0.45)
        points += [_quadratic((x0, y0), (mx + ox, my + oy), (x1, y1), t / 6) for t in range(6)]
    return points


def burst(box: Rect) -> list[Point]:
    """A shout: spikes round the ellipse of `box`, alternating long and short."""
    (cx, cy), a, b = box.center, box.width / 2, box.height / 2
    count = 2 * max(8, round((a + b) / 14))
    return [
        (
            cx + a * _BURST[n % len(_BURST)] * math.cos(2 * math.pi * n / count),
            cy + b * _BURST[n % len(_BURST)] * math.sin(2 * math.pi * n / count),
        )
        for n in range(count)
    ]


def rectangle(box: Rect) -> list[Point]:
    """A caption box's corners."""
    return [(box.x, box.y), (box.right, box.y), (box.right, box.bottom), (box.x, box.bottom)]


def outline(kind: str, box: Rect) -> list[Point]:
    """The body of a balloon of `kind` filling `box`."""
    if kind in BOXED:
        return rectangle(box)
    if kind == "thought":
        return cloud(box)
    if kind == "shout":
        return burst(box)
    return ellipse(box)


def rim_point(box: Rect, toward: Point) -> Point:
    """Where the line from the centre of the ellipse of `box` toward a point leaves it."""
    (cx, cy), a, b = box.center, box.width / 2, box.height / 2
    dx, dy = toward[0] - cx, toward[1] - cy
    if dx == 0 and dy == 0:
        return (cx, cy + b)
    scale = 1 / math.sqrt((dx / a) ** 2 + (dy / b) ** 2)
    return (cx + dx * scale, cy + dy * scale)


def tail(kind: str, box: Rect, target: Point, reach: float = TAIL_REACH) -> Tail | None:
    """The tail of a balloon toward `target`; None when the target is under the balloon."""
    rim = rim_point(box, target)
    (cx, cy) = box.center
    if math.dist((cx, cy), target) <= math.dist((cx, cy), rim):
        return None
    tip = (rim[0] + reach * (target[0] - rim[0]), rim[1] + reach * (target[1] - rim[1]))
    length = math.dist((cx, cy), rim)
    ux, uy = (rim[0] - cx) / length, (rim[1] - cy) / length
    half = 0.16 * min(box.width, box.height)
    inside = (rim[0] - ux * half, rim[1] - uy * half)  # the base sits inside, so no seam shows
    base = ((inside[0] - uy * half, inside[1] + ux * half),
            (inside[0] + uy * half, inside[1] - ux * half))  # fmt: skip
    if kind != "thought":
        return Tail(base, tip, target)
    radius = 0.09 * min(box.width, box.height)
    bubbles = tuple(
        (rim[0] + f * (tip[0] - rim[0]), rim[1] + f * (tip[1] - rim[1]), radius * r)
        for f, r in ((0.25, 1.0), (0.62, 0.7), (1.0, 0.45))
    )
    return Tail(base, tip, target, bubbles)


def wedge(shape: Tail) -> list[Point]:
    """A tail as a polygon: two gently curved sides meeting at the tip."""
    (b0, b1), tip = shape.base, shape.tip
    bend = ((b0[0] + b1[0]) / 2 * 0.3 + tip[0] * 0.7, (b0[1] + b1[1]) / 2 * 0.3 + tip[1] * 0.7)
    side0 = [_quadratic(b0, _toward(bend, b1, 0.25), tip, t / 8) for t in range(9)]
    side1 = [_quadratic(tip, _toward(bend, b0, -0.05), b1, t / 8) for t in range(1, 9)]
    return side0 + side1


def circle(x: float, y: float, radius: float, steps: int = 24) -> list[Point]:
    """A circle as a closed polygon."""
    return ellipse(Rect(x - radius, y - radius, 2 * radius, 2 * radius), steps)


def dashes(points: list[Point], on: float, off: float) -> list[tuple[Point, Point]]:
    """The dashes of a closed outline: segments of length `on` with gaps of `off`."""
    segments: list[tuple[Point, Point]] = []
    drawing, left = True, on
    for start, end in zip(points, [*points[1:], points[0]], strict=True):
        length = math.dist(start, end)
        at = 0.0
        while at < length:
            step = min(left, length - at)
            if drawing:
                segments.append(
                    (_lerp(start, end, at / length), _lerp(start, end, (at + step) / length))
                )
            at, left = at + step, left - step
            if left <= 1e-9:
                drawing = not drawing
                left = on if drawing else off
    return segments


def _lerp(a: Point, b: Point, t: float) -> Point:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def _toward(a: Point, b: Point, t: float) -> Point:
    return _lerp(a, b, t)


def _quadratic(a: Point, control: Point, b: Point, t: float) -> Point:
    return _lerp(_lerp(a, control, t), _lerp(control, b, t), t)


def _outward(box: Rect, point: Point, distance: float) -> Point:
    (cx, cy) = box.center
    dx, dy = (point[0] - cx) / box.width, (point[1] - cy) / box.height
    norm = math.hypot(dx, dy) or 1.0
    return (dx / norm * distance, dy / norm * distance)
