"""Whatever a story file holds, load_story answers with a story or a StoryError, never a crash."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
import yaml

from storyforge.errors import StoryError
from storyforge.story import loader, modelchecks
from storyforge.story.loader import load_story
from tests.test_loader import EXAMPLE


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(modelchecks, "today", lambda: dt.date(2026, 5, 1))


def variants() -> list[str]:
    """Cut-off files, and copies with a character deleted or a YAML-significant one added."""
    rng = random.Random(7)
    out = [EXAMPLE[:n] for n in range(0, len(EXAMPLE), 9)]
    for _ in range(120):
        at = rng.randrange(len(EXAMPLE))
        out.append(EXAMPLE[:at] + EXAMPLE[at + 1 :])
        out.append(EXAMPLE[:at] + rng.choice(":-[]{}&*!|>'\"#\t %@`,?\n") + EXAMPLE[at:])
    return out


@pytest.mark.parametrize("parser", ["libyaml", "pure"])
def test_every_variant_loads_or_fails_with_located_diagnostics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parser: str
) -> None:
    if parser == "pure":
        monkeypatch.setattr(loader, "_LOADER", yaml.SafeLoader)
    story = tmp_path / "story.yaml"
    for text in variants():
        story.write_text(text, encoding="utf-8")
        try:
            load_story(story)
        except StoryError as error:
            assert error.diagnostics, text
            for diagnostic in error.diagnostics:
                assert "\n" not in diagnostic.message
                assert "Traceback" not in diagnostic.message
                assert diagnostic.line <= text.count("\n") + 1, (text, diagnostic)
