"""The contact sheet drawn while calls are out is the sheet drawn after them, pixel for pixel."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from PIL import Image

from storyforge.build.pipeline import load_and_compile
from storyforge.fakeserver import FakeGemini, Faults
from storyforge.outputs.sheet import SHEET_NAME, STAMP_NAME
from storyforge.outputs.sheet_live import PREPARE_AFTER_S, live_sheet

from .build_support import run_build, write_story

# Two pages of three columns: the page headers, both scene headers and the "continued" one.
PANELS = "\n".join(f"      - {{id: p{n}, prompt: the lamp {n}}}" for n in range(14))
STORY = f"""\
storyforge: 1
title: Live sheet
aspect_ratio: "1:1"
scenes:
  - id: one
    continuity: none
    panels:
{PANELS}
  - id: two
    continuity: none
    panels:
      - {{id: q0, prompt: the sea}}
"""


def _pages(out: Path) -> list[bytes]:
    pages = sorted(out.glob("contact_sheet*.png"))
    assert pages
    return [Image.open(page).convert("RGB").tobytes() for page in pages]


def _drawn_afresh(story: Path, srv: FakeGemini, calls: int = 0) -> list[bytes]:
    """The sheet of the same images, every band drawn at the end (nothing prepared)."""
    cache = story.parent / ".storyforge" / "derived" / "bands"
    shutil.rmtree(cache)
    (story.parent / "out" / STAMP_NAME).unlink()
    report, _ = run_build(story, srv)
    assert report.calls == calls and report.contact_sheet is not None
    assert cache.is_dir()  # drawn, not read
    return _pages(story.parent / "out")


def test_the_first_call_sets_the_worker_drawing_the_forecast_sheets_headers(
    tmp_path: Path,
) -> None:
    loaded, plan = load_and_compile(write_story(tmp_path, STORY))
    live = live_sheet(loaded.story, plan, tmp_path / "out", tmp_path / ".storyforge")
    bands = tmp_path / ".storyforge" / "derived" / "bands"
    live.call_started()
    live.call_started()  # once is enough
    time.sleep(PREPARE_AFTER_S + 0.5)
    live.close()
    # Title, page 2's header, scenes one, one (continued) and two; no row is done yet.
    assert len(list(bands.iterdir())) == 5


def test_a_build_over_before_the_worker_starts_draws_nothing_ahead(tmp_path: Path) -> None:
    loaded, plan = load_and_compile(write_story(tmp_path, STORY))
    live = live_sheet(loaded.story, plan, tmp_path / "out", tmp_path / ".storyforge")
    live.call_started()
    live.close()
    assert not (tmp_path / ".storyforge" / "derived" / "bands").exists()


def test_the_headers_drawn_while_calls_are_out_make_the_same_sheet(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    with FakeGemini(faults=Faults(latency_s=0.4)) as srv:
        report, _ = run_build(story, srv, concurrency=16)
        assert report.exit_code == 0
        assert (tmp_path / "out" / SHEET_NAME).is_file()
        built = _pages(tmp_path / "out")
        assert len(built) == 2
        assert built == _drawn_afresh(story, srv)


def test_a_build_that_ends_otherwise_than_foreseen_still_draws_its_own_headers(
    tmp_path: Path,
) -> None:
    story = write_story(tmp_path, STORY.replace("the sea", "the sea BLOCKME"))
    with FakeGemini(faults=Faults(latency_s=0.3, block_word="BLOCKME")) as srv:
        report, _ = run_build(story, srv, concurrency=16)
        assert report.exit_code == 1  # q0 blocked: the title counts it, unlike the forecast
        built = _pages(tmp_path / "out")
        assert built == _drawn_afresh(story, srv, calls=1)  # a block is never cached
