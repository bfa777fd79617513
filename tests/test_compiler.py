"""compile_plan: steps, settings, the input priority rule, limits, edits, fusions and cycles."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyforge.compile.plan import Plan
from tests.compiler_support import compile_errors, compile_text, png

FILES: dict[str, bytes | str] = {
    "refs/mara.png": png(color=(200, 30, 30)),
    "refs/tom.png": png(color=(30, 30, 200)),
    "refs/cliff.png": png(color=(90, 90, 90)),
    "refs/ink.png": png(color=(10, 10, 10)),
}

RULES = """\
storyforge: 1
title: Rules
model: {model}
style: ink
styles:
  ink: {{prompt: ink washes, references: [refs/ink.png]}}
characters:
  mara: {{name: Mara, description: a keeper, references: [refs/mara.png], sheet: true}}
  tom: {{name: Tom, description: a boy, references: [refs/tom.png], sheet: true}}
locations:
  cliff: {{name: the cliff, description: a basalt cliff, references: [refs/cliff.png]}}
scenes:
  - id: storm
    location: cliff
    panels:
      - id: first
        characters: [mara]
        prompt: one
      - id: second
        characters: [mara, tom]
        prompt: two
"""


def rules(tmp_path: Path, model: str) -> Plan:
    return compile_text(tmp_path, RULES.format(model=model), FILES)


def test_three_slots_take_both_sheets_and_the_previous_panel(tmp_path: Path) -> None:
    step = rules(tmp_path, "gemini-2.5-flash-image").step("second")
    assert [(i.ref, i.role, i.source) for i in step.inputs] == [
        ("mara.sheet", "character sheet of Mara", "step"),
        ("tom.sheet", "character sheet of Tom", "step"),
        ("first", "previous panel", "step"),
    ]
    assert step.dropped == (
        "location reference: the cliff (refs/cliff.png)",
        "style reference: ink (refs/ink.png)",
    )
    assert step.labels[0] == "Image 1: character sheet of Mara"
    assert not any(i.explicit for i in step.inputs)


def test_fourteen_slots_take_everything_in_priority_order(tmp_path: Path) -> None:
    step = rules(tmp_path, "gemini-nano-banana-2.1").step("second")
    assert [i.ref for i in step.inputs] == [
        "mara.sheet", "tom.sheet", "first", "refs/cliff.png", "refs/ink.png",
    ]  # fmt: skip
    assert step.dropped == ()
    cliff = step.inputs[3]
    assert cliff.role == "location reference: the cliff"
    assert cliff.mime_type == "image/png"
    assert len(cliff.sha256) == 64


def test_sheet_takes_its_references_then_the_style(tmp_path: Path) -> None:
    plan = rules(tmp_path, "gemini-nano-banana-2.1")
    sheet = plan.step("mara.sheet")
    assert sheet.kind == "sheet"
    assert sheet.scene is None
    assert [(i.ref, i.role) for i in sheet.inputs] == [
        ("refs/mara.png", "reference photo of Mara"),
        ("refs/ink.png", "style reference: ink"),
    ]
    assert (sheet.line, sheet.column) == (8, 3)  # the `mara:` key
    assert sheet.figures[0].name == "Mara"
    assert sheet.figures[0].color == (200, 30, 30)  # the mean colour of refs/mara.png


def test_plan_fields_order_and_rank(tmp_path: Path) -> None:
    plan = rules(tmp_path, "gemini-nano-banana-2.1")
    assert [s.id for s in plan.steps] == ["mara.sheet", "tom.sheet", "first", "second"]
    assert plan.deps == {
        "mara.sheet": (), "tom.sheet": (), "first": ("mara.sheet",),
        "second": ("mara.sheet", "tom.sheet", "first"),
    }  # fmt: skip
    assert plan.rank == {"mara.sheet": 2, "tom.sheet": 1, "first": 1, "second": 0}
    assert plan.title == "Rules"
    assert plan.root == tmp_path.resolve()
    assert len(plan.story_sha256) == 64
    second = plan.step("second")
    assert (second.line, second.column) == (19, 9)
    assert second.location == "cliff"
    assert second.tint == (189, 189, 189)  # refs/cliff.png lightened
    assert [f.name for f in second.figures] == ["Mara", "Tom"]


def test_effective_settings(tmp_path: Path) -> None:
    plan = compile_text(
        tmp_path,
        """\
        storyforge: 1
        title: Settings
        model: gemini-3.1-flash-image
        aspect_ratio: "16:9"
        image_size: 2K
        seed: 7
        modalities: [image]
        scenes:
          - id: s
            aspect_ratio: "4:3"
            modalities: [text, image]
            panels:
              - {id: a, prompt: a}
              - {id: b, prompt: b, aspect_ratio: "1:1", seed: 3, temperature: 0.5, takes: 2,
                 model: gemini-nano-banana-2.1, image_size: 4K, modalities: [image]}
        """,
    )
    a, b = plan.step("a"), plan.step("b")
    assert (a.model, a.aspect_ratio, a.image_size, a.seed, a.modalities) == (
        "gemini-3.1-flash-image", "4:3", "2K", 7, ("text", "image"),
    )  # fmt: skip
    assert (a.width, a.height) == (2400, 1792)
    assert (b.model, b.aspect_ratio, b.image_size, b.seed, b.temperature, b.takes) == (
        "gemini-nano-banana-2.1", "1:1", "4K", 3, 0.5, 2,
    )  # fmt: skip
    assert b.modalities == ("image",)
    assert (b.width, b.height) == (4096, 4096)


def test_dialogue_caption_and_shot_are_data(tmp_path: Path) -> None:
    plan = compile_text(
        tmp_path,
        """\
        storyforge: 1
        title: Talk
        characters:
          mara: {name: Mara}
        scenes:
          - id: s
            panels:
              - id: a
                characters: [mara]
                shot: close-up
                caption: Night falls.
                prompt: "{{ mara.name }} speaks"
                dialogue: [{who: mara, text: "Another storm."}]
        """,
    )
    step = plan.step("a")
    assert step.dialogue == (("Mara", "Another storm."),)
    assert (step.shot, step.caption) == ("close-up", "Night falls.")
    assert "Another storm" not in step.prompt
    assert step.inputs == ()  # no sheet and no reference files: nothing to send


EDITS = """\
storyforge: 1
title: Edits
model: gemini-2.5-flash-image
characters:
  mara: {name: Mara, references: [refs/mara.png], sheet: true}
locations:
  cliff: {description: a cliff, references: [refs/cliff.png]}
scenes:
  - id: s
    location: cliff
    panels:
      - {id: base, prompt: a lighthouse}
      - {id: night, edit: base, characters: [mara], prompt: make it night}
      - {id: after, prompt: the morning after}
      - {id: poster, fuse: [base, refs/logo.png], prompt: a poster}
"""


def test_edit_and_fuse_take_explicit_inputs_and_their_characters_only(tmp_path: Path) -> None:
    plan = compile_text(tmp_path, EDITS, {**FILES, "refs/logo.png": png()})
    night = plan.step("night")
    assert night.kind == "edit"
    assert [(i.ref, i.role, i.explicit) for i in night.inputs] == [
        ("base", "image to edit: base", True),
        ("mara.sheet", "character sheet of Mara", False),
    ]
    assert night.dropped == ()  # no chain, location or style fill for edits
    poster = plan.step("poster")
    assert poster.kind == "fuse"
    assert [(i.ref, i.role, i.source) for i in poster.inputs] == [
        ("base", "image to combine: base", "step"),
        ("refs/logo.png", "image to combine: logo.png", "file"),
    ]
    # an edit is still the previous panel of the panel after it
    assert [i.ref for i in plan.step("after").inputs] == ["night", "refs/cliff.png"]
    assert plan.deps["night"] == ("base", "mara.sheet")
    assert plan.deps["poster"] == ("base",)
    assert plan.descendants(["base"]) == {"base", "night", "after", "poster"}


def test_explicit_inputs_over_the_limit_are_an_error_at_the_field(tmp_path: Path) -> None:
    files = {f"refs/{n}.png": png() for n in "abcd"}
    errors = compile_errors(
        tmp_path,
        """\
        storyforge: 1
        title: Too many
        model: gemini-2.5-flash-image
        scenes:
          - id: s
            panels:
              - {id: base, prompt: base}
              - id: mix
                fuse: [base, refs/a.png]
                references:
                  - refs/b.png
                  - refs/c.png
                prompt: mix
        """,
        files,
    )
    assert errors == [
        "story.yaml:10:9: scenes[0].panels[1].references: 4 explicit input images but "
        "gemini-2.5-flash-image takes at most 3; list at most 3 or choose a model that takes "
        "more (gemini-nano-banana-2.1 takes 14)"
    ]


def test_repeated_refs_are_sent_once(tmp_path: Path) -> None:
    plan = compile_text(
        tmp_path,
        """\
        storyforge: 1
        title: Once
        characters:
          mara: {name: Mara, references: [refs/mara.png], sheet: true}
        scenes:
          - id: s
            panels:
              - {id: a, prompt: a}
              - {id: b, characters: [mara], references: [mara.sheet, a, a], prompt: b}
        """,
        FILES,
    )
    assert [(i.ref, i.explicit) for i in plan.step("b").inputs] == [
        ("mara.sheet", True),
        ("a", True),
    ]


@pytest.mark.parametrize(
    ("panels", "expected"),
    [
        (
            """\
              - {id: a, prompt: a}
              - {id: b, edit: c, prompt: b}
              - {id: c, prompt: c}
            """,
            "story.yaml:7:27: scenes[0].panels[1].edit: steps need each other: b -> c -> b "
            "(c follows b in a chained scene); remove one of these inputs or set "
            "`continuity: none`",
        ),
        (
            """\
              - {id: a, references: [c], prompt: a}
              - {id: b, prompt: b}
              - {id: c, prompt: c}
            """,
            "story.yaml:6:34: scenes[0].panels[0].references[0]: steps need each other: "
            "a -> c -> b -> a (c follows b in a chained scene; b follows a in a chained scene); "
            "remove one of these inputs or set `continuity: none`",
        ),
    ],
)
def test_cycles_are_reported_in_full_at_their_first_member(
    tmp_path: Path, panels: str, expected: str
) -> None:
    head = "storyforge: 1\ntitle: Loop\nscenes:\n  - id: s\n    panels:\n"
    body = "".join(line[4:] + "\n" for line in panels.splitlines())
    assert compile_errors(tmp_path, head + body) == [expected]


def test_chained_scene_orders_panels_and_ranks_the_chain(tmp_path: Path) -> None:
    plan = compile_text(
        tmp_path,
        """\
        storyforge: 1
        title: Order
        scenes:
          - id: one
            panels:
              - {id: a, prompt: a}
              - {id: b, prompt: b}
          - id: two
            continuity: none
            panels:
              - {id: c, references: [b], prompt: c}
              - {id: d, prompt: d}
          - id: three
            panels:
              - {id: e, edit: d, prompt: e}
        """,
    )
    assert [s.id for s in plan.steps] == ["a", "b", "c", "d", "e"]
    assert plan.rank == {"a": 2, "b": 1, "c": 0, "d": 1, "e": 0}
    assert plan.step("d").inputs == ()  # continuity: none
