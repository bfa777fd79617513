"""Prompts: the built-in templates (pinned), story overrides, the sandbox and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyforge.compile.keys import request_key
from storyforge.compile.phrases import clause, sentence, tidy
from storyforge.compile.plan import Plan
from storyforge.compile.prompts import PromptRenderer
from storyforge.compile.substitute import substitute
from tests.compiler_support import assert_snapshot, compile_errors, compile_text, png

STORY = """\
storyforge: 1
title: The Lighthouse Keeper
style: ink
vars: {palette: teal and amber}
styles:
  ink:
    prompt: "bold ink linework, {{ vars.palette }} washes."
characters:
  mara:
    name: Mara
    description: a sixty-year-old keeper with a grey braid and a yellow raincoat.
    references: [refs/mara.png]
    sheet: true
  tomas:
    name: Tomas
    description: "a boy in a {{ vars.palette.split()[0] }} sweater"
locations:
  lighthouse:
    name: the lighthouse
    description: a red-and-white lighthouse on a basalt cliff
scenes:
  - id: arrival
    location: lighthouse
    panels:
      - id: stairs
        characters: [mara, tomas]
        shot: wide
        prompt: "{{ mara.name }} climbs the spiral stairs at dusk, {{ tomas.name }} behind her"
        caption: Mara arrives.
        dialogue: [{who: mara, text: "Another storm."}]
      - id: lamp
        characters: [mara]
        shot: close-up shot
        prompt: "{{ mara.name }} lights the great lamp!"
  - id: morning
    panels:
      - id: lamp-day
        edit: lamp
        prompt: "the same frame in cold morning light."
      - id: poster
        fuse: [stairs, lamp]
        prompt: "a film poster combining these"
        aspect_ratio: "2:3"
"""
FILES: dict[str, bytes | str] = {"refs/mara.png": png()}


def plan_of(tmp_path: Path, text: str = STORY, files: dict[str, bytes | str] = FILES) -> Plan:
    return compile_text(tmp_path, text, files)


@pytest.mark.parametrize(
    ("step_id", "snapshot"),
    [
        ("mara.sheet", "prompt-sheet.txt"),
        ("stairs", "prompt-panel.txt"),
        ("lamp-day", "prompt-edit.txt"),
        ("poster", "prompt-fuse.txt"),
    ],
)
def test_rendered_prompt_of_each_kind_is_pinned(
    tmp_path: Path, step_id: str, snapshot: str
) -> None:
    assert_snapshot(snapshot, plan_of(tmp_path).step(step_id).prompt + "\n")


def test_prompts_are_sentences_without_empty_fragments(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    lamp = plan.step("lamp").prompt
    assert lamp.startswith("Mara lights the great lamp! Close-up shot. Setting: a red")
    assert "shot shot" not in lamp
    assert ".." not in lamp and " ." not in lamp
    bare = compile_text(
        tmp_path / "bare",
        """\
        storyforge: 1
        title: Bare
        scenes:
          - id: s
            panels:
              - {id: a, prompt: "  a gull over the sea  "}
        """,
    )
    assert bare.step("a").prompt == "A gull over the sea."


def test_dialogue_never_reaches_the_prompt(tmp_path: Path) -> None:
    assert "Another storm" not in plan_of(tmp_path).step("stairs").prompt
    errors = compile_errors(
        tmp_path / "sneaky",
        STORY.replace('prompt: "{{ mara.name }} lights', 'prompt: "{{ panel.dialogue }} lights'),
        FILES,
    )
    assert len(errors) == 1
    assert errors[0].endswith(
        "'dialogue' is undefined in the prompt template; that value has caption, characters, "
        "id, kind, location, shot, style"
    )


def test_an_undefined_name_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    text = STORY.replace("{{ mara.name }} lights", "{{ marra.name }} lights")
    assert compile_errors(tmp_path, text, FILES) == [
        "story.yaml:34:17: scenes[0].panels[1].prompt: 'marra' is undefined in the prompt "
        "template; known names: characters, location, mara, panel, scene, story, style, tomas, "
        "vars (did you mean 'mara'?)"
    ]


def test_a_sandbox_escape_is_refused_at_its_line(tmp_path: Path) -> None:
    text = STORY.replace('"a boy in a {{', "\"{{ ''.__class__.__mro__ }} a boy in a {{")
    errors = compile_errors(tmp_path, text, FILES)
    assert errors == [
        "story.yaml:16:18: characters.tomas.description: unsafe attribute access in template "
        "refused (access to attribute '__class__' of 'str' object is unsafe.)"
    ]


def test_templates_cannot_change_shared_data(tmp_path: Path) -> None:
    text = STORY.replace("{{ vars.palette }} washes", "{{ vars.update(palette='red') }} washes")
    errors = compile_errors(tmp_path, text, FILES)
    assert errors == [
        "story.yaml:7:13: styles.ink.prompt: unsafe attribute access in template refused "
        "(access to attribute 'update' of 'dict' object is unsafe.)"
    ]


def test_a_syntax_error_is_located_with_its_template_line(tmp_path: Path) -> None:
    text = STORY.replace(
        'prompt: "a film poster combining these"',
        'prompt: "a film poster\\n{% if %}"',
    )
    assert compile_errors(tmp_path, text, FILES) == [
        "story.yaml:42:17: scenes[1].panels[1].prompt: template syntax error: Expected an "
        "expression, got 'end of statement block' (template line 2)"
    ]


OVERRIDE = """\
storyforge: 1
title: Override
templates:
  panel: templates/panel.j2
characters:
  mara: {name: Mara, description: a keeper}
scenes:
  - id: s
    panels:
      - {id: a, characters: [mara], shot: wide, prompt: "{{ mara.name }} waits"}
"""


def test_override_templates_include_files_relative_to_the_story(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {
        "templates/panel.j2": '{% include "templates/parts/cast.j2" %}\n{{ prompt | sentence }}\n'
        "{{ panel.shot | capfirst }} view.\n",
        "templates/parts/cast.j2": "{% for c in characters %}Starring {{ c.name }}.{% endfor %}",
    }
    plan = compile_text(tmp_path, OVERRIDE, files)
    assert plan.step("a").prompt == "Starring Mara. Mara waits. Wide view."


def test_override_templates_can_extend_the_built_in_ones(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {
        "templates/panel.j2": '{% include "builtin/panel.j2" %}\nSquare framing.',
    }
    prompt = compile_text(tmp_path, OVERRIDE, files).step("a").prompt
    assert prompt == "Mara waits. Wide shot. Characters: Mara, a keeper. Square framing."


def test_a_missing_override_file_is_an_error_at_its_entry(tmp_path: Path) -> None:
    errors = compile_errors(tmp_path, OVERRIDE, {"templates/panels.j2": "x"})
    assert errors == [
        "story.yaml:4:10: templates.panel: no such template file 'templates/panel.j2' "
        "(did you mean 'templates/panels.j2'?)"
    ]


def test_errors_inside_override_files_name_the_file_and_line(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {"templates/panel.j2": "{{ prompt }}\n{{ panel.shoot }}\n"}
    assert compile_errors(tmp_path, OVERRIDE, files) == [
        "story.yaml:4:10: templates.panel: templates/panel.j2, line 2: 'shoot' is undefined in "
        "the prompt template; that value has caption, characters, id, kind, location, shot, "
        "style (did you mean 'shot'?)"
    ]


@pytest.mark.parametrize("target", ["../outside.j2", "/etc/passwd", "templates/link.j2"])
def test_templates_cannot_leave_the_story_folder(tmp_path: Path, target: str) -> None:
    root = tmp_path / "story"
    (root / "templates").mkdir(parents=True)
    (tmp_path / "outside.j2").write_text("secret")
    (root / "templates" / "link.j2").symlink_to(tmp_path / "outside.j2")
    files: dict[str, bytes | str] = {"templates/panel.j2": f'{{% include "{target}" %}}'}
    errors = compile_errors(root, OVERRIDE, files)
    assert errors == [
        f"story.yaml:4:10: templates.panel: templates/panel.j2, line 1: template '{target}' "
        "leaves the story folder; templates must stay inside it"
    ]


def keys(plan: Plan) -> dict[str, str]:
    out: dict[str, str] = {}
    for step in plan.steps:  # in dependency order: a step's inputs are keyed first
        shas = [out[i.ref] if i.source == "step" else i.sha256 for i in step.inputs]
        out[step.id] = request_key("gemini", step, shas)
    return out


def test_a_description_change_rekeys_that_characters_steps_and_their_descendants(
    tmp_path: Path,
) -> None:
    before = plan_of(tmp_path / "a")
    after = plan_of(tmp_path / "b", STORY.replace("a boy in a", "a tall boy in a"))
    changed_prompt = {s.id for s in before.steps if s.prompt != after.step(s.id).prompt}
    assert changed_prompt == {"stairs"}  # the only step with tomas in it
    old, new = keys(before), keys(after)
    assert {sid for sid in old if old[sid] != new[sid]} == after.descendants(changed_prompt)
    assert after.descendants(changed_prompt) == {"stairs", "lamp", "lamp-day", "poster"}


def test_the_sheet_prompt_follows_its_characters_description(tmp_path: Path) -> None:
    before = plan_of(tmp_path / "a")
    after = plan_of(tmp_path / "b", STORY.replace("a grey braid", "a white braid"))
    changed = {s.id for s in before.steps if s.prompt != after.step(s.id).prompt}
    assert changed == {"mara.sheet", "stairs", "lamp"}
    old, new = keys(before), keys(after)
    assert {sid for sid in old if old[sid] != new[sid]} == after.descendants(changed)


def test_a_character_hidden_by_a_built_in_name_is_a_warning(tmp_path: Path) -> None:
    plan = compile_text(
        tmp_path,
        """\
        storyforge: 1
        title: Names
        characters:
          panel: {name: Panel}
        scenes:
          - id: s
            panels:
              - {id: a, prompt: a}
        """,
    )
    assert [w.format().split(": ", 1)[1] for w in plan.warnings] == [
        "warning: characters.panel: templates see 'panel' as the built-in name, not this "
        "character; rename it"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a gull", "A gull."),
        ("a gull.  ", "A gull."),
        ("Wait...", "Wait..."),
        ("really?", "Really?"),
        ("trailing,;", "Trailing."),
        ("", ""),
    ],
)
def test_sentence(text: str, expected: str) -> None:
    assert sentence(text) == expected


def test_clause_and_tidy() -> None:
    assert clause(" a grey\n braid. ") == "a grey braid"
    assert tidy("One.\n\n  Two  .\nThree!.\nFour,.\nFive...") == "One. Two. Three! Four. Five..."


SUBSTITUTION_CONTEXT = {
    "mara": {"name": "Mara", "age": 60, "height": 1.5, "tall": True, "items": "x", "none": None},
    "vars": {"palette": "teal", "nested": {"deep": "value"}},
    "s": "text",
}


@pytest.mark.parametrize(
    "source",
    [
        "{{ mara.name }} climbs",
        "{{mara.name}}{{ mara.name }}",
        "aged {{ mara.age }}, {{ mara.height }} m",
        "{{ mara.tall }}",
        "{{ mara.items }}",
        "{{ mara.none }}",
        "{{ vars.nested.deep }} {{ vars.nested }}",
        "{{ s.upper }}",
        "x }} {{ vars.palette }} }}",
        "{ {{ s }} }",
        "{{ s | upper }}",
        "{{- s }}",
        "{{ s }} {{ 'quoted' }}",
    ],
)
def test_plain_substitutions_render_exactly_as_jinja_does(tmp_path: Path, source: str) -> None:
    renderer = PromptRenderer(tmp_path, {})
    quick = substitute(source, SUBSTITUTION_CONTEXT, 100_000)
    # a comment forces the full Jinja path
    full = renderer.render_field(source + "{# jinja #}", SUBSTITUTION_CONTEXT, ("prompt",))
    assert quick is None or quick == full
    assert renderer.render_field(source, SUBSTITUTION_CONTEXT, ("prompt",)) == full
