"""Messages that name the fix: each pinned exactly, as a user sees it."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyforge.errors import StoryError
from storyforge.story.loader import load_story
from tests.compiler_support import write_story

HEAD = "storyforge: 1.1\ntitle: t\ncharacters:\n  ada: {name: Ada}\n"


def problems(tmp_path: Path, text: str) -> list[str]:
    story = write_story(tmp_path, text)
    with pytest.raises(StoryError) as caught:
        load_story(story)
    return [d.format().replace(str(story), "story.yaml") for d in caught.value.diagnostics]


def test_a_character_named_as_a_step_points_at_its_sheet(tmp_path: Path) -> None:
    text = HEAD.replace("{name: Ada}", "{name: Ada, sheet: true}") + (
        "scenes:\n  - id: s\n    panels:\n      - {id: p, references: [ada]}\n"
    )
    assert problems(tmp_path, text) == [
        "story.yaml:8:30: scenes[0].panels[0].references[0]: unknown step 'ada': "
        "'ada' is a character; use its sheet 'ada.sheet'"
    ]


def test_a_character_without_a_sheet_named_as_a_step_says_how_to_get_one(tmp_path: Path) -> None:
    text = HEAD + "scenes:\n  - id: s\n    panels:\n      - {id: p, fuse: [ada]}\n"
    assert problems(tmp_path, text) == [
        "story.yaml:8:24: scenes[0].panels[0].fuse[0]: unknown step 'ada': 'ada' is a "
        "character; set sheet: true on it and use 'ada.sheet', or name its reference file"
    ]


def test_an_id_with_capitals_is_offered_its_lowercase_form(tmp_path: Path) -> None:
    text = HEAD + "scenes:\n  - id: s\n    panels:\n      - {id: Ada-Door}\n"
    assert problems(tmp_path, text) == [
        "story.yaml:8:14: scenes[0].panels[0].id: invalid id 'Ada-Door' (did you mean "
        "'ada-door'?): ids are lowercase letters, digits, '-' and '_', starting with a letter "
        "or digit"
    ]


def test_a_narrator_character_is_told_how_narration_is_written(tmp_path: Path) -> None:
    text = HEAD + (
        "scenes:\n  - id: s\n    panels:\n      - id: p\n"
        "        dialogue: [{who: narrator, text: Later.}]\n"
    )
    assert problems(tmp_path, text) == [
        "story.yaml:9:26: scenes[0].panels[0].dialogue[0].who: unknown character 'narrator'; "
        "narration needs no character: write the line as `{text: ..., kind: narration}` "
        "(or `kind: caption`), with `storyforge: 1.1`"
    ]


def test_a_list_left_open_at_the_end_is_reported_where_it_opened(tmp_path: Path) -> None:
    assert problems(tmp_path, "storyforge: 1.1\ntitle: t\nscenes: [{id: s, panels: [\n") == [
        "story.yaml:3:26: unclosed '['; separate items with ',' and end the list with ']'"
    ]


def test_a_newer_key_in_an_older_file_names_its_version(tmp_path: Path) -> None:
    text = "storyforge: 1\ntitle: t\nscenes:\n  - id: s\n    panels:\n      - {id: p, notes: x}\n"
    assert problems(tmp_path, text) == [
        "story.yaml:6:17: scenes[0].panels[0]: key 'notes' is format 1.1, this file is "
        "format 1; write `storyforge: 1.1` to use it"
    ]


def test_a_shut_down_model_is_never_offered_one_past_its_own_shutdown(tmp_path: Path) -> None:
    text = "storyforge: 1\ntitle: t\nmodel: gemini-2.5-flash-image-preview\n"
    text += "scenes:\n  - id: s\n    panels: [{id: p}]\n"
    assert problems(tmp_path, text) == [
        "story.yaml:3:8: model: model 'gemini-2.5-flash-image-preview' was shut down on "
        "2026-01-15; use 'gemini-nano-banana-2.1'"
    ]
