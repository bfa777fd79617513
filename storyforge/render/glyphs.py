"""Glyph outlines of the bundled fonts as polygons, in points: the PDF's outlined sound effects.

A PDF text stroke straddles each glyph's edge and is painted over its fill, so an outline
as thick as the page images' would swallow the letters; the PDF instead strokes these
shapes under the (still real, selectable) text. Curves are flattened to short segments;
advances are the fonts' own, as the PDF's text uses them (no kerning).
"""

from __future__ import annotations

from functools import lru_cache

from fontTools.pens.basePen import BasePen  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from storyforge.render.fontchain import base_direction, font_path, split_runs, visual_runs

Point = tuple[float, float]
_STEPS = 6  # segments per curve: smooth at sound-effect sizes


class _Flattener(BasePen):  # type: ignore[misc]
    def __init__(self, glyphs: object) -> None:
        super().__init__(glyphs)
        self.contours: list[list[Point]] = []

    def _moveTo(self, pt: Point) -> None:
        self.contours.append([pt])

    def _lineTo(self, pt: Point) -> None:
        self.contours[-1].append(pt)

    def _curveToOne(self, p1: Point, p2: Point, p3: Point) -> None:
        p0 = self.contours[-1][-1]
        for n in range(1, _STEPS + 1):
            t = n / _STEPS
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
            self.contours[-1].append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                                      a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))  # fmt: skip

    def _qCurveToOne(self, p1: Point, p2: Point) -> None:
        p0 = self.contours[-1][-1]
        for n in range(1, _STEPS + 1):
            t = n / _STEPS
            a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t**2
            self.contours[-1].append((a * p0[0] + b * p1[0] + c * p2[0],
                                      a * p0[1] + b * p1[1] + c * p2[1]))  # fmt: skip


@lru_cache(maxsize=8)
def _font(index: int) -> TTFont:
    return TTFont(str(font_path(index)), lazy=True)


def text_outlines(x: float, baseline: float, text: str, size: float) -> list[list[Point]]:
    """The contours of a line of text drawn from (x, baseline), y down, in points."""
    contours: list[list[Point]] = []
    # The PDF writes runs in visual order, right-to-left ones reversed: so do the outlines.
    for run, rtl in visual_runs(split_runs(text), base_direction(text)):
        font = _font(run.font)
        cmap, glyphs = font.getBestCmap(), font.getGlyphSet()
        scale = size / font["head"].unitsPerEm
        for char in run.text[::-1] if rtl else run.text:
            name = cmap.get(ord(char), ".notdef")
            pen = _Flattener(glyphs)
            glyphs[name].draw(pen)
            contours += [[(x + px * scale, baseline - py * scale) for px, py in c]
                         for c in pen.contours if len(c) > 2]  # fmt: skip
            x += glyphs[name].width * scale
    return contours
