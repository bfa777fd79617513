"""Lettered pages from builds: files, sizes, the cache, and layout-first aspect ratios in plan."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image

from storyforge.build.pipeline import BuildOptions, dry_run
from storyforge.build.progress import Progress
from storyforge.cli import main
from storyforge.compile.compiler import compile_plan, load_checked
from storyforge.compile.prompt_context import NO_LETTERING
from storyforge.fakeserver import FakeGemini

from .book_support import BOOK, PANELS
from .build_support import fake_env, generate_calls, manifest, run_build, server, write_story

__all__ = ["server"]


def _pages(out: Path) -> list[Path]:
    return sorted((out / "pages").glob("page-*.png"))


def _cached_pages(story: Path) -> set[str]:
    return {p.name for p in (story.parent / ".storyforge" / "derived" / "pages").glob("*.png")}


def test_pages_drawn_from_the_panels_which_stay_as_received(
    tmp_path: Path, server: FakeGemini
) -> None:
    story = write_story(tmp_path / "s", BOOK)
    report, _ = run_build(story, server)
    assert report.exit_code == 0
    pages = _pages(report.out)
    assert [p.name for p in pages] == ["page-001.png", "page-002.png"]
    for page in pages:
        with Image.open(page) as image:
            assert image.size == (495, 756)  # the us-comic media box at 72 dpi
    for step in manifest(report.out)["steps"]:
        output = step["outputs"][0]
        data = (report.out / output["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == output["sha256"]
    assert (report.out / "book.pdf").is_file()


def test_editing_one_line_costs_no_call_and_redraws_only_its_page(
    tmp_path: Path, server: FakeGemini
) -> None:
    story = write_story(tmp_path / "s", BOOK)
    run_build(story, server)
    calls = len(generate_calls(server))
    first = _cached_pages(story)
    page1, page2 = _pages(story.parent / "out")
    before1, before2 = page1.read_bytes(), page2.stat().st_mtime_ns
    story.write_text(BOOK.replace("Dawn came.", "Dawn came at last."), encoding="utf-8")
    report, _ = run_build(story, server)
    assert report.calls == 0 and len(generate_calls(server)) == calls
    assert len(_cached_pages(story) - first) == 1  # one page drawn
    assert page1.read_bytes() == before1
    assert page2.stat().st_mtime_ns != before2


def _plan(story: Path, srv: FakeGemini) -> str:
    options = BuildOptions(story=story, provider="gemini", env=fake_env(srv))
    return dry_run(options, Progress(live=False))


def test_a_layout_change_regenerates_exactly_the_panels_whose_ratio_changes(
    tmp_path: Path, server: FakeGemini
) -> None:
    story = write_story(tmp_path / "s", BOOK)
    run_build(story, server)
    # [[1], [1, 1]] -> [[1], [1, 2]]: b turns 2:3 -> 9:16 and c 2:3 -> 4:5; a keeps 4:3.
    story.write_text(BOOK.replace("layout: [[1], [1, 1]]", "layout: [[1], [1, 2]]"))
    rows = {line.split()[1]: line for line in _plan(story, server).splitlines()[1:] if "  " in line}
    changed = sorted(pid for pid in PANELS if rows[pid].lstrip().startswith("~"))
    assert changed == ["b", "c"]
    assert "aspect_ratio 2:3 -> 9:16" in rows["b"]
    assert "aspect_ratio 2:3 -> 4:5" in rows["c"]
    assert rows["a"].lstrip().startswith("=") and rows["d"].lstrip().startswith("=")


def test_a_gutter_change_recomposes_without_regenerating(
    tmp_path: Path, server: FakeGemini
) -> None:
    story = write_story(tmp_path / "s", BOOK)
    run_build(story, server)
    pages = _cached_pages(story)
    story.write_text(BOOK.replace("dpi: 72}", "dpi: 72, gutter: 0.14}"))
    report, _ = run_build(story, server)
    assert report.calls == 0
    assert len(_cached_pages(story) - pages) == 1  # page 2 is a splash: no gutters to move


def test_cells_give_each_panel_its_aspect_ratio_unless_it_sets_one(tmp_path: Path) -> None:
    text = BOOK.replace(
        "        prompt: a lamp\n", '        prompt: a lamp\n        aspect_ratio: "9:16"\n'
    )
    plan = compile_plan(load_checked(write_story(tmp_path / "s", text)))
    ratios = {s.id: s.aspect_ratio for s in plan.steps}
    assert ratios == {"a": "4:3", "b": "2:3", "c": "9:16", "d": "2:3"}
    assert any("'c'" in w.message and "cropped away" in w.message for w in plan.warnings)


def test_lettered_books_ask_for_art_without_text(tmp_path: Path) -> None:
    plan = compile_plan(load_checked(write_story(tmp_path / "s", BOOK)))
    assert all(s.prompt.endswith(NO_LETTERING) for s in plan.steps)
    unlettered = BOOK.replace("dpi: 72}", "dpi: 72, lettered: false}")
    plan = compile_plan(load_checked(write_story(tmp_path / "u", unlettered)))
    assert not any(NO_LETTERING in s.prompt for s in plan.steps)


@pytest.mark.parametrize("command", ["validate", "plan"])
def test_text_that_cannot_fit_is_a_located_error_before_any_call(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long = " ".join(["storm"] * 400)
    story = write_story(tmp_path / "s", BOOK.replace("Up we go.", long))
    with pytest.raises(SystemExit) as exit_:
        main([command, str(story), *(["--provider", "sketch"] if command == "plan" else [])])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    line = BOOK.splitlines().index(
        '        dialogue: [{who: mara, text: "Up we go.", kind: shout}]'
    )
    assert f"story.yaml:{line + 1}:" in err
    assert "scenes[0].panels[1].dialogue[0]: panel 'b': the shout 'storm storm" in err
    assert "lines but the panel has room for" in err


def test_heights_must_match_the_tiers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BOOK.replace("layout: splash\n", "layout: splash\n    heights: [1, 2]\n")
    with pytest.raises(SystemExit):
        main(["validate", str(write_story(tmp_path / "s", text))])
    assert "scenes[1].heights: 2 heights but its layout has 1 tier;" in capsys.readouterr().err
