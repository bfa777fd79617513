"""A stranger's template cannot exhaust memory or time, and empty values are named as such."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyforge.cli import main

HEAD = "storyforge: 1\ntitle: T\nscenes:\n  - id: s\n    panels:\n      - id: p\n"


def _validate(tmp_path: Path, prompt: str, capsys: pytest.CaptureFixture[str]) -> str:
    (tmp_path / "story.yaml").write_text(HEAD + f"        prompt: '{prompt}'\n")
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(tmp_path / "story.yaml")])
    assert exit_.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(
    ("prompt", "message"),
    [
        ('{{ "a" * 100000000 }}', "template text longer than 100,000 characters"),
        ("{{ [1] * 100000000 }}", "template text longer than 100,000 characters"),
        ("{{ 10 ** 1000000 }}", "exponent too large in template"),
        ("{% for i in range(99999) %}{{ i }}{% endfor %}", "longer than 100,000 characters"),
    ],
)
def test_runaway_templates_are_refused_at_their_line(
    tmp_path: Path, prompt: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _validate(tmp_path, prompt, capsys)
    assert err.startswith(f"{tmp_path / 'story.yaml'}:7:17: scenes[0].panels[0].prompt: ")
    assert message in err
    assert err.count("\n") == 1


def test_an_attribute_of_an_empty_value_says_it_is_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _validate(tmp_path, "{{ vars.x.y }}", capsys)
    assert err.endswith(
        "'x' is undefined in the prompt template: `vars` has no 'x' (vars is empty); "
        "add `x:` under `vars` in the story\n"
    )
