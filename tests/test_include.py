"""`include:`: libraries of characters, locations and styles, merged as if written in the story."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyforge.compile.compiler import compile_plan, load_checked
from storyforge.compile.keys import canonical_request
from storyforge.compile.plan import Plan
from storyforge.errors import StoryError
from storyforge.story.loader import load_story
from tests.compiler_support import png, write_story

CAST = """\
characters:
  ada:
    name: Ada
    description: an engineer in a {{ vars.colour }} coat
    references: [refs/ada.png]
    sheet: true
"""
PLACES = """\
locations:
  dock: {description: a foggy dock}
styles:
  ink: {prompt: bold ink linework}
"""
STORY = """\
storyforge: 1.1
title: Included
vars: {colour: red}
style: ink
include: [lib/cast.yaml, lib/places.yaml]
scenes:
  - id: s
    location: dock
    panels:
      - {id: p1, characters: [ada], prompt: "{{ ada.name }} waits"}
"""
INLINE = """\
storyforge: 1.1
title: Included
vars: {colour: red}
style: ink
characters:
  ada:
    name: Ada
    description: an engineer in a {{ vars.colour }} coat
    references: [refs/ada.png]
    sheet: true
locations:
  dock: {description: a foggy dock}
styles:
  ink: {prompt: bold ink linework}
scenes:
  - id: s
    location: dock
    panels:
      - {id: p1, characters: [ada], prompt: "{{ ada.name }} waits"}
"""
FILES: dict[str, bytes | str] = {
    "lib/cast.yaml": CAST,
    "lib/places.yaml": PLACES,
    "refs/ada.png": png(),
}


def errors(root: Path, story: Path) -> list[str]:
    with pytest.raises(StoryError) as caught:
        compile_plan(load_checked(story))
    return [d.format().replace(f"{root}/", "") for d in caught.value.diagnostics]


def requests(plan: Plan) -> list[dict[str, object]]:
    return [
        canonical_request("sketch", step, [i.sha256 or i.ref for i in step.inputs])
        for step in plan.steps
    ]


def test_included_libraries_build_the_same_requests_as_inline_ones(tmp_path: Path) -> None:
    included = compile_plan(load_story(write_story(tmp_path / "a", STORY, FILES)))
    inline = compile_plan(load_story(write_story(tmp_path / "b", INLINE, FILES)))
    assert [s.id for s in included.steps] == ["ada.sheet", "p1"]
    assert requests(included) == requests(inline)
    assert "an engineer in a red coat" in included.step("p1").prompt


def test_a_changed_library_changes_the_request(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY, FILES)
    before = requests(compile_plan(load_story(story)))
    (tmp_path / "lib/cast.yaml").write_text(CAST.replace("engineer", "pilot"), "utf-8")
    after = requests(compile_plan(load_story(story)))
    assert before != after


def test_the_libraries_read_are_listed(tmp_path: Path) -> None:
    loaded = load_story(write_story(tmp_path, STORY, FILES))
    assert loaded.includes == (
        (tmp_path / "lib/cast.yaml").resolve(),
        (tmp_path / "lib/places.yaml").resolve(),
    )


def test_a_problem_in_a_library_is_located_in_it(tmp_path: Path) -> None:
    files = {**FILES, "lib/cast.yaml": CAST.replace("    sheet: true\n", "    sheet: yes please\n")}
    story = write_story(tmp_path, STORY, files)
    assert errors(tmp_path, story) == [
        "lib/cast.yaml:6:12: characters.ada.sheet: expected true or false, got 'yes please'"
    ]


def test_a_missing_reference_of_a_library_is_located_in_it(tmp_path: Path) -> None:
    files = {k: v for k, v in FILES.items() if k != "refs/ada.png"}
    story = write_story(tmp_path, STORY, files)
    assert errors(tmp_path, story) == [
        "lib/cast.yaml:5:18: characters.ada.references[0]: no such file 'refs/ada.png'"
    ]


def test_reference_paths_in_a_library_are_relative_to_the_story_folder(tmp_path: Path) -> None:
    plan = compile_plan(load_story(write_story(tmp_path, STORY, FILES)))
    assert [i.ref for i in plan.step("ada.sheet").inputs] == ["refs/ada.png"]


def test_an_id_defined_in_the_story_and_a_library_is_an_error_in_the_library(
    tmp_path: Path,
) -> None:
    text = STORY.replace("style: ink\n", "style: ink\ncharacters:\n  ada: {name: Ada}\n", 1)
    story = write_story(tmp_path, text, FILES)
    assert errors(tmp_path, story) == [
        "lib/cast.yaml:2:3: characters.ada: id 'ada' is also defined at story.yaml:6:3; rename one"
    ]


def test_an_id_defined_in_two_libraries_is_an_error_in_the_second(tmp_path: Path) -> None:
    files = {**FILES, "lib/more.yaml": "styles:\n  ink: {prompt: pencil}\n"}
    text = STORY.replace("lib/places.yaml]", "lib/places.yaml, lib/more.yaml]")
    story = write_story(tmp_path, text, files)
    assert errors(tmp_path, story) == [
        "lib/more.yaml:2:3: styles.ink: id 'ink' is also defined at lib/places.yaml:4:3; rename one"
    ]


def test_a_library_holds_only_libraries(tmp_path: Path) -> None:
    files = {**FILES, "lib/places.yaml": PLACES + "title: Not here\nscenez: []\n"}
    story = write_story(tmp_path, STORY, files)
    assert errors(tmp_path, story) == [
        "lib/places.yaml:5:1: an included file holds only characters, locations, styles and "
        "include, not 'title'; keep it in the story",
        "lib/places.yaml:6:1: an included file holds only characters, locations, styles and "
        "include, not 'scenez'; keep it in the story",
    ]


def test_a_misspelt_section_is_offered_the_right_one(tmp_path: Path) -> None:
    files = {**FILES, "lib/places.yaml": PLACES.replace("locations:", "locatoins:")}
    story = write_story(tmp_path, STORY, files)
    assert errors(tmp_path, story)[0] == (
        "lib/places.yaml:1:1: an included file holds only characters, locations, styles and "
        "include, not 'locatoins' (did you mean 'locations'?)"
    )


def test_a_library_may_include_its_neighbours_relative_to_itself(tmp_path: Path) -> None:
    files = {
        **FILES,
        "lib/cast.yaml": "include: [extra/more.yaml]\n" + CAST,
        "lib/extra/more.yaml": "characters:\n  bo: {name: Bo}\n",
    }
    loaded = load_story(write_story(tmp_path, STORY, files))
    assert list(loaded.story.characters) == ["ada", "bo"]


def test_a_library_included_twice_is_read_once(tmp_path: Path) -> None:
    shared = "include: [shared.yaml]\n"
    files = {
        **FILES,
        "lib/cast.yaml": shared + CAST,
        "lib/places.yaml": shared + PLACES,
        "lib/shared.yaml": "characters:\n  bo: {name: Bo}\n",
    }
    loaded = load_story(write_story(tmp_path, STORY, files))
    assert list(loaded.story.characters) == ["ada", "bo"]
    assert len(loaded.includes) == 3


def test_a_library_in_the_git_repository_above_the_story_may_be_included(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    text = STORY.replace("[lib/cast.yaml, lib/places.yaml]", "[../../shared/cast.yaml]")
    text = text.replace("style: ink\n", "").replace("    location: dock\n", "")
    files = {"../../shared/cast.yaml": CAST.replace("    references: [refs/ada.png]\n", "")}
    story = write_story(tmp_path / "stories/one", text, files)
    loaded = load_story(story)
    assert list(loaded.story.characters) == ["ada"]


def test_an_error_in_a_library_outside_the_story_folder_names_it_from_the_story(
    tmp_path: Path,
) -> None:
    (tmp_path / ".git").mkdir()
    text = STORY.replace("[lib/cast.yaml, lib/places.yaml]", "[../shared/cast.yaml]")
    text = text.replace("style: ink\n", "").replace("    location: dock\n", "")
    files = {"../shared/cast.yaml": "characters:\n  ada: {nam: Ada}\n"}
    story = write_story(tmp_path / "one", text, files)
    assert errors(tmp_path, story) == [
        "shared/cast.yaml:2:8: characters.ada: missing required field 'name'",
        "shared/cast.yaml:2:9: characters.ada: unknown key 'nam' (did you mean 'name'?)",
    ]


def test_include_is_a_format_11_key(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY.replace("storyforge: 1.1", "storyforge: 1"), FILES)
    assert errors(tmp_path, story) == [
        "story.yaml:5:1: key 'include' is format 1.1, this file is format 1; "
        "write `storyforge: 1.1` to use it"
    ]
