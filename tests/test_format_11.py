"""Story format 1.1: timing, camera, lettering data and reference roles, gated by version."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyforge.errors import StoryError
from storyforge.outputs.schema import story_schema
from storyforge.story.loader import load_story
from tests.compiler_support import compile_text, png, write_story

BOARD = """\
storyforge: 1.1
title: Board
characters:
  ada: {name: Ada}
outputs: [contact_sheet, board]
board: {per_page: 6, orientation: landscape, paper: a4}
book: {preset: us-comic, direction: rtl}
scenes:
  - id: s1
    layout: [[1], [1, 1]]
    heights: [2, 1]
    panels:
      - id: p1
        characters: [ada]
        shot: wide
        prompt: Ada at the door
        duration: 2.5
        camera: dolly in
        action: Ada opens the door.
        notes: hold on the hinge
        crop: {x: 0.5, y: 0.3}
        sfx: [{text: KRAK, at: top-right}]
        dialogue:
          - {who: ada, text: "Who's there?", kind: shout, at: top-left, to: left}
          - {text: Night fell., kind: narration}
          - {who: ada, text: "Not again.", kind: thought}
      - id: p2
        bleed: true
        page_break: true
        prompt: the hall
        references: [{ref: refs/pose.png, as: pose}, p1]
"""


def problems(tmp_path: Path, text: str, files: dict[str, bytes | str] | None = None) -> list[str]:
    story = write_story(tmp_path, text, files)
    with pytest.raises(StoryError) as caught:
        load_story(story)
    return [d.format().replace(str(story), "story.yaml") for d in caught.value.diagnostics]


def test_a_board_with_every_new_field_validates_and_compiles(tmp_path: Path) -> None:
    plan = compile_text(tmp_path, BOARD, {"refs/pose.png": png()})
    p1, p2 = plan.step("p1"), plan.step("p2")
    assert p1.dialogue == (("Ada", "Who's there?"), ("", "Night fell."), ("Ada", "Not again."))
    assert "Who's there" not in p1.prompt and "KRAK" not in p1.prompt
    assert "hold on the hinge" not in p1.prompt and "dolly in" not in p1.prompt
    assert list(p2.labels)[:2] == ["Image 1: reference for the pose: pose.png",
                                               "Image 2: reference: p1"]  # fmt: skip


def test_a_version_1_file_is_told_which_version_has_a_new_key(tmp_path: Path) -> None:
    text = """\
    storyforge: 1
    title: t
    scenes:
      - id: s
        panels:
          - {id: p, prompt: x, duration: 2}
    """
    assert problems(tmp_path, text) == [
        "story.yaml:6:28: scenes[0].panels[0]: key 'duration' is format 1.1, this file is "
        "format 1; write `storyforge: 1.1` to use it"
    ]


def test_a_version_1_file_is_never_offered_a_newer_key(tmp_path: Path) -> None:
    text = "storyforge: 1\ntitle: t\nscenes:\n  - id: s\n    panels:\n      - {id: p, actoin: x}\n"
    [message] = problems(tmp_path, text)
    assert "unknown key 'actoin'" in message and "action" not in message.replace("actoin", "")


def test_a_1_1_file_is_offered_the_new_keys(tmp_path: Path) -> None:
    text = (
        "storyforge: 1.1\ntitle: t\nscenes:\n  - id: s\n    panels:\n      - {id: p, actoin: x}\n"
    )
    [message] = problems(tmp_path, text)
    assert message.endswith("unknown key 'actoin' (did you mean 'action'?)")


def test_a_role_mapping_in_a_version_1_file_names_the_version(tmp_path: Path) -> None:
    text = """\
    storyforge: 1
    title: t
    scenes:
      - id: s
        panels:
          - {id: p, prompt: x, references: [{ref: a.png, as: pose}]}
    """
    [message] = problems(tmp_path, text, {"a.png": png()})
    assert "reference mapping is format 1.1" in message


def test_narration_needs_no_speaker_but_speech_does(tmp_path: Path) -> None:
    text = """\
    storyforge: 1.1
    title: t
    scenes:
      - id: s
        panels:
          - id: p
            dialogue: [{text: Later., kind: caption}, {text: Hello}]
    """
    assert problems(tmp_path, text) == [
        "story.yaml:7:51: scenes[0].panels[0].dialogue[1]: missing required field 'who' "
        "(a speech line needs its speaker; captions and narration do not: `kind: narration`)"
    ]


def test_version_1_stories_stay_valid(tmp_path: Path) -> None:
    for example in sorted(Path("examples").glob("*/story.yaml")):
        # The lettered comic needs 1.1's book and layout, the film board its timing fields.
        expected = 1.1 if example.parent.name in ("lighthouse", "storyboard") else 1
        assert load_story(example).story.storyforge == expected


def _properties(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, value in node.get("properties", {}).items():
            yield f"{where}.{name}", value
        for key, value in node.items():
            yield from _properties(value, f"{where}.{key}" if key != "properties" else where)
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _properties(value, f"{where}[{n}]")


def test_every_field_of_the_schema_has_a_description() -> None:
    schema = story_schema()
    missing = [where for where, prop in _properties(schema, "story") if "description" not in prop]
    assert missing == []
    assert json.dumps(schema).count('"since": "1.1"') >= 15
