"""The contact sheet: layout, scene grouping, marked failures and the streamed PNG it writes.

Paging (A4 pages, headers, continued scenes, stale pages) is tested in test_contact_pages.py.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from storyforge.outputs.sheet_pages import render_contact_sheet
from storyforge.render.contact_draw import SCENE_BAND, STATUS_COLORS, UNMARKED
from storyforge.render.contact_layout import MARGIN, PAGE_HEIGHT, PAGE_WIDTH, Band
from storyforge.render.contact_pages import SheetLayout, sheet_layout
from storyforge.render.contact_panel import SheetPanel
from storyforge.render.pngstream import PngWriter

RED, BLUE, GOLD = (200, 30, 30), (30, 60, 200), (220, 180, 40)


def picture(folder: Path, name: str, color: tuple[int, int, int], fmt: str = "PNG",
            size: tuple[int, int] = (640, 360)) -> Path:  # fmt: skip
    path = folder / name
    Image.new("RGB", size, color).save(path, fmt)
    return path


def panel(step: str, scene: str, status: str = "generated", **more: object) -> SheetPanel:
    fields: dict[str, object] = {
        "step_id": step, "scene_id": scene, "scene_title": scene.title(), "shot": "wide",
        "caption": f"{step} caption", "dialogue": (("Mara", "Another storm."),),
        "status": status,
    }  # fmt: skip
    return SheetPanel(**(fields | more))  # type: ignore[arg-type]


def build(
    tmp_path: Path, panels: list[SheetPanel], columns: int = 3
) -> tuple[Image.Image, SheetLayout]:
    """The sheet's first page as drawn, and its layout."""
    out = tmp_path / "out" / "contact_sheet.png"
    assert render_contact_sheet("The Lighthouse Keeper", panels, out, columns=columns)[0] == out
    image = Image.open(out)
    image.load()
    return image.convert("RGB"), sheet_layout("The Lighthouse Keeper", panels, columns)


def bands(layout: SheetLayout) -> list[Band]:
    return [band for page in layout.pages for band in page.bands]


def rgb(image: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    pixel = image.getpixel(xy)
    assert isinstance(pixel, tuple)
    return pixel[0], pixel[1], pixel[2]


def near(a: tuple[int, int, int], b: tuple[int, int, int], tolerance: int = 10) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def centre(box: tuple[int, int, int, int], band: Band) -> tuple[int, int]:
    return (box[0] + box[2]) // 2, band.top + (box[1] + box[3]) // 2


@pytest.fixture
def story(tmp_path: Path) -> list[SheetPanel]:
    png = picture(tmp_path, "stairs.png", RED)
    jpeg = picture(tmp_path, "lamp.jpg", BLUE, "JPEG")
    tall = picture(tmp_path, "poster.png", GOLD, size=(400, 600))
    return [
        panel("stairs", "arrival", image_path=png),
        panel("lamp", "arrival", "cached", image_path=jpeg),
        panel("door", "arrival", "failed", reason="HTTP 503 after 5 attempts"),
        panel("storm", "arrival", "blocked", reason="IMAGE_SAFETY"),
        panel("lamp-day", "morning", "skipped", reason="input 'door' failed"),
        panel("poster", "morning", image_path=tall),
    ]


def test_geometry_and_rows_per_scene(tmp_path: Path, story: list[SheetPanel]) -> None:
    image, layout = build(tmp_path, story)
    assert image.size == (PAGE_WIDTH, PAGE_HEIGHT) == (layout.width, layout.height)
    [page] = layout.pages
    kinds = [band.kind for band in page.bands]
    assert kinds == ["title", "scene", "row", "row", "scene", "row", "footer"]
    assert [band.heading for band in page.bands if band.kind == "scene"] == ["arrival", "morning"]
    assert [band.top for band in page.bands[1:]] == [
        band.top + band.height for band in page.bands[:-1]
    ]
    assert page.bands[-1].top + page.bands[-1].height == PAGE_HEIGHT


def test_a_cell_for_every_panel_in_story_order(tmp_path: Path, story: list[SheetPanel]) -> None:
    layout = sheet_layout("t", story, 3)
    indexes = [cell.index for band in bands(layout) for cell in band.cells]
    assert indexes == list(range(len(story)))
    assert all(cell.box[2] <= PAGE_WIDTH - MARGIN for band in bands(layout) for cell in band.cells)


def test_scene_header_band_separates_groups(tmp_path: Path, story: list[SheetPanel]) -> None:
    image, layout = build(tmp_path, story)
    for band in (b for b in bands(layout) if b.kind == "scene"):
        y = band.top + band.height // 2 + 4
        assert rgb(image, (PAGE_WIDTH - MARGIN - 8, y)) == SCENE_BAND
        assert rgb(image, (PAGE_WIDTH // 2, y)) == SCENE_BAND


def test_png_and_jpeg_images_fill_their_cells(tmp_path: Path, story: list[SheetPanel]) -> None:
    image, layout = build(tmp_path, story)
    row = layout.pages[0].bands[2]
    assert near(rgb(image, centre(row.cells[0].image_box, row)), RED)
    assert near(rgb(image, centre(row.cells[1].image_box, row)), BLUE)


def test_failed_blocked_and_skipped_cells_are_marked(
    tmp_path: Path, story: list[SheetPanel]
) -> None:
    image, layout = build(tmp_path, story)
    cells = {story[c.index].status: (c, band) for band in bands(layout) for c in band.cells}
    for status in ("failed", "blocked", "skipped"):
        cell, band = cells[status]
        left, top, right, bottom = cell.image_box
        assert rgb(image, (left + 2, band.top + (top + bottom) // 2)) == STATUS_COLORS[status]
        frame = image.crop((left, band.top + top, right, band.top + bottom))
        colors = {color for _, color in frame.getcolors(1 << 16) or []}
        assert STATUS_COLORS[status] in colors and (255, 255, 255) in colors


def test_missing_and_unreadable_images_are_marked(tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    panels = [
        panel("gone", "s", image_path=tmp_path / "nowhere.png"),
        panel("broken", "s", image_path=broken),
        panel("never", "s", image_path=None),
    ]
    image, layout = build(tmp_path, panels)
    row = layout.pages[0].bands[2]
    for cell in row.cells:
        left, top, _, bottom = cell.image_box
        assert rgb(image, (left + 2, row.top + (top + bottom) // 2)) == UNMARKED


def test_row_height_follows_the_tallest_picture(tmp_path: Path, story: list[SheetPanel]) -> None:
    layout = sheet_layout("t", story, 3)
    wide_row, tall_row = layout.pages[0].bands[2], layout.pages[0].bands[5]
    wide_h = wide_row.cells[0].image_box[3] - wide_row.cells[0].image_box[1]
    tall_h = tall_row.cells[1].image_box[3] - tall_row.cells[1].image_box[1]
    assert tall_h > 2 * wide_h


def test_sheet_replaces_the_old_one_and_leaves_no_temp_files(tmp_path: Path) -> None:
    out = tmp_path / "contact_sheet.png"
    out.write_bytes(b"old")
    assert render_contact_sheet("Empty story", [], out) == [out]
    assert [p.name for p in tmp_path.iterdir()] == ["contact_sheet.png"]
    with Image.open(out) as image:
        assert image.size == (PAGE_WIDTH, PAGE_HEIGHT)


def test_columns_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="columns"):
        render_contact_sheet("t", [], tmp_path / "c.png", columns=0)
    assert not list(tmp_path.iterdir())


def test_one_column_stacks_every_panel(tmp_path: Path, story: list[SheetPanel]) -> None:
    layout = sheet_layout("t", story, 1)
    assert sum(band.kind == "row" for band in bands(layout)) == len(story)


def test_streamed_png_matches_the_bands_written() -> None:
    source = Image.effect_noise((257, 90), 80).convert("RGB")
    out = io.BytesIO()
    writer = PngWriter(out, 257, 90)
    writer.write(source.crop((0, 0, 257, 40)))
    writer.write(source.crop((0, 40, 257, 90)))
    writer.close()
    with Image.open(io.BytesIO(out.getvalue())) as back:
        assert ImageChops.difference(back.convert("RGB"), source).getbbox() is None


def test_streamed_png_refuses_wrong_bands() -> None:
    writer = PngWriter(io.BytesIO(), 10, 10)
    with pytest.raises(ValueError, match="wide"):
        writer.write(Image.new("RGB", (9, 5)))
    writer.write(Image.new("RGB", (10, 5)))
    with pytest.raises(ValueError, match="rows"):
        writer.close()
