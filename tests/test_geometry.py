"""Exact page geometry: boxes, cells tiling the live area, aspect choice, crops and rows."""

from __future__ import annotations

import itertools
import math

import pytest

from storyforge.render.geometry import (
    PAGE_PRESETS,
    Rect,
    bleed_cell,
    cover_crop,
    crop_loss,
    inches,
    justified_rows,
    layout_cells,
    mm,
    nearest_ratio,
    page_boxes,
    page_spec,
    pt_to_px,
    px_to_pt,
)

GEMINI_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")


def test_units() -> None:
    assert inches(1) == 72
    assert mm(25.4) == pytest.approx(72)
    assert pt_to_px(72, 300) == 300
    assert px_to_pt(300, 300) == 72


def test_us_comic_boxes() -> None:
    boxes = page_boxes(PAGE_PRESETS["us-comic"])
    assert boxes.media == Rect(0, 0, inches(6.875), inches(10.5))
    assert boxes.bleed == boxes.media
    assert boxes.trim == Rect(inches(0.125), inches(0.125), inches(6.625), inches(10.25))
    assert boxes.live.width == pytest.approx(inches(6))
    assert boxes.live.height == pytest.approx(inches(9))
    assert boxes.live.center == pytest.approx(boxes.trim.center)


def test_other_presets_and_overrides() -> None:
    a4 = page_boxes(PAGE_PRESETS["a4"])
    assert (a4.trim.width, a4.trim.height) == pytest.approx((mm(210), mm(297)))
    assert (a4.live.width, a4.live.height) == pytest.approx((mm(180), mm(267)))
    assert page_spec("letter").trim_width == inches(8.5)
    custom = page_spec("custom", width=5, height=7, bleed=0, margin=0.25)
    boxes = page_boxes(custom)
    assert boxes.media == Rect(0, 0, 360, 504)
    assert boxes.live == Rect(18, 18, 324, 468)


def _assert_tiles(cells: list[Rect], live: Rect) -> None:
    """Cells lie inside the live area and share no area."""
    for cell in cells:
        assert live.contains(cell)
    for i, a in enumerate(cells):
        for b in cells[i + 1 :]:
            assert not a.overlaps(b)


def test_tiers_tile_the_live_area_with_gutters() -> None:
    live = page_boxes(PAGE_PRESETS["us-comic"]).live
    g = 9.0
    cells = layout_cells([[1], [1, 1], [2, 1]], live, g)
    assert len(cells) == 5
    _assert_tiles(cells, live)
    tier_h = (live.height - 2 * g) / 3
    assert cells[0] == Rect(live.x, live.y, live.width, tier_h)
    assert cells[1].y == pytest.approx(live.y + tier_h + g)
    assert cells[1].width == pytest.approx((live.width - g) / 2)
    assert cells[2].x == pytest.approx(cells[1].right + g)
    assert cells[2].right == pytest.approx(live.right)
    assert cells[3].width == pytest.approx((live.width - g) * 2 / 3)
    assert cells[4].right == pytest.approx(live.right)
    assert cells[4].bottom == pytest.approx(live.bottom)


def test_heights_and_presets() -> None:
    live = Rect(0, 0, 300, 400)
    cells = layout_cells([[1], [1]], live, 10, heights=[3, 1])
    assert cells[0].height == pytest.approx(292.5)
    assert cells[1] == Rect(0, 302.5, 300, 97.5)
    assert len(layout_cells("nine-grid", live, 10)) == 9
    assert layout_cells("splash", live, 10) == [live]
    with pytest.raises(ValueError, match="2 heights for 1 tiers"):
        layout_cells("splash", live, 10, heights=[1, 2])


def test_rtl_mirrors_cells() -> None:
    live = Rect(20, 30, 300, 400)
    ltr = layout_cells([[2, 1]], live, 10)
    rtl = layout_cells([[2, 1]], live, 10, direction="rtl")
    assert rtl[0].right == pytest.approx(live.right)
    assert rtl[0].width == pytest.approx(ltr[0].width)
    assert rtl[1].x == pytest.approx(live.x)
    for a, b in zip(ltr, rtl, strict=True):
        assert b.x - live.x == pytest.approx(live.right - a.right)


def test_bleed_cell_reaches_the_media_edge_on_outer_sides() -> None:
    boxes = page_boxes(PAGE_PRESETS["us-comic"])
    top, left, _right = layout_cells([[1], [1, 1]], boxes.live, 9)
    grown_top = bleed_cell(top, boxes.live, boxes.media)
    assert (grown_top.x, grown_top.y, grown_top.right) == (0, 0, boxes.media.right)
    assert grown_top.bottom == pytest.approx(top.bottom)
    grown = bleed_cell(left, boxes.live, boxes.media)
    assert (grown.x, grown.y, grown.right, grown.bottom) == pytest.approx(
        (0, left.y, left.right, boxes.media.bottom)
    )


def test_nearest_ratio_in_log_space() -> None:
    # A4 example (DELIVERABLES 2.2): full-width tier 180 x 86.3 mm -> 21:9, half width -> 1:1.
    assert nearest_ratio(180 / 86.3, GEMINI_RATIOS) == "21:9"
    assert nearest_ratio(88 / 86.3, GEMINI_RATIOS) == "1:1"
    assert nearest_ratio(0.5, GEMINI_RATIOS) == "9:16"
    # 1.45 is nearer 1:1 on a linear scale but nearer 2:1 in log space (midpoint sqrt 2).
    assert nearest_ratio(1.45, ("1:1", "2:1")) == "2:1"
    assert nearest_ratio(math.sqrt(2) - 0.01, ("1:1", "2:1")) == "1:1"


def test_crop_loss() -> None:
    assert crop_loss(180 / 86.3, 21 / 9) == pytest.approx(1 - (180 / 86.3) / (21 / 9))
    assert crop_loss(180 / 86.3, 21 / 9) == pytest.approx(0.106, abs=1e-3)
    assert crop_loss(1, 1) == 0
    assert crop_loss(2, 1) == crop_loss(1, 2) == 0.5


def test_cover_crop_at_focus() -> None:
    wide = cover_crop(1600, 900, 1.0, focus=(0.5, 0.5))
    assert wide == Rect(350, 0, 900, 900)
    left = cover_crop(1600, 900, 1.0, focus=(0.0, 0.5))
    assert left == Rect(0, 0, 900, 900)
    tall = cover_crop(900, 1600, 1.0)  # default focus sits above centre
    assert tall == Rect(0, 0.4 * 1600 - 450, 900, 900)
    assert cover_crop(900, 1600, 1.0, focus=(0.5, 1.0)) == Rect(0, 700, 900, 900)


def test_justified_rows() -> None:
    rows = justified_rows([1.5, 1.5, 1.0, 2.0, 0.5], width=100, target_height=30, gap=4)
    for row in rows[:-1]:
        assert row[0].x == 0
        assert row[-1].right == pytest.approx(100)
        assert len({r.height for r in row}) == 1
    flat = [r for row in rows for r in row]
    assert len(flat) == 5
    for a, b in itertools.pairwise(rows):
        assert b[0].y == pytest.approx(a[0].bottom + 4)


def test_justified_last_row_keeps_the_target_height() -> None:
    rows = justified_rows([1.0, 1.0, 1.0], width=100, target_height=30, gap=0)
    assert [len(r) for r in rows] == [3]
    assert rows[0][0].height == 30
    assert rows[0][-1].right == 90
