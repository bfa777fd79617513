"""The seed of every take stays an int32, however close to 2**31 - 1 the story's seed is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .store_support import build, generate_calls, server

STORY = (
    "storyforge: 1\ntitle: Seeds\naspect_ratio: '1:1'\n"
    "scenes:\n  - id: s\n    panels:\n"
    "      - {id: p, prompt: a lamp, takes: 3, seed: 2147483646}\n"
)


def test_take_seeds_wrap_inside_the_int32_range(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    (tmp_path / "story.yaml").write_text(STORY)
    with server() as srv:
        code, _, err = build(tmp_path / "story.yaml", srv, capsys, monkeypatch)
        seeds = sorted(r["body"]["generationConfig"]["seed"] for r in generate_calls(srv))
    assert code == 0, err
    assert seeds == [0, 2**31 - 2, 2**31 - 1]  # three takes, three different seeds
