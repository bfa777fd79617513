"""The PDF writer and the book PDF, read back with pypdf: boxes, fonts, text, images, bytes."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

from PIL import Image
from pypdf import PageObject, PdfReader

from storyforge.fakeserver import FakeGemini
from storyforge.outputs.pdf import PdfWriter
from storyforge.render.geometry import PAGE_PRESETS, Rect, page_boxes

from .book_support import BOOK, PANELS, TEXTS
from .build_support import run_build, server, write_story

__all__ = ["server"]


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


def _built(tmp_path: Path, srv: FakeGemini) -> Path:
    report, _ = run_build(write_story(tmp_path / "s", BOOK), srv)
    assert report.exit_code == 0
    return report.out


def test_book_pdf_pages_boxes_fonts_and_text_in_reading_order(
    tmp_path: Path, server: FakeGemini
) -> None:
    reader = PdfReader(_built(tmp_path, server) / "book.pdf")
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert [float(v) for v in page.mediabox] == [0, 0, 495, 756]
        assert [float(v) for v in page.bleedbox] == [0, 0, 495, 756]
        assert [float(v) for v in page.trimbox] == [9, 9, 486, 747]
        for font in _resources(page, "/Font").values():
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor  # embedded, not referenced
            assert font["/BaseFont"].split("+")[0].isupper()  # subset tag
    words = " ".join(page.extract_text() for page in reader.pages).split()
    assert words == " ".join(TEXTS).split()


def test_book_pdf_embeds_the_jpeg_panels_as_received(tmp_path: Path, server: FakeGemini) -> None:
    out = _built(tmp_path, server)
    originals = {(out / f"{pid}.jpg").read_bytes() for pid in PANELS}
    assert len(originals) == len(PANELS)
    reader = PdfReader(out / "book.pdf")
    embedded = {
        stream.get_data()
        for page in reader.pages
        for stream in _resources(page, "/XObject").values()
    }
    assert embedded == originals
    assert all(
        stream["/Filter"] == "/DCTDecode"
        for page in reader.pages
        for stream in _resources(page, "/XObject").values()
    )


def test_book_pdf_is_the_same_bytes_when_drawn_again(tmp_path: Path, server: FakeGemini) -> None:
    out = _built(tmp_path, server)
    first = (out / "book.pdf").read_bytes()
    shutil.rmtree(tmp_path / "s" / ".storyforge" / "derived")
    (out / "book.pdf").unlink()
    report, _ = run_build(tmp_path / "s" / "story.yaml", server)
    assert report.calls == 0
    assert (out / "book.pdf").read_bytes() == first
