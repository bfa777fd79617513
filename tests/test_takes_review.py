"""Takes review: takes of one step are drawn differently offline, so picking can be rehearsed."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from storyforge.build.pipeline import BuildOptions, build
from storyforge.build.progress import Progress
from storyforge.fakeserver import FakeGemini

from .build_support import STORY, manifest, run_build, server, write_story

__all__ = ["server"]


def test_the_fake_server_draws_seeded_takes_differently(tmp_path: Path, server: FakeGemini) -> None:
    report, _ = run_build(write_story(tmp_path), server)
    a = {r.step_id: r for r in report.results}["a"]
    first, second = (t.outputs[0].sha256 for t in a.takes)
    assert first != second


def test_the_sketch_provider_draws_each_take_differently(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY.replace("        seed: 11\n", ""))
    options = BuildOptions(story=story, provider="sketch")
    report = asyncio.run(build(options, Progress(io.StringIO(), live=False)))
    a = {r.step_id: r for r in report.results}["a"]
    first, second = (t.outputs[0].sha256 for t in a.takes)
    assert first != second
    assert (report.out / "takes" / "a-2.png").read_bytes() != (report.out / "a.png").read_bytes()


def test_the_takes_page_shows_every_take_and_the_sheet_which_one(
    tmp_path: Path, server: FakeGemini
) -> None:
    from PIL import Image

    from storyforge.compile.compiler import compile_plan, load_checked
    from storyforge.outputs.sheet import sheet_panel

    story = write_story(tmp_path)
    report, _ = run_build(story, server)
    page = report.out / "takes.png"
    assert page.is_file()
    with Image.open(page) as image:
        assert image.width > 2 * 320  # a's two takes side by side
    data = manifest(report.out)
    assert data["derived"]["takes"] == ["takes.png"]
    before = page.read_bytes()
    run_build(story, server)
    assert page.read_bytes() == before  # deterministic: an unchanged page keeps its bytes
    plan = compile_plan(load_checked(story))
    a = {r.step_id: r for r in report.results}["a"]
    shown = sheet_panel(plan.step("a"), a, (), report.out, {}, None)
    assert shown.shot == "take 1 of 2"


def test_a_story_without_several_takes_has_no_takes_page(
    tmp_path: Path, server: FakeGemini
) -> None:
    story = write_story(tmp_path)
    run_build(story, server)
    assert (tmp_path / "out" / "takes.png").is_file()
    story.write_text(STORY.replace("        takes: 2\n", ""), "utf-8")
    report, _ = run_build(story, server)
    assert not (report.out / "takes.png").exists()  # listed before, not now: removed
