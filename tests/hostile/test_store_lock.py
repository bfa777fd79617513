"""A lock of the wrong shape is a located one-line error that says how to fix it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .store_support import STORY, build, generate_calls, server

KEY = "ab" * 32


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"key": KEY, "take": "2"}, "take"),
        ({"key": KEY, "take": 0}, "take"),
        ({"key": 5}, "key"),
        ({"key": "../../etc"}, "key"),
        ({"key": KEY, "sha256": []}, "sha256"),
        ({"key": KEY, "sha256": "//etc/shadow"}, "sha256"),
        ({"key": KEY, "picked": "yes"}, "picked"),
        ({"key": KEY, "colour": "red"}, "colour"),
        ("p1", ""),
    ],
)
def test_a_lock_entry_of_the_wrong_type_is_a_located_error(
    tmp_path: Path, capsys: Any, monkeypatch: Any, entry: Any, field: str
) -> None:
    (tmp_path / "story.yaml").write_text(STORY)
    text = json.dumps({"storyforge": 1, "steps": {"p1": entry}}, indent=2)
    (tmp_path / "story.lock").write_text(text)
    with server() as srv:
        code, _, err = build(tmp_path / "story.yaml", srv, capsys, monkeypatch)
        assert generate_calls(srv) == []
    assert code == 2
    (line,) = err.strip().splitlines()
    where = f"steps.p1.{field}" if field else "steps.p1"
    assert line.startswith(f"{tmp_path / 'story.lock'}:") and f": {where}: " in line
    assert "delete story.lock" in line and "internal error" not in line
    row = next(n for n, t in enumerate(text.splitlines(), 1) if (field or "p1") in t)
    assert line.split(":")[1] == str(row)


@pytest.mark.parametrize("text", ['{"storyforge": true, "steps": {}}', '{"storyforge": 1}'])
def test_a_lock_of_the_wrong_shape_is_a_located_error(
    tmp_path: Path, capsys: Any, monkeypatch: Any, text: str
) -> None:
    (tmp_path / "story.yaml").write_text(STORY)
    (tmp_path / "story.lock").write_text(text)
    with server() as srv:
        code, _, err = build(tmp_path / "story.yaml", srv, capsys, monkeypatch)
    assert code == 2
    (line,) = err.strip().splitlines()
    assert "story.lock" in line and "delete story.lock" in line
