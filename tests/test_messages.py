"""Messages that name the fix: each pinned exactly, as a user sees it."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyforge.compile.compiler import compile_plan, load_checked
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


def compiled_problems(tmp_path: Path, text: str) -> list[str]:
    """Every problem `validate` reports, through all the rounds, as the user sees them."""
    story = write_story(tmp_path, text)
    with pytest.raises(StoryError) as caught:
        compile_plan(load_checked(story))
    return [d.format().replace(str(story), "story.yaml") for d in caught.value.diagnostics]


def test_a_missing_var_says_vars_has_no_such_name(tmp_path: Path) -> None:
    text = HEAD + 'scenes:\n  - id: s\n    panels:\n      - {id: p, prompt: "{{ vars.mood }}"}\n'
    assert compiled_problems(tmp_path, text) == [
        "story.yaml:8:25: scenes[0].panels[0].prompt: 'mood' is undefined in the prompt "
        "template: `vars` has no 'mood' (vars is empty); add `mood:` under `vars` in the story"
    ]


def test_a_missing_var_lists_what_vars_has_and_the_closest(tmp_path: Path) -> None:
    text = (
        HEAD
        + "vars: {moods: calm, palette: teal}\n"
        + ('scenes:\n  - id: s\n    panels:\n      - {id: p, prompt: "{{ vars.mood }}"}\n')
    )
    assert compiled_problems(tmp_path, text) == [
        "story.yaml:9:25: scenes[0].panels[0].prompt: 'mood' is undefined in the prompt "
        "template: `vars` has no 'mood'; it has moods, palette (did you mean 'moods'?)"
    ]


def test_a_duplicate_id_does_not_hide_a_cycle(tmp_path: Path) -> None:
    text = HEAD + (
        "scenes:\n  - id: s\n    continuity: none\n    panels:\n"
        "      - {id: a, references: [b]}\n"
        "      - {id: b, references: [a]}\n"
        "      - {id: a}\n"
    )
    assert compiled_problems(tmp_path, text) == [
        "story.yaml:9:30: scenes[0].panels[0].references[0]: steps need each other: "
        "a -> b -> a; remove one of these inputs",
        "story.yaml:11:14: scenes[0].panels[2].id: duplicate id 'a' (first used at line 9)",
    ]


def test_a_prompt_too_long_once_the_built_in_template_adds_to_it_is_shown_at_the_prompt(
    tmp_path: Path,
) -> None:
    prompt = "x" * 99_000
    text = (
        HEAD
        + "styles:\n  ink: {prompt: "
        + "bold ink " * 200
        + "}\n"
        + (
            "scenes:\n  - id: s\n    panels:\n"
            f"      - {{id: p, shot: wide, style: ink, prompt: {prompt}}}\n"
        )
    )
    problems = compiled_problems(tmp_path, text)
    assert problems == [
        "story.yaml:10:49: scenes[0].panels[0].prompt: the rendered prompt is 100,822 "
        "characters, 822 over the limit of 100,000, once the built-in panel template adds "
        "the shot, setting, cast and style; shorten this text"
    ]


def test_a_bare_off_is_told_to_be_quoted(tmp_path: Path) -> None:
    text = HEAD + (
        "scenes:\n  - id: s\n    panels:\n      - id: p\n"
        "        dialogue: [{who: ada, text: Hi, kind: off}]\n"
    )
    assert problems(tmp_path, text) == [
        "story.yaml:9:47: scenes[0].panels[0].dialogue[0].kind: kind must be speech, thought, "
        'whisper, shout, caption, narration or off; a bare off is a boolean in YAML: write "off"'
    ]


TIBETAN = "\u0f56\u0f40\u0fb2\u0f0b\u0f64\u0f72\u0f66"


def test_a_script_no_font_can_draw_is_one_warning_naming_the_panel(tmp_path: Path) -> None:
    from storyforge.compile.compiler import compile_plan

    text = (
        "storyforge: 1.1\ntitle: t\nscenes:\n  - id: s\n    panels:\n      - id: p\n"
        f'        caption: "{TIBETAN} and \u0395\u03bb\u03bb\u03ac\u03b4\u03b1"\n'
        "        dialogue: [{text: \u0f56\u0f40\u0fb2, kind: narration}]\n"
    )
    plan = compile_plan(load_story(write_story(tmp_path, text)))
    assert [
        w.format().replace(str(tmp_path / "story.yaml"), "story.yaml") for w in plan.warnings
    ] == [
        "story.yaml:6:9: warning: scenes[0].panels[0]: panel 'p' has Tibetan text no bundled "
        "font can draw; it will show as boxes on sheets, pages and boards"
    ]
