"""The PDF writer and the book PDF, read back with pypdf: boxes, fonts, text, images, bytes."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from pypdf import PageObject, PdfReader

from storyforge.outputs.pdf import PdfWriter
from storyforge.render.geometry import PAGE_PRESETS, Rect, page_boxes


def _jpeg(color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), color).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _resources(page: PageObject, kind: str) -> dict[str, Any]:
    """The page's resources of a kind (/XObject, /Font), resolved."""
    found: Any = page["/Resources"]
    return {name: ref.get_object() for name, ref in found[kind].items()}


def _document(jpeg: bytes, pages: int = 2) -> bytes:
    writer = PdfWriter(page_boxes(PAGE_PRESETS["us-comic"]), "Test")
    for _ in range(pages):
        writer.add_page()
        writer.image(jpeg, Rect(50, 50, 100, 100), Rect(25, 50, 150, 100))
        writer.shape([(10, 10), (100, 10), (50, 80)], (255, 255, 255), (0, 0, 0), 1, (3, 2))
        writer.text(60, 300, "Hello Ωμέγα Привет", 12)
    return writer.output()


def test_writer_boxes_fonts_text_and_passthrough_jpeg() -> None:
    jpeg = _jpeg()
    reader = PdfReader(io.BytesIO(_document(jpeg)))
    assert len(reader.pages) == 2
    page = reader.pages[0]
    assert [float(v) for v in page.mediabox] == [0, 0, 495, 756]
    assert [float(v) for v in page.bleedbox] == [0, 0, 495, 756]
    assert [float(v) for v in page.trimbox] == [9, 9, 486, 747]
    assert page.extract_text() == "Hello Ωμέγα Привет"
    (stream,) = _resources(page, "/XObject").values()
    assert stream["/Filter"] == "/DCTDecode"
    assert stream.get_data() == jpeg
    (font,) = _resources(page, "/Font").values()
    assert "/FontFile2" in font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    assert font["/BaseFont"].endswith("+NotoSans")  # a subset


def test_writer_is_byte_reproducible() -> None:
    jpeg = _jpeg()
    assert _document(jpeg) == _document(jpeg)
