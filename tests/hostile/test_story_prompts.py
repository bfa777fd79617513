"""A plain prompt that is too long is reported at its own line, with the limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyforge.cli import main

HEAD = "storyforge: 1\ntitle: T\n"
SCENE = "scenes:\n  - id: s\n    panels:\n      - id: p\n"
LIMIT = "; prompts may have at most 100,000 characters"


def _validate(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> str:
    (tmp_path / "story.yaml").write_text(text)
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(tmp_path / "story.yaml")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    return err.removeprefix(str(tmp_path / "story.yaml")).rstrip("\n")


def test_a_long_plain_panel_prompt_is_located_at_the_prompt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _validate(tmp_path, HEAD + SCENE + "        prompt: " + "a" * 100_001 + "\n", capsys)
    assert err == f":7:17: scenes[0].panels[0].prompt: the prompt is 100,001 characters{LIMIT}"


def test_a_long_plain_description_is_located_at_the_description(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cast = "characters:\n  mara:\n    name: Mara\n    description: " + "b" * 100_001 + "\n"
    story = HEAD + cast + SCENE + "        characters: [mara]\n"
    err = _validate(tmp_path, story, capsys)
    assert err == (f":6:18: characters.mara.description: the prompt is 100,001 characters{LIMIT}")


def test_a_long_plain_style_prompt_is_located_at_the_style(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    styles = "style: ink\nstyles:\n  ink:\n    prompt: " + "c" * 100_001 + "\n"
    err = _validate(tmp_path, HEAD + styles + SCENE, capsys)
    assert err == f":6:13: styles.ink.prompt: the prompt is 100,001 characters{LIMIT}"


def test_a_prompt_at_the_limit_is_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "story.yaml").write_text(HEAD + SCENE + "        prompt: " + "a" * 99_000 + "\n")
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(tmp_path / "story.yaml")])
    assert exit_.value.code == 0
