"""The board PDF: page geometry (justified rows of mixed ratios) and the file read with pypdf."""

from __future__ import annotations

import itertools
import logging
import math
import os
import subprocess
from pathlib import Path

import pytest
from pypdf import PageObject, PdfReader
from pypdf.generic import DictionaryObject

from storyforge.render.board_layout import (
    MIN_CELL_ASPECT,
    board_page,
    grid_shape,
    page_count,
    page_rect,
    wrap,
)
from storyforge.render.geometry import mm

from .board_support import BOARD_IDS, BOARD_STORY, build_boards

RATIOS = {"16:9": 16 / 9, "21:9": 21 / 9, "9:16": 9 / 16, "1:1": 1.0}


def _story(board: str, text: str = BOARD_STORY) -> str:
    return text.replace(
        "title: The Lighthouse Keeper\n", f"title: The Lighthouse Keeper\n{board}\n"
    )


def _pages(folder: Path, board: str, text: str = BOARD_STORY) -> list[str]:
    report = build_boards(folder, ("board",), _story(board, text))
    reader = PdfReader(report.out / "storyboard.pdf")
    return [page.extract_text() for page in reader.pages]


def _resources(page: PageObject, kind: str) -> DictionaryObject:
    resources = page["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)
    found = resources[kind].get_object()
    assert isinstance(found, DictionaryObject)
    return found


# --- geometry -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per_page", "orientation", "shape"),
    [(3, "landscape", (3, 1)), (6, "landscape", (3, 2)), (9, "landscape", (3, 3)),
     (12, "landscape", (4, 3)), (3, "portrait", (1, 3)), (6, "portrait", (1, 6)),
     (9, "portrait", (1, 9)), (12, "portrait", (2, 6))],
)  # fmt: skip
def test_grid_shapes(per_page: int, orientation: str, shape: tuple[int, int]) -> None:
    assert grid_shape(per_page, orientation) == shape


def test_paper_sizes_turn_for_landscape() -> None:
    a4 = page_rect("a4", "landscape")
    assert (a4.width, a4.height) == pytest.approx((mm(297), mm(210)))
    letter = page_rect("letter", "portrait")
    assert (letter.width, letter.height) == pytest.approx((612, 792))


@pytest.mark.parametrize("boards", [0, 1, 5, 6, 7, 12, 13, 40])
@pytest.mark.parametrize("per_page", [3, 6, 9, 12])
def test_page_count_is_boards_over_per_page_rounded_up(boards: int, per_page: int) -> None:
    assert page_count(boards, per_page) == max(1, math.ceil(boards / per_page))


def test_mixed_ratios_are_justified_rows_not_a_grid() -> None:
    aspects = [RATIOS["21:9"], RATIOS["9:16"], RATIOS["16:9"], RATIOS["1:1"], RATIOS["21:9"]]
    page = board_page("a4", "landscape", 6, aspects)
    cells = page.cells
    assert len(cells) == len(aspects)
    for cell, aspect in zip(cells, aspects, strict=True):
        assert cell.image.width / cell.image.height == pytest.approx(aspect)  # its own ratio
        assert cell.frame.contains(cell.image)
        assert cell.frame.width / cell.frame.height == pytest.approx(max(aspect, MIN_CELL_ASPECT))
        assert cell.strip.y == pytest.approx(cell.frame.bottom)
        assert cell.text.y == pytest.approx(cell.strip.bottom)
        assert cell.text.width == pytest.approx(cell.frame.width)
        assert page.page.inset(20).contains(cell.text) and page.header.bottom <= cell.frame.y
        assert cell.text.bottom <= page.footer.y
    rows: dict[float, list[int]] = {}
    for index, cell in enumerate(cells):
        rows.setdefault(round(cell.frame.y, 3), []).append(index)
    assert len(rows) >= 2
    widths = []
    for members in rows.values():
        heights = {round(cells[i].frame.height, 3) for i in members}
        assert len(heights) == 1  # a row shares one height
        for a, b in itertools.pairwise(members):
            assert cells[a].frame.right < cells[b].frame.x  # in order, never overlapping
        widths.append(cells[members[-1]].frame.right - cells[members[0]].frame.x)
    # Every row but the last spans the rows' common width (the page's, or less when the
    # pictures had to shrink to fit the page's height).
    assert len(set(round(w, 3) for w in widths[:-1])) == 1 and widths[-1] <= widths[0] + 1e-6
    assert widths[0] >= 0.7 * page.header.width
    # The 9:16 board is as tall as the 21:9 one beside it: neither is a strip.
    assert cells[1].image.height == pytest.approx(cells[0].image.height)


def test_a_row_of_wide_boards_fills_the_width() -> None:
    page = board_page("letter", "landscape", 3, [RATIOS["16:9"]] * 3)
    cells = page.cells
    assert {round(c.frame.y, 3) for c in cells} == {round(cells[0].frame.y, 3)}
    assert cells[0].frame.x == pytest.approx(page.header.x)
    assert cells[-1].frame.right == pytest.approx(page.header.right)


def test_portrait_rows_put_the_text_beside_the_picture() -> None:
    aspects = [RATIOS["16:9"], RATIOS["9:16"], RATIOS["21:9"]]
    page = board_page("a4", "portrait", 3, aspects)
    ys = [cell.frame.y for cell in page.cells]
    assert ys == sorted(ys) and len(set(ys)) == 3
    for cell, aspect in zip(page.cells, aspects, strict=True):
        assert cell.image.width / cell.image.height == pytest.approx(aspect)
        assert cell.text.x > cell.image.right and cell.strip.x > cell.image.right
        assert cell.text.right <= page.header.right + 1e-6


def test_wrap_keeps_lines_inside_the_width_in_any_script() -> None:
    def width(text: str) -> float:
        return 5.0 * len(text)

    lines = wrap("the quick brown fox jumps over the lazy dog", 50, width)
    assert all(width(line) <= 50 for line in lines) and " ".join(lines).count("fox") == 1
    cjk = wrap("夜が来て灯台の明かりが海を照らす", 30, width)
    assert (
        all(width(line) <= 30 for line in cjk)
        and "".join(cjk) == "夜が来て灯台の明かりが海を照らす"
    )


# --- the PDF ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per_page", "orientation"),
    [(3, "portrait"), (6, "landscape"), (9, "landscape"), (12, "portrait")],
)
def test_pages_are_boards_over_per_page(tmp_path: Path, per_page: int, orientation: str) -> None:
    pages = _pages(tmp_path, f"board: {{per_page: {per_page}, orientation: {orientation}}}")
    assert len(pages) == math.ceil(len(BOARD_IDS) / per_page)
    assert all(f"/ {len(pages)}" in text for text in pages)


def test_the_header_names_title_scene_boards_shots_time_and_ratio(tmp_path: Path) -> None:
    first, second = _pages(tmp_path, "board: {per_page: 3, paper: letter}")
    assert "The Lighthouse Keeper" in first
    assert "Scene: The storm comes in" in first and "Scene: Morning" in second
    assert "Boards 1\u20133 of 5" in first and "Boards 4\u20135 of 5" in second
    assert "Shots: 4" in first  # arrival+knock are one shot; lamp, boat, jetty
    assert "Running time: 0:09.8" in first  # 3 + 1.5 + 2 + 2.5 + 0.75 s
    assert "Aspect ratio: 16:9 (also 1:1, 21:9, 9:16)" in first
    assert "Draft:" not in first  # not in a git repository: no date rather than the clock


def test_each_board_shows_its_shot_camera_duration_action_dialogue_and_notes(
    tmp_path: Path,
) -> None:
    first, second = _pages(tmp_path, "board: {per_page: 3}")
    for words in ["1A", "WIDE", "slow push in", "3 s", "Mara climbs the cliff path",
                  "CAPTION: Every night for thirty years.", "Notes: Hold on the lamp",
                  "1B", "1.5 s", "MARA: Who's there at this hour?", "CLOSE-UP", "2 s",
                  "SFX: KLANK"]:  # fmt: skip
        assert words in first
    for words in ["OVER-THE-SHOULDER", "2.5 s", "BLOCKED", "IMAGE_SAFETY", "0.75 s",
                  "MARA (shouts): Papa!"]:  # fmt: skip
        assert words in second


def test_boards_with_pictures_embed_them_and_blocked_ones_do_not(tmp_path: Path) -> None:
    report = build_boards(tmp_path, ("board",), _story("board: {per_page: 6}"))
    page = PdfReader(report.out / "storyboard.pdf").pages[0]
    assert len(_resources(page, "/XObject")) == len(BOARD_IDS) - 1


def test_the_draft_date_is_the_story_commit_date(tmp_path: Path) -> None:
    story = tmp_path / "story.yaml"
    story.write_text(_story("board: {per_page: 6}"), encoding="utf-8")
    env = {**os.environ, "GIT_COMMITTER_DATE": "2024-05-06T12:00:00+00:00",
           "GIT_AUTHOR_DATE": "2024-05-06T12:00:00+00:00", "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    for args in (["init", "-q"], ["add", "story.yaml"], ["commit", "-q", "-m", "story"]):
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True)
    report = build_boards(tmp_path, ("board",), story.read_text("utf-8"))
    reader = PdfReader(report.out / "storyboard.pdf")
    assert "Draft: 2024-05-06" in reader.pages[0].extract_text()
    assert reader.metadata is not None and str(reader.metadata["/CreationDate"]).startswith(
        "D:20240506"
    )


def test_text_that_overflows_is_a_located_warning_every_build(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    long = "Hold on the lamp. " + "The wind howls and the rain comes sideways. " * 12
    text = _story("board: {per_page: 12}").replace("Hold on the lamp before she enters.", long)
    with caplog.at_level(logging.WARNING, logger="storyforge.outputs.board"):
        report = build_boards(tmp_path, ("board",), text)
        again = build_boards(tmp_path, ("board",), text)  # cached PDF: still reported
    found = [r.getMessage() for r in caplog.records if "arrival" in r.getMessage()]
    assert len(found) == 2 and found[0] == found[1]
    line = text.splitlines().index("      - id: arrival") + 1
    assert found[0].startswith(f"story.yaml:{line}:9: warning: scenes[0].panels[0]: board 1A")
    assert "[…]" in PdfReader(report.out / "storyboard.pdf").pages[0].extract_text()
    assert again.out == report.out


def test_it_is_redrawn_only_when_what_it_shows_changed(tmp_path: Path) -> None:
    report = build_boards(tmp_path, ("board",), _story("board: {per_page: 6}"))
    pdf = report.out / "storyboard.pdf"
    first = pdf.stat().st_mtime_ns
    build_boards(tmp_path, ("board",), _story("board: {per_page: 6}"))
    assert pdf.stat().st_mtime_ns == first
    changed = _story("board: {per_page: 6}").replace("At dawn, a sail.", "At dawn, two sails.")
    build_boards(tmp_path, ("board",), changed)
    assert "At dawn, two sails." in PdfReader(pdf).pages[0].extract_text()


def test_non_latin_dialogue_is_real_text_in_an_embedded_font(tmp_path: Path) -> None:
    text = _story("board: {per_page: 6}").replace("Who's there at this hour?", "誰だ\uff1f مرحبا")
    report = build_boards(tmp_path, ("board",), text)
    page = PdfReader(report.out / "storyboard.pdf").pages[0]
    # pypdf reads the two-byte codes of the CJK font with a NUL between characters.
    assert "誰だ" in page.extract_text().replace("\x00", "")
    assert "مرحبا" in page.extract_text()
    fonts = " ".join(str(font.get_object()["/BaseFont"]) for font in
                     _resources(page, "/Font").values())  # fmt: skip
    assert "CJK" in fonts and "Arabic" in fonts
