"""A shipped cache of drawn outputs (.storyforge/derived/) is never read through a link."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

CANARY = (13, 250, 17)  # a colour no sketch uses

STORY = """\
storyforge: 1.1
title: Canary
scenes:
  - id: s
    panels:
      - {id: p1, prompt: a quiet harbour}
      - {id: p2, prompt: a boat at dawn}
"""


def build(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if "API_KEY" not in k and "BASE_URL" not in k}
    return subprocess.run(
        [sys.executable, "-m", "storyforge", "build", "--provider", "sketch", *args],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def canary_pixels(path: Path) -> int:
    with Image.open(path) as sheet:
        colours = sheet.convert("RGB").getcolors(maxcolors=1 << 24) or []
    return sum(count for count, colour in colours if colour == CANARY)


def test_a_linked_thumbnail_is_removed_and_never_drawn(tmp_path: Path) -> None:
    story, private = tmp_path / "story", tmp_path / "private.png"
    story.mkdir()
    (story / "story.yaml").write_text(STORY)
    Image.new("RGB", (400, 300), CANARY).save(private)
    assert build(story).returncode == 0
    thumbs = [p for p in (story / ".storyforge" / "derived").rglob("*.png") if p.is_file()]
    assert thumbs
    for thumb in thumbs:  # the shipped store: every drawn thumbnail a link to a private image
        thumb.unlink()
        thumb.symlink_to(private)
    (story / "out" / ".contact_sheet.sha256").unlink(missing_ok=True)  # force a redraw
    again = build(story, "--force", "p1")
    assert again.returncode == 0, again.stderr
    assert not any(t.is_symlink() for t in thumbs)
    assert canary_pixels(story / "out" / "contact_sheet.png") == 0
    assert private.is_file()  # the link was removed, never its target


def test_a_derived_folder_that_is_a_link_is_replaced_by_a_real_one(tmp_path: Path) -> None:
    story, elsewhere = tmp_path / "story", tmp_path / "elsewhere"
    story.mkdir()
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine")
    (story / "story.yaml").write_text(STORY)
    (story / ".storyforge").mkdir()
    (story / ".storyforge" / "derived").symlink_to(elsewhere)
    result = build(story)
    assert result.returncode == 0, result.stderr
    assert (story / ".storyforge" / "derived").is_dir()
    assert not (story / ".storyforge" / "derived").is_symlink()
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]
