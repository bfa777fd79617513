"""OUT/book.pdf drawn from the book's pages: passthrough images, vector balloons and text.

The same values the page images come from, painted through `outputs.pdf`: each panel's
image clipped to its frame at its cover-crop, borders, then the lettering's shapes,
dashes and words in their drawing order, so the PDF's text reads in the pages' reading
order. A page is as big as its media box, with its bleed and trim boxes marked.
"""

from __future__ import annotations

from storyforge.compile.book import BookLayout
from storyforge.outputs.book_pages import BookPage
from storyforge.outputs.files import OutputFile
from storyforge.outputs.pdf import PdfWriter
from storyforge.render.geometry import Rect, cover_crop
from storyforge.render.ink import INK, Dashes, Primitive, Shape, Words
from storyforge.render.page import EMPTY, PanelArt

LABEL_SIZE = 9.0


def render_book_pdf(title: str, layout: BookLayout, pages: list[BookPage]) -> bytes:
    """The whole book as PDF bytes (the same bytes for the same pages)."""
    writer = PdfWriter(layout.boxes, title)
    for page in pages:
        writer.add_page()
        for panel, file in zip(page.art.panels, page.files, strict=True):
            _panel(writer, panel, file)
        for panel in page.art.panels:
            if panel.bordered and page.art.border > 0:
                writer.rect(panel.frame, stroke=INK, width=page.art.border)
        for primitive in page.art.ink:
            _ink(writer, primitive)
    return writer.output()


def placed_rect(frame: Rect, width: int, height: int, focus: tuple[float, float]) -> Rect:
    """Where a whole image goes so that its cover-crop at `focus` fills `frame` exactly."""
    crop = cover_crop(width, height, frame.width / frame.height, focus)
    scale = frame.width / crop.width
    return Rect(frame.x - crop.x * scale, frame.y - crop.y * scale, width * scale, height * scale)


def _panel(writer: PdfWriter, panel: PanelArt, file: OutputFile | None) -> None:
    if panel.image is None or file is None:
        writer.rect(panel.frame, fill=EMPTY)
        width = writer.text_width(panel.label, LABEL_SIZE)
        cx, cy = panel.frame.center
        writer.text(cx - width / 2, cy + LABEL_SIZE / 3, panel.label, LABEL_SIZE, (120, 120, 120))
        return
    placed = placed_rect(panel.frame, file.width, file.height, panel.focus)
    writer.image(panel.image, panel.frame, placed, alt_text=panel.label.partition(":")[0])


def _ink(writer: PdfWriter, primitive: Primitive) -> None:
    if isinstance(primitive, Shape):
        writer.shape(primitive.points, primitive.fill, primitive.stroke, primitive.width)
    elif isinstance(primitive, Dashes):
        writer.segments(primitive.segments, primitive.color, primitive.width)
    elif isinstance(primitive, Words):
        writer.text(primitive.x, primitive.baseline, primitive.text, primitive.size,
                    primitive.color, primitive.outline)  # fmt: skip
