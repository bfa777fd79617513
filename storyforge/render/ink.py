"""What a balloon is drawn with, pure: shapes, dashes and words, in the order they are laid.

The Pillow pages and the PDF both paint these primitives, so the two agree stroke for
stroke. A solid balloon and its tail share one seamless outline: both are first laid in
ink with a stroke twice the outline's width, then filled with paper, leaving the outer
half of the stroke round their union.
"""

from __future__ import annotations

from dataclasses import dataclass

from storyforge.render.balloons import circle, dashes, outline, wedge
from storyforge.render.lettering import Balloon
from storyforge.render.measure import baseline

Point = tuple[float, float]
Color = tuple[int, int, int]
INK: Color = (20, 20, 20)
PAPER: Color = (255, 255, 255)
CAPTION: Color = (255, 240, 190)
NARRATION: Color = (236, 242, 250)
SFX: Color = (255, 204, 40)
STROKE = 0.7  # points: the balloon outline


@dataclass(frozen=True, slots=True)
class Shape:
    """A closed polygon, filled and/or stroked with its outline centred on the edge."""

    points: tuple[Point, ...]
    fill: Color | None
    stroke: Color | None = None
    width: float = 0.0


@dataclass(frozen=True, slots=True)
class Dashes:
    """Separate straight segments of one colour and width."""

    segments: tuple[tuple[Point, Point], ...]
    color: Color
    width: float


@dataclass(frozen=True, slots=True)
class Words:
    """One line of text from its left end on its baseline."""

    x: float
    baseline: float
    text: str
    size: float
    color: Color = INK
    outline: tuple[Color, float] | None = None


Primitive = Shape | Dashes | Words


def balloon_ink(balloon: Balloon) -> list[Primitive]:
    """Everything one balloon draws, bottom layer first."""
    if balloon.kind == "sfx":
        return _words(balloon, SFX, (INK, balloon.block.size * 0.09))
    body = tuple(outline(balloon.kind, balloon.box))
    if balloon.kind in {"caption", "narration"}:
        fill = CAPTION if balloon.kind == "caption" else NARRATION
        return [Shape(body, fill, INK, STROKE), *_words(balloon)]
    if balloon.kind == "whisper":
        return [*_whisper(balloon, body), *_words(balloon)]
    shapes = [body]
    if balloon.tail is not None and not balloon.tail.bubbles:
        shapes.append(tuple(wedge(balloon.tail)))
    laid: list[Primitive] = [Shape(s, INK, INK, 2 * STROKE) for s in shapes]
    laid += [Shape(s, PAPER) for s in shapes]
    if balloon.tail is not None:
        laid += [Shape(tuple(circle(x, y, r)), PAPER, INK, STROKE)
                 for x, y, r in balloon.tail.bubbles]  # fmt: skip
    return [*laid, *_words(balloon)]


def _whisper(balloon: Balloon, body: tuple[Point, ...]) -> list[Primitive]:
    tail = tuple(wedge(balloon.tail)) if balloon.tail is not None else ()
    on, off = 2.2 * STROKE * 2, 1.6 * STROKE * 2
    cuts = [s for s in dashes(list(body), on, off) if not (tail and _inside(_mid(s), tail))]
    if tail:
        # The wedge's base lies inside the body, so only its two sides survive this filter.
        cuts += [s for s in dashes(list(tail), on, off) if not _inside(_mid(s), body)]
    laid: list[Primitive] = [Shape(body, PAPER)]
    laid += [Shape(tail, PAPER)] if tail else []
    return [*laid, Dashes(tuple(cuts), INK, STROKE)]


def _words(balloon: Balloon, color: Color = INK,
           stroke: tuple[Color, float] | None = None) -> list[Primitive]:  # fmt: skip
    block = balloon.block
    cx, cy = balloon.box.center
    top = cy - block.height / 2
    return [
        Words(cx - width / 2, baseline(top, n, block), line, block.size, color, stroke)
        for n, (line, width) in enumerate(zip(block.lines, block.widths, strict=True))
    ]


def _mid(segment: tuple[Point, Point]) -> Point:
    (x0, y0), (x1, y1) = segment
    return ((x0 + x1) / 2, (y0 + y1) / 2)


def _inside(point: Point, polygon: tuple[Point, ...]) -> bool:
    """Even-odd rule: whether a point lies inside a polygon."""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(polygon, (*polygon[1:], polygon[0]), strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside
