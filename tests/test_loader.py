"""load_story on valid stories: the data, where each value sits, and the warnings."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
import yaml

from storyforge.errors import StoryError
from storyforge.story import loader, modelchecks
from storyforge.story.loader import LoadedStory, load_story

EXAMPLE = """\
# yaml-language-server: $schema=../../schemas/story.schema.json
storyforge: 1
title: The Lighthouse Keeper
model: gemini-2.5-flash-image
aspect_ratio: "16:9"
style: ink
vars: {palette: teal and amber}
styles:
  ink:
    prompt: "bold ink linework, {{ vars.palette }} washes"
    references: [refs/ink-sample.png]
characters:
  mara:
    name: Mara
    description: a sixty-year-old keeper with a grey braid and a yellow raincoat
    references: [refs/mara.jpg]
    sheet: true
locations:
  lighthouse:
    description: a red-and-white lighthouse on a basalt cliff
    references: [refs/lighthouse.jpg]
templates:
  panel: templates/panel.j2
scenes:
  - id: arrival
    location: lighthouse
    continuity: chain
    panels:
      - id: stairs
        characters: [mara]
        shot: wide
        prompt: "{{ mara.name }} climbs the spiral stairs at dusk"
        caption: Mara arrives.
        dialogue: [{who: mara, text: "Another storm."}]
      - id: lamp
        characters: [mara]
        prompt: "{{ mara.name }} lights the great lamp"
        takes: 3
  - id: morning
    panels:
      - id: lamp-day
        edit: lamp
        prompt: "the same frame in cold morning light"
      - id: poster
        fuse: [stairs, lamp, refs/logo.png, mara.sheet]
        prompt: "a film poster combining these"
        aspect_ratio: "2:3"
"""
HEAD = "storyforge: 1\ntitle: T\n"
SCENE = "scenes:\n  - id: s\n    panels:\n      - id: p\n"


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(modelchecks, "today", lambda: dt.date(2026, 5, 1))


def load(tmp_path: Path, text: str) -> LoadedStory:
    story = tmp_path / "story.yaml"
    story.write_text(text, encoding="utf-8")
    return load_story(story)


def errors(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(StoryError) as raised:
        load(tmp_path, text)
    return [d.format() for d in raised.value.diagnostics]


def position(text: str, line_with: str, token: str) -> tuple[int, int]:
    """1-based line and column of `token` on the first line containing `line_with`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line_with in line:
            return number, line.index(token) + 1
    raise AssertionError(line_with)


def test_design_example_loads(tmp_path: Path) -> None:
    loaded = load(tmp_path, EXAMPLE)
    story = loaded.story
    assert loaded.path == tmp_path / "story.yaml"
    assert loaded.root == tmp_path.resolve()
    assert loaded.sha256 == hashlib.sha256(EXAMPLE.encode()).hexdigest()
    assert loaded.source.file == str(tmp_path / "story.yaml")
    assert loaded.warnings == ()
    assert story.title == "The Lighthouse Keeper"
    assert story.vars == {"palette": "teal and amber"}
    assert [p.id for s in story.scenes for p in s.panels] == [
        "stairs",
        "lamp",
        "lamp-day",
        "poster",
    ]
    assert story.scenes[0].panels[1].takes == 3
    assert story.scenes[1].panels[1].fuse == ("stairs", "lamp", "refs/logo.png", "mara.sheet")


def test_relative_path_keeps_its_spelling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "story.yaml").write_text(EXAMPLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    loaded = load_story(Path("story.yaml"))
    assert (loaded.path, loaded.source.file, loaded.root) == (
        Path("story.yaml"),
        "story.yaml",
        tmp_path.resolve(),
    )


@pytest.mark.parametrize(
    ("path", "line_with", "token"),
    [
        (("title",), "title:", "The"),
        (("aspect_ratio",), "aspect_ratio:", '"16:9"'),
        (("vars", "palette"), "vars:", "teal"),
        (("characters", "mara"), "name: Mara", "name"),
        (("characters", "mara", "sheet"), "sheet:", "true"),
        (("scenes", 0), "id: arrival", "id"),
        (("scenes", 0, "panels", 0, "dialogue", 0, "who"), "dialogue:", "mara"),
        (("scenes", 1, "panels", 0, "edit"), "edit: lamp", "lamp"),
        (("scenes", 1, "panels", 1, "fuse", 2), "fuse:", "refs/logo.png"),
        (("scenes", 1, "panels", 1, "aspect_ratio"), '"2:3"', '"2:3"'),
    ],
)
def test_source_map_points_at_values(
    tmp_path: Path, path: tuple[str | int, ...], line_with: str, token: str
) -> None:
    source = load(tmp_path, EXAMPLE).source
    assert source.values[path] == position(EXAMPLE, line_with, token)


def test_source_map_points_at_keys(tmp_path: Path) -> None:
    source = load(tmp_path, EXAMPLE).source
    assert source.keys[("title",)] == (3, 1)
    assert source.keys[("characters", "mara")] == (13, 3)
    assert source.keys[("scenes", 0, "panels", 1, "takes")] == position(EXAMPLE, "takes:", "t")
    assert source.values[()] == (2, 1)


def test_both_yaml_parsers_give_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = load(tmp_path, EXAMPLE)
    monkeypatch.setattr(loader, "_LOADER", yaml.SafeLoader)
    pure = load(tmp_path, EXAMPLE)
    assert fast == pure
    assert dict(fast.source.values) == dict(pure.source.values)
    assert dict(fast.source.keys) == dict(pure.source.keys)


def test_scalars_keep_their_yaml_types_and_dates_stay_text(tmp_path: Path) -> None:
    text = HEAD + "vars: {n: 3, x: 0.5, flag: yes, none: ~, day: 2026-05-01, hex: 0x10}\n" + SCENE
    assert load(tmp_path, text).story.vars == {
        "n": 3,
        "x": 0.5,
        "flag": True,
        "none": None,
        "day": "2026-05-01",
        "hex": 16,
    }


def test_anchors_and_merge_keys(tmp_path: Path) -> None:
    text = HEAD + (
        "vars:\n"
        "  base: &base {takes: 2, shot: wide}\n"
        "scenes:\n"
        "  - id: s\n"
        "    panels:\n"
        "      - {id: a, <<: *base}\n"
        "      - <<: [*base, {prompt: never}]\n"
        "        id: b\n"
        "        shot: close-up\n"
    )
    loaded = load(tmp_path, text)
    a, b = loaded.story.scenes[0].panels
    assert (a.takes, a.shot, b.takes, b.shot, b.prompt) == (2, "wide", 2, "close-up", "never")
    assert loaded.source.values[("scenes", 0, "panels", 1, "shot")] == (11, 15)


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    story = tmp_path / "story.yaml"
    story.write_bytes(b"\xef\xbb\xbf" + (HEAD + SCENE).encode())
    assert load_story(story).story.title == "T"


def test_unknown_model_is_a_warning(tmp_path: Path) -> None:
    loaded = load(tmp_path, HEAD + SCENE + "        model: gemini-9-image\n")
    assert [w.format() for w in loaded.warnings] == [
        f"{tmp_path / 'story.yaml'}:7:16: warning: scenes[0].panels[0].model: unknown model "
        "'gemini-9-image': storyforge assumes at most 3 input images and the highest price"
    ]
    assert loaded.warnings[0].severity == "warning"


@pytest.mark.parametrize(
    ("today", "when"),
    [
        (dt.date(2026, 9, 20), "shuts down on 2026-10-02 (in 12 days)"),
        (dt.date(2026, 11, 25), "was due to shut down on 2026-10-02"),
    ],
)
def test_model_near_or_past_shutdown_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, today: dt.date, when: str
) -> None:
    monkeypatch.setattr(modelchecks, "today", lambda: today)
    loaded = load(tmp_path, HEAD + "model: gemini-2.5-flash-image\n" + SCENE)
    assert [(w.line, w.column, w.message) for w in loaded.warnings] == [
        (3, 8, f"model 'gemini-2.5-flash-image' {when}; choose another, e.g. "
         "'gemini-nano-banana-2.1'")
    ]  # fmt: skip


def test_panel_model_decides_its_ratios(tmp_path: Path) -> None:
    text = (
        HEAD
        + "model: gemini-2.5-flash-image\n"
        + SCENE
        + ('        model: gemini-3.1-flash-image\n        aspect_ratio: "1:4"\n')
    )
    assert load(tmp_path, text).story.scenes[0].panels[0].aspect_ratio == "1:4"


def test_inherited_ratio_is_reported_where_it_was_written(tmp_path: Path) -> None:
    text = HEAD + (
        "model: gemini-3.1-flash-image\n"
        "scenes:\n"
        "  - id: s\n"
        '    aspect_ratio: "8:1"\n'
        "    panels:\n"
        "      - id: p\n"
        "        model: gemini-3-pro-image\n"
        "      - id: q\n"
    )
    [message] = errors(tmp_path, text)
    assert message.endswith(
        ":6:19: scenes[0].aspect_ratio: aspect ratio '8:1' is not supported by "
        "gemini-3-pro-image; use one of 1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9"
    )


def test_future_version_is_the_only_problem_reported(tmp_path: Path) -> None:
    [message] = errors(tmp_path, "storyforge: 3\ntitlee: x\nscenes: 5\n")
    assert message.endswith(":1:13: storyforge: format version 3 is newer than this storyforge "
                            "supports (1.1); upgrade storyforge")  # fmt: skip


def test_wrong_version_value_is_reported_with_the_rest(tmp_path: Path) -> None:
    messages = errors(tmp_path, 'storyforge: "1"\ntitle: T\nscenes: []\n')
    assert [m.split(": ", 1)[1] for m in messages] == [
        "storyforge: unknown format version '1'; write `storyforge: 1.1`",
        "scenes: scenes must not be empty",
    ]


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = [HEAD.rstrip("\n"), "vars:", "  a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    [message] = errors(tmp_path, "\n".join(lines) + "\n" + SCENE)
    assert message.endswith(": aliases expand the story to more than 2,000,000 values; use fewer")


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    messages = errors(tmp_path, HEAD + "vars: {x: " + "[" * 120 + "]" * 120 + "}\n" + SCENE)
    assert messages[0].endswith(": nested more than 100 levels deep")


def test_other_tags_are_refused(tmp_path: Path) -> None:
    text = HEAD + "vars:\n  s: !!set {a, b}\n  t: !custom x\n  ok: !!str 12\n" + SCENE
    assert [m.split(": ", 1)[1] for m in errors(tmp_path, text)] == [
        "vars.s: tag '!!set' is not allowed; a story is plain YAML without tags",
        "vars.t: tag '!custom' is not allowed; a story is plain YAML without tags",
    ]


def test_control_character(tmp_path: Path) -> None:
    [message] = errors(tmp_path, HEAD + "vars: {x: a\x07b}\n" + SCENE)
    assert message.endswith(":3:12: control character U+0007; remove it")


def test_non_string_keys_where_strings_are_needed(tmp_path: Path) -> None:
    messages = errors(tmp_path, HEAD + "vars: {1: a, 2.5: b, off: c}\n" + SCENE)
    assert [m.split(": ", 1)[1] for m in messages] == [
        'vars: expected a string, got a number; quote it: "1"',
        'vars: expected a string, got a number; quote it: "2.5"',
        'vars: expected a string, got false; quote it: "off"',
    ]
