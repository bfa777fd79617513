"""A Pillow font that draws each run of text with the bundled font that has its glyphs.

`ChainFont` is a `FreeTypeFont` of the chain's first font, so `ImageDraw.text`, `getlength`
and `getbbox` take it as they take any font. Text the first font draws alone goes straight
to FreeType; other text is measured and rendered run by run and put together on one
baseline, with the first font's ascent and descent for anchors, so every script sits on
the same lines.
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageChops, ImageFont, features

from storyforge.render.fontchain import (
    EMOJI_PRESENTATION,
    PRIMARY,
    Run,
    base_direction,
    coverage,
    font_path,
    split_runs,
    visual_runs,
)

if TYPE_CHECKING:
    from PIL._imaging import ImagingCore

BBox = tuple[float, float, float, float]
# Pieces of a line as laid out: font, text, direction for raqm (None without it), pen x.
Placed = list[tuple[ImageFont.FreeTypeFont, str, str | None, float]]
NO_RAQM = "libraqm is not available: right-to-left and joining scripts are drawn unshaped"


def default_layout() -> ImageFont.Layout:
    """Raqm when Pillow has it (shaping, bidi, ligatures), else FreeType's basic layout."""
    return ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC


@lru_cache(maxsize=8192)
def _in_primary(char: str) -> bool:
    return char in coverage(PRIMARY)


@lru_cache(maxsize=4096)
def _runs(text: str) -> tuple[Run, ...]:
    return split_runs(text)


class ChainFont(ImageFont.FreeTypeFont):
    """The bundled fonts at one pixel size, drawing every character with the first that has it."""

    def __init__(self, size: float, layout_engine: ImageFont.Layout | None = None) -> None:
        engine = default_layout() if layout_engine is None else layout_engine
        super().__init__(str(font_path(PRIMARY)), size, layout_engine=engine)
        self._faces: dict[int, ImageFont.FreeTypeFont] = {}

    def __getstate__(self) -> list[Any]:
        return [self.size, self.layout_engine]

    def __setstate__(self, state: list[Any]) -> None:
        ChainFont.__init__(self, *state)

    def font_variant(
        self,
        font: Any = None,
        size: float | None = None,
        index: int | None = None,
        encoding: str | None = None,
        layout_engine: ImageFont.Layout | None = None,
    ) -> ImageFont.FreeTypeFont:
        """The chain at another size or layout; another font file gives a plain font of it."""
        if font is not None or index is not None or encoding is not None:
            return super().font_variant(font, size, index, encoding, layout_engine)
        return ChainFont(self.size if size is None else size, layout_engine or self.layout_engine)

    def face(self, index: int) -> ImageFont.FreeTypeFont:
        """The chain's font at `index` as a plain FreeType font of this size."""
        if index not in self._faces:
            self._faces[index] = ImageFont.FreeTypeFont(
                str(font_path(index)), self.size, layout_engine=self.layout_engine
            )
        return self._faces[index]

    def _alone(self, text: str | bytes | bytearray) -> bool:
        # The first font draws the text by itself when it has every character and none asks
        # for emoji presentation: checked on the distinct characters, as prompts run long.
        if not isinstance(text, str) or text.isascii():
            return True
        return EMOJI_PRESENTATION not in text and all(map(_in_primary, set(text)))

    def _placed(
        self, text: str, direction: str | None, feats: list[str] | None, language: str | None
    ) -> Placed:
        raqm = self.layout_engine == ImageFont.Layout.RAQM
        placed: Placed = []
        pen = 0.0
        for run, rtl in visual_runs(_runs(text), direction or base_direction(text)):
            face = self.face(run.font)
            part, way = run.text, ("rtl" if rtl else "ltr")
            if not raqm:
                if rtl:
                    warnings.warn(NO_RAQM, RuntimeWarning, stacklevel=4)
                    part = part[::-1]  # at least the letters read in order
                placed.append((face, part, None, pen))
                pen += face.getlength(part)
                continue
            placed.append((face, part, way, pen))
            pen += face.getlength(part, "", way, feats, language)
        return placed

    def getlength(
        self,
        text: str | bytes,
        mode: str = "",
        direction: str | None = None,
        features: list[str] | None = None,
        language: str | None = None,
    ) -> float:
        """Advance width of the text in pixels, each run measured in its own font."""
        if self._alone(text):
            return super().getlength(text, mode, direction, features, language)
        assert isinstance(text, str)
        placed = self._placed(text, direction, features, language)
        if not placed:
            return 0.0
        face, part, way, pen = placed[-1]
        return pen + face.getlength(part, mode, way, features, language)

    def getbbox(
        self,
        text: str | bytes | bytearray,
        mode: str = "",
        direction: str | None = None,
        features: list[str] | None = None,
        language: str | None = None,
        stroke_width: float = 0,
        anchor: str | None = None,
    ) -> BBox:
        """Bounding box of the ink relative to the anchor, as `FreeTypeFont.getbbox`."""
        if self._alone(text):
            return super().getbbox(text, mode, direction, features, language, stroke_width, anchor)
        assert isinstance(text, str)
        placed = self._placed(text, direction, features, language)
        left, top, right, bottom = self._union(placed, mode, features, language, stroke_width)
        ax, ay = self._anchor_point(anchor, placed, features, language, (top, bottom))
        return left - ax, top - ay, right - ax, bottom - ay

    def getmask2(
        self,
        text: str | bytes,
        mode: str = "",
        direction: str | None = None,
        features: list[str] | None = None,
        language: str | None = None,
        stroke_width: float = 0,
        anchor: str | None = None,
        ink: int = 0,
        start: tuple[float, float] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[ImagingCore, tuple[int, int]]:
        """The text's mask and its offset from the anchor, as `FreeTypeFont.getmask2`."""
        if self._alone(text):
            return super().getmask2(text, mode, direction, features, language, stroke_width,
                                    anchor, ink, start, *args, **kwargs)  # fmt: skip
        assert isinstance(text, str)
        placed = self._placed(text, direction, features, language)
        vertical = (0.0, 0.0)
        if anchor and anchor[1:] in {"t", "b"}:
            box = self._union(placed, mode, features, language, stroke_width)
            vertical = (box[1], box[3])
        ax, ay = self._anchor_point(anchor, placed, features, language, vertical)
        x0, y0 = (start or (0.0, 0.0))[0] - ax, (start or (0.0, 0.0))[1] - ay
        pieces = []
        for face, part, way, pen in placed:
            x, y = math.floor(x0 + pen), math.floor(y0)
            mask, (dx, dy) = face.getmask2(
                part, mode, way, features, language, stroke_width, "ls", ink,
                (x0 + pen - x, y0 - y), stroke_filled=kwargs.get("stroke_filled", False),
            )  # fmt: skip
            if mask.size[0] and mask.size[1]:
                pieces.append((mask, x + dx, y + dy))
        return _composite(pieces, "RGBA" if mode == "RGBA" else "L")

    def _union(
        self,
        placed: Placed,
        mode: str,
        feats: list[str] | None,
        language: str | None,
        stroke_width: float,
    ) -> BBox:
        boxes = [
            face.getbbox(part, mode, way, feats, language, stroke_width, "ls")
            for face, part, way, _ in placed
        ]
        if not boxes:
            return 0, 0, 0, 0
        shifted = [(b[0] + pen, b[2] + pen) for b, (*_, pen) in zip(boxes, placed, strict=True)]
        return (min(left for left, _ in shifted), min(b[1] for b in boxes),
                max(right for _, right in shifted), max(b[3] for b in boxes))  # fmt: skip

    def _anchor_point(
        self,
        anchor: str | None,
        placed: Placed,
        feats: list[str] | None,
        language: str | None,
        vertical: tuple[float, float],
    ) -> tuple[float, float]:
        """Where the anchor sits relative to the left end of the baseline (y grows down)."""
        horizontal, upright = (anchor or "la")[0], (anchor or "la")[1:]
        width = 0.0
        if placed and horizontal in {"m", "r"}:
            face, part, way, pen = placed[-1]
            width = pen + face.getlength(part, "", way, feats, language)
        ascent, descent = self.getmetrics()
        x = {"l": 0.0, "m": width / 2, "r": width}.get(horizontal, 0.0)
        y = {"a": -ascent, "m": (descent - ascent) / 2, "s": 0, "d": descent,
             "t": vertical[0], "b": vertical[1]}.get(upright, -ascent)  # fmt: skip
        return x, float(y)


def _composite(
    pieces: list[tuple[ImagingCore, int, int]], mode: str
) -> tuple[ImagingCore, tuple[int, int]]:
    if not pieces:
        return Image.new(mode, (0, 0)).im, (0, 0)
    left = min(x for _, x, _ in pieces)
    top = min(y for _, _, y in pieces)
    right = max(x + mask.size[0] for mask, x, _ in pieces)
    bottom = max(y + mask.size[1] for mask, _, y in pieces)
    canvas = Image.new(mode, (right - left, bottom - top))
    for mask, x, y in pieces:
        piece = Image.Image()._new(mask)
        at = (x - left, y - top)
        if mode == "RGBA":
            canvas.alpha_composite(piece, at)
        else:
            # Neighbouring glyphs may overlap by a pixel: keep the darker ink of the two.
            box = (*at, at[0] + piece.width, at[1] + piece.height)
            canvas.paste(ImageChops.lighter(canvas.crop(box), piece), box)
    return canvas.im, (left, top)
