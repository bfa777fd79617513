"""PDF files through fpdf2, its one home: pages with boxes, passthrough images, vector text.

Coordinates are points from the top-left corner of the page, as `render.geometry` gives
them. Text goes run by run through the same font chain the Pillow renderers use
(`render.fontchain`), each font embedded once and subset by fpdf2, so every script the
pages show is real, selectable text. JPEG images are embedded as the bytes they are
(DCTDecode); other formats are decoded and stored losslessly by fpdf2. The file is a pure
function of what was drawn: the creation date is given, never the clock.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Sequence

from fpdf import FPDF
from fpdf.drawing_primitives import DeviceRGB
from fpdf.enums import PathPaintRule, StrokeJoinStyle

from storyforge.render.fontchain import base_direction, font_path, split_runs, visual_runs
from storyforge.render.geometry import PageBoxes, Rect
from storyforge.render.glyphs import text_outlines

Point = tuple[float, float]
Color = tuple[int, int, int]
# A fixed date for files whose story has no commit to date them by (reproducible bytes).
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

# fpdf2 logs every glyph a subset drops and every font it parses at INFO/WARNING.
logging.getLogger("fpdf").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


class PdfWriter:
    """One PDF being drawn: pages of one size, then `output()` for its bytes."""

    def __init__(self, boxes: PageBoxes, title: str, created: dt.datetime = EPOCH) -> None:
        """A document whose pages have the given media, bleed and trim boxes."""
        self._boxes = boxes
        media = boxes.media
        self._pdf = FPDF(unit="pt", format=(media.width, media.height))
        self._pdf.set_auto_page_break(False)
        self._pdf.set_margin(0)
        self._pdf.set_creation_date(created)
        self._pdf.set_title(title)
        self._pdf.set_producer("storyforge")
        self._fonts: dict[int, str] = {}

    def add_page(self) -> None:
        """Start a page, with its TrimBox and BleedBox beside the MediaBox."""
        self._pdf.add_page()
        page = self._pdf.pages[self._pdf.page]
        # fpdf2 has no API for the print boxes; it writes `/MediaBox <value>` into each
        # page dictionary, so the two boxes ride in that value (checked by the tests).
        page.media_box = f"{_box(self._boxes.media, self._boxes)} /BleedBox " + (
            f"{_box(self._boxes.bleed, self._boxes)} /TrimBox {_box(self._boxes.trim, self._boxes)}"
        )

    def image(self, data: bytes, frame: Rect, placed: Rect, alt_text: str = "") -> None:
        """Draw an image scaled to `placed`, showing only what falls inside `frame`."""
        with self._pdf.rect_clip(frame.x, frame.y, frame.width, frame.height):
            self._pdf.image(
                io.BytesIO(data), placed.x, placed.y, placed.width, placed.height,
                alt_text=alt_text or None,
            )  # fmt: skip

    def shape(
        self,
        points: Sequence[Point],
        fill: Color | None = None,
        stroke: Color | None = None,
        width: float = 0.0,
        dash: tuple[float, float] | None = None,
    ) -> None:
        """A closed polygon, filled and/or outlined (dashed when `dash` is (on, off))."""
        style = ("F" if fill else "") + ("D" if stroke else "")
        if not style:
            return
        if fill:
            self._pdf.set_fill_color(*fill)
        if stroke:
            self._pdf.set_draw_color(*stroke)
            self._pdf.set_line_width(width)
        self._pdf.set_dash_pattern(*(dash or (0, 0)))
        self._pdf.polygon(list(points), style=style)
        self._pdf.set_dash_pattern()

    def segments(self, lines: Sequence[tuple[Point, Point]], color: Color, width: float) -> None:
        """Separate straight lines of one colour and width (dashes drawn as geometry)."""
        self._pdf.set_draw_color(*color)
        self._pdf.set_line_width(width)
        for (x0, y0), (x1, y1) in lines:
            self._pdf.line(x0, y0, x1, y1)

    def rect(self, rect: Rect, fill: Color | None = None, stroke: Color | None = None,
             width: float = 0.0) -> None:  # fmt: skip
        """A rectangle, filled and/or outlined."""
        corners = [(rect.x, rect.y), (rect.right, rect.y), (rect.right, rect.bottom),
                   (rect.x, rect.bottom)]  # fmt: skip
        self.shape(corners, fill, stroke, width)

    def text_width(self, text: str, size: float) -> float:
        """The advance width of `text` at `size` points, run by run as `text` draws it."""
        return sum(self._run_width(index, part, size) for index, part in self._runs(text))

    def text(
        self,
        x: float,
        baseline: float,
        text: str,
        size: float,
        color: Color = (0, 0, 0),
        outline: tuple[Color, float] | None = None,
    ) -> None:
        """Draw one line from its left end on the baseline.

        `outline` is (colour, width): an edge that far outside the letters, as Pillow's
        stroke draws it, laid as shapes under the text so the text stays one real copy.
        """
        if outline is not None:
            self._outline(text_outlines(x, baseline, text, size), *outline)
        self._pdf.set_text_color(*color)
        for index, part in self._runs(text):
            self._pdf.set_font(self._family(index), size=size)
            self._pdf.text(x, baseline, part)
            x += self._pdf.get_string_width(part)

    def output(self) -> bytes:
        """The finished file."""
        return bytes(self._pdf.output())

    def _outline(self, contours: list[list[Point]], color: Color, width: float) -> None:
        with self._pdf.new_path(paint_rule=PathPaintRule.STROKE) as path:
            path.style.stroke_color = DeviceRGB(*(c / 255 for c in color))
            path.style.stroke_width = 2 * width  # half of it lies under the letters' fill
            path.style.stroke_join_style = StrokeJoinStyle.ROUND
            for contour in contours:
                path.move_to(*contour[0])
                for point in contour[1:]:
                    path.line_to(*point)
                path.close()

    def _runs(self, text: str) -> list[tuple[int, str]]:
        # Runs in visual order, right-to-left ones reversed: without a shaper in fpdf2 this
        # reads right for Hebrew; Arabic letters come out in order but unjoined.
        ordered = visual_runs(split_runs(text), base_direction(text))
        return [(run.font, run.text[::-1] if rtl else run.text) for run, rtl in ordered]

    def _run_width(self, index: int, part: str, size: float) -> float:
        self._pdf.set_font(self._family(index), size=size)
        return float(self._pdf.get_string_width(part))

    def _family(self, index: int) -> str:
        if index not in self._fonts:
            family = f"chain{index}"
            self._pdf.add_font(family, fname=str(font_path(index)))
            self._fonts[index] = family
        return self._fonts[index]


def _box(rect: Rect, boxes: PageBoxes) -> str:
    # PDF boxes count y up from the bottom of the media box.
    bottom = boxes.media.height - rect.bottom
    return f"[{rect.x:.2f} {bottom:.2f} {rect.right:.2f} {bottom + rect.height:.2f}]"
