"""Takes review: takes of one step are drawn differently offline, so picking can be rehearsed."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from storyforge.build.pipeline import BuildOptions, build
from storyforge.build.progress import Progress
from storyforge.fakeserver import FakeGemini

from .build_support import STORY, run_build, server, write_story

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
