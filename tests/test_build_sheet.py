from __future__ import annotations

import asyncio
import io
from pathlib import Path

from storyforge.build.pipeline import BuildOptions, build
from storyforge.build.progress import Progress

from .build_support import write_story
from .test_manifest import STORY


def _sheet_after_build(story: Path) -> Path:
    options = BuildOptions(story=story, provider="sketch")
    report = asyncio.run(build(options, Progress(io.StringIO(), live=False)))
    assert report.contact_sheet is not None
    return report.contact_sheet


def test_the_sheet_is_redrawn_only_when_what_it_shows_changed(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    _sheet_after_build(story)
    sheet = _sheet_after_build(story)  # statuses went from generated to cached: redrawn
    assert sheet.read_bytes().startswith(b"\x89PNG")
    drawn, picture = sheet.stat().st_ino, sheet.read_bytes()
    sheet = _sheet_after_build(story)
    assert sheet.stat().st_ino == drawn  # not replaced
    write_story(tmp_path, STORY.replace("It stands.", "It still stands."))
    assert _sheet_after_build(story).read_bytes() != picture


def test_a_deleted_sheet_is_drawn_again(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    _sheet_after_build(story).unlink()
    assert _sheet_after_build(story).is_file()
