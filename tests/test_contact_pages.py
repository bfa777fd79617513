"""The contact sheet on A4 pages: page files, headers, continued scenes, whole rows, stale pages."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from storyforge.outputs.sheet_pages import page_path, render_contact_sheet
from storyforge.render.contact_draw import draw_band
from storyforge.render.contact_layout import FOOTER_H, PAGE_HEIGHT, PAGE_WIDTH, ROW_ROOM
from storyforge.render.contact_pages import sheet_layout
from storyforge.render.contact_panel import SheetPanel

TITLE = "The Lighthouse Keeper"


def pending(count: int, scenes: tuple[str, ...] = ("arrival", "morning")) -> list[SheetPanel]:
    """`count` panels without pictures (quick to draw), split evenly over `scenes`."""
    share = -(-count // len(scenes))
    return [
        SheetPanel(f"panel-{n:02d}", scenes[n // share], scenes[n // share].title(), "wide",
                   "The keeper climbs.", (("Mara", "Another storm."),), "pending")
        for n in range(count)
    ]  # fmt: skip


def render(folder: Path, panels: list[SheetPanel], columns: int = 3) -> list[Path]:
    return render_contact_sheet(TITLE, panels, folder / "contact_sheet.png", columns=columns)


def opened(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("RGB")


def same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a, b).getbbox() is None


def test_a_long_story_is_three_a4_pages_beside_the_first(tmp_path: Path) -> None:
    panels = pending(30)
    assert len(sheet_layout(TITLE, panels).pages) == 3
    paths = render(tmp_path, panels)
    names = ["contact_sheet.png", "contact_sheet-2.png", "contact_sheet-3.png"]
    assert paths == [tmp_path / name for name in names]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    for path in paths:
        assert opened(path).size == (PAGE_WIDTH, PAGE_HEIGHT) == (1654, 2339)


def test_every_page_has_a_header_saying_which_page_it_is(tmp_path: Path) -> None:
    panels = pending(30)
    layout = sheet_layout(TITLE, panels)
    headers = [page.bands[0] for page in layout.pages]
    assert [band.kind for band in headers] == ["title", "header", "header"]
    assert [band.note for band in headers] == ["page 1 of 3", "page 2 of 3", "page 3 of 3"]
    assert all(band.heading == TITLE for band in headers)
    # The page as written carries exactly that header, and its words show: another note
    # or another title would draw differently.
    second = opened(render(tmp_path, panels)[1])
    header = headers[1]
    top = second.crop((0, 0, PAGE_WIDTH, header.height))
    assert same(top, draw_band(header, layout, panels))
    assert not same(top, draw_band(replace(header, note="page 3 of 3"), layout, panels))
    assert not same(top, draw_band(replace(header, heading="Another story"), layout, panels))


def test_a_scene_cut_by_a_page_continues_under_the_next_header(tmp_path: Path) -> None:
    panels = pending(30)
    layout = sheet_layout(TITLE, panels)
    first, second, third = layout.pages
    assert not any(band.continued for band in first.bands)
    last_scene = [band for band in first.bands if band.kind == "scene"][-1]
    opening = second.bands[1]
    assert opening.kind == "scene" and opening.continued
    assert (opening.heading, opening.detail) == (last_scene.heading, last_scene.detail)
    assert third.bands[1].kind == "scene" and third.bands[1].continued
    page = opened(render(tmp_path, panels)[1])
    band = page.crop((0, opening.top, PAGE_WIDTH, opening.top + opening.height))
    assert same(band, draw_band(opening, layout, panels))
    assert not same(band, draw_band(replace(opening, continued=False), layout, panels))


def test_rows_are_whole_and_every_panel_is_on_exactly_one_page() -> None:
    panels = pending(61, ("arrival", "morning", "storm", "dawn"))
    layout = sheet_layout(TITLE, panels)
    assert len(layout.pages) > 3
    indexes = []
    for page in layout.pages:
        *body, footer = page.bands
        assert footer.kind == "footer" and footer.top + footer.height == PAGE_HEIGHT
        assert all(band.top + band.height <= PAGE_HEIGHT - FOOTER_H for band in body)
        assert [band.top for band in page.bands[1:]] == [b.top + b.height for b in page.bands[:-1]]
        # A scene header is never the last thing on a page: its first row comes with it.
        assert all(b.kind == "row" for a, b in pairwise(body) if a.kind == "scene")
        assert body[-1].kind == "row"
        indexes += [cell.index for band in body for cell in band.cells]
    assert indexes == list(range(len(panels)))


def test_a_picture_taller_than_a_page_is_shrunk_to_fit_one(tmp_path: Path) -> None:
    poster = tmp_path / "poster.png"
    Image.new("RGB", (400, 1200), (220, 180, 40)).save(poster)
    panels = [replace(panel, status="generated", image_path=poster) for panel in pending(3)]
    layout = sheet_layout(TITLE, panels, columns=1)
    rows = [band for page in layout.pages for band in page.bands if band.kind == "row"]
    assert len(rows) == 3 and all(band.height <= ROW_ROOM for band in rows)
    assert len(render(tmp_path / "out", panels, columns=1)) == len(layout.pages)


def test_pages_left_from_a_longer_sheet_are_removed(tmp_path: Path) -> None:
    for name in ("contact_sheet-2.png", "contact_sheet-4.png", "contact_sheet-9.png"):
        (tmp_path / name).write_bytes(b"old page")
    others = ["contact_sheet-02.png", "contact_sheet-notes.png", "contact_sheet-5.jpg", "x-5.png"]
    for name in others:
        (tmp_path / name).write_bytes(b"not a page of this sheet")
    render(tmp_path, pending(30))
    pages = ["contact_sheet.png", "contact_sheet-2.png", "contact_sheet-3.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(pages + others)
    assert opened(tmp_path / "contact_sheet-2.png").size == (PAGE_WIDTH, PAGE_HEIGHT)
    render(tmp_path, pending(4))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["contact_sheet.png", *others])


def test_a_short_story_is_exactly_one_page(tmp_path: Path) -> None:
    panels = pending(6)
    [page] = sheet_layout(TITLE, panels).pages
    assert page.bands[0].kind == "title" and page.bands[0].note == ""
    assert render(tmp_path, panels) == [tmp_path / "contact_sheet.png"]
    assert [p.name for p in tmp_path.iterdir()] == ["contact_sheet.png"]
    assert opened(tmp_path / "contact_sheet.png").size == (PAGE_WIDTH, PAGE_HEIGHT)


@pytest.mark.parametrize(
    ("number", "name"), [(1, "sheet.png"), (2, "sheet-2.png"), (12, "sheet-12.png")]
)
def test_page_paths_sit_beside_the_first(tmp_path: Path, number: int, name: str) -> None:
    assert page_path(tmp_path / "sheet.png", number) == tmp_path / name
