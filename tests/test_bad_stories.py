"""Each bad story gives exit code 2 and exactly these one-line diagnostics on stderr."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from storyforge.cli import main
from storyforge.story import loader, modelchecks

HEAD = "storyforge: 1\ntitle: T\n"
# Lines 3-6: one scene `s` with one panel `p`.
SCENE = "scenes:\n  - id: s\n    panels:\n      - id: p\n"
CAST = "characters:\n  mara: {name: Mara}\n  theo: {name: Theo, sheet: true}\n"
PLACES = "locations:\n  lighthouse: {}\nstyles:\n  ink: {}\n"
RATIOS_25 = "1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9"
ID_RULE = "ids are lowercase letters, digits, '-' and '_', starting with a letter or digit"

CASES: dict[str, tuple[str, list[str]]] = {
    "yaml syntax: stray colon": (
        "storyforge: 1\ntitle: a: b\n",
        ["story.yaml:2:9: a ':' is not allowed here; check the indentation, "
         "or quote text that contains ': '"],
    ),
    "yaml syntax: unclosed list": (
        HEAD + "vars: {a: [1, 2}\n" + SCENE,
        ["story.yaml:3:11: unclosed '['; separate items with ',' and end the list with ']'"],
    ),
    "yaml syntax: unclosed quote": (
        HEAD + SCENE + '        prompt: "the stairs\n',
        ["story.yaml:7:17: unclosed quote; end the text with the same quote it starts with"],
    ),
    "yaml syntax: bad indentation": (
        HEAD + SCENE + "        prompt: x\n       shot: wide\n",
        ["story.yaml:8:8: unexpected text here; check the indentation, or quote the whole value"],
    ),
    "yaml syntax: two documents": (
        HEAD + SCENE + "---\ntitle: U\n",
        ["story.yaml:7:1: a story is one YAML document; remove the second '---'"],
    ),
    "tab indentation": (
        HEAD + "scenes:\n\t- id: s\n",
        ["story.yaml:4:1: tab character used for indentation; use spaces"],
    ),
    "tab after spaces": (
        HEAD + CAST + "    \tsheet: true\n" + SCENE,
        ["story.yaml:6:5: tab character used for indentation; use spaces"],
    ),
    "duplicate top-level key": (
        HEAD + "title: U\n" + SCENE,
        ["story.yaml:3:1: duplicate key 'title' (first at line 2)"],
    ),
    "duplicate nested key": (
        HEAD + "characters:\n  mara:\n    name: Mara\n    name: Mary\n" + SCENE,
        ["story.yaml:6:5: characters.mara: duplicate key 'name' (first at line 5)"],
    ),
    "unknown top-level key": (
        HEAD + 'aspect-ratio: "1:1"\n' + SCENE,
        ["story.yaml:3:1: unknown key 'aspect-ratio' (did you mean 'aspect_ratio'?)"],
    ),
    "unknown key in a panel": (
        HEAD + SCENE + "        promt: the stairs\n",
        ["story.yaml:7:9: scenes[0].panels[0]: unknown key 'promt' (did you mean 'prompt'?)"],
    ),
    "wrong type: string for a list": (
        HEAD + CAST + SCENE + "        characters: mara\n",
        ["story.yaml:10:21: scenes[0].panels[0].characters: "
         "expected a list of strings, got a string"],
    ),
    "wrong type: unquoted ratio reads as a number": (
        HEAD + "aspect_ratio: 16:9\n" + SCENE,
        ['story.yaml:3:15: aspect_ratio: expected a string, got a number; quote it: "16:9"'],
    ),
    "wrong type: vars is not a mapping": (
        HEAD + "vars: [palette, teal]\n" + SCENE,
        ["story.yaml:3:7: vars: expected a mapping, got a list"],
    ),
    "wrong type: scenes is a mapping": (
        HEAD + "scenes:\n  s: {}\n",
        ["story.yaml:4:3: scenes: expected a list of mappings, got a mapping"],
    ),
    "missing title": (
        "storyforge: 1\n" + SCENE,
        ["story.yaml:1:1: missing required field 'title'"],
    ),
    "missing panel id": (
        HEAD + "scenes:\n  - id: s\n    panels:\n      - prompt: stairs\n",
        ["story.yaml:6:9: scenes[0].panels[0]: missing required field 'id'"],
    ),
    "missing version": (
        "title: T\n" + SCENE,
        ["story.yaml:1:1: missing format version; add `storyforge: 1.1` as the first line"],
    ),
    "future version": (
        "storyforge: 2\ntitle: T\nframes: []\n",
        ["story.yaml:1:13: storyforge: format version 2 is newer than this storyforge "
         "supports (1.1); upgrade storyforge"],
    ),
    "empty file": (
        "# nothing yet\n",
        ["story.yaml: the story is empty; start it with `storyforge: 1`, a title and scenes"],
    ),
    "top level is a list": (
        "- storyforge: 1\n- title: T\n",
        ["story.yaml:1:1: a story is a mapping of keys such as `storyforge: 1` and `title:`"],
    ),
    "no scenes": (
        HEAD + "scenes: []\n",
        ["story.yaml:3:9: scenes: scenes must not be empty"],
    ),
    "duplicate panel id": (
        HEAD + SCENE + "      - id: p\n",
        ["story.yaml:7:13: scenes[0].panels[1].id: duplicate id 'p' (first used at line 6)"],
    ),
    "scene and panel share an id": (
        HEAD + SCENE + "  - id: p\n    panels: [{id: q}]\n",
        ["story.yaml:7:9: scenes[1].id: duplicate id 'p' (first used at line 6)"],
    ),
    "id with uppercase letters": (
        HEAD + "scenes:\n  - id: s\n    panels:\n      - id: Stairs\n",
        [f"story.yaml:6:13: scenes[0].panels[0].id: invalid id 'Stairs' "
         f"(did you mean 'stairs'?): {ID_RULE}"],
    ),
    "id with a space": (
        HEAD + "characters:\n  old mara: {name: Mara}\n" + SCENE,
        [f"story.yaml:4:3: characters: invalid id 'old mara' "
         f"(did you mean 'old-mara'?): {ID_RULE}"],
    ),
    "unknown character in a panel": (
        HEAD + CAST + SCENE + "        characters: [mara, teo]\n",
        ["story.yaml:10:28: scenes[0].panels[0].characters[1]: unknown character 'teo' "
         "(did you mean 'theo'?)"],
    ),
    "unknown location in a scene": (
        HEAD + PLACES + "scenes:\n  - id: s\n    location: lighthose\n    panels: [{id: p}]\n",
        ["story.yaml:9:15: scenes[0].location: unknown location 'lighthose' "
         "(did you mean 'lighthouse'?)"],
    ),
    "unknown location in a panel": (
        HEAD + PLACES + SCENE + "        location: beach\n",
        ["story.yaml:11:19: scenes[0].panels[0].location: unknown location 'beach'"],
    ),
    "unknown style for the story": (
        HEAD + "style: inky\n" + PLACES + SCENE,
        ["story.yaml:3:8: style: unknown style 'inky' (did you mean 'ink'?)"],
    ),
    "unknown style in a scene": (
        HEAD + PLACES + "scenes:\n  - id: s\n    style: pencil\n    panels: [{id: p}]\n",
        ["story.yaml:9:12: scenes[0].style: unknown style 'pencil'"],
    ),
    "unknown style in a panel": (
        HEAD + PLACES + SCENE + "        style: inc\n",
        ["story.yaml:11:16: scenes[0].panels[0].style: unknown style 'inc' (did you mean 'ink'?)"],
    ),
    "style id with an uppercase letter": (
        HEAD + PLACES + SCENE + "        style: Ink\n",
        [f"story.yaml:11:16: scenes[0].panels[0].style: invalid id 'Ink' "
         f"(did you mean 'ink'?): {ID_RULE}"],
    ),
    "unknown dialogue speaker": (
        HEAD + CAST + SCENE + "        dialogue: [{who: marra, text: Hello}]\n",
        ["story.yaml:10:26: scenes[0].panels[0].dialogue[0].who: unknown character 'marra' "
         "(did you mean 'mara'?)"],
    ),
    "edit of an unknown step": (
        HEAD + SCENE + "      - id: lamp-day\n      - id: night\n        edit: lamp-dya\n",
        ["story.yaml:9:15: scenes[0].panels[2].edit: unknown step 'lamp-dya' "
         "(did you mean 'lamp-day'?)"],
    ),
    "edit of a file": (
        HEAD + SCENE + "        edit: refs/photo.png\n",
        ["story.yaml:7:15: scenes[0].panels[0].edit: edit takes a panel id or "
         "<character>.sheet, not a file"],
    ),
    "panel edits itself": (
        HEAD + SCENE + "        edit: p\n",
        ["story.yaml:7:15: scenes[0].panels[0].edit: panel 'p' cannot edit itself"],
    ),
    "fuse of an unknown step, with a missing file reported beside it": (
        HEAD + SCENE + "      - id: poster\n        fuse: [p, stairs, refs/logo.png]\n",
        ["story.yaml:8:19: scenes[0].panels[1].fuse[1]: unknown step 'stairs'",
         "story.yaml:8:27: scenes[0].panels[1].fuse[2]: no such file 'refs/logo.png'"],
    ),
    "panel fuses itself": (
        HEAD + SCENE + "        fuse: [p]\n",
        ["story.yaml:7:16: scenes[0].panels[0].fuse[0]: panel 'p' cannot fuse itself"],
    ),
    "reference to the sheet of a character without one": (
        HEAD + CAST + SCENE + "        references: [theo.sheet, mara.sheet]\n",
        ["story.yaml:10:34: scenes[0].panels[0].references[1]: character 'mara' has no sheet; "
         "set sheet: true"],
    ),
    "reference to the sheet of an unknown character": (
        HEAD + CAST + SCENE + "        references: [thea.sheet]\n",
        ["story.yaml:10:22: scenes[0].panels[0].references[0]: unknown step 'thea.sheet' "
         "(did you mean 'theo.sheet'?)"],
    ),
    "story aspect ratio the model lacks": (
        HEAD + 'model: gemini-2.5-flash-image\naspect_ratio: "1:4"\n' + SCENE,
        [f"story.yaml:4:15: aspect_ratio: aspect ratio '1:4' is not supported by "
         f"gemini-2.5-flash-image; use one of {RATIOS_25}"],
    ),
    "panel aspect ratio the model lacks": (
        HEAD + "model: gemini-2.5-flash-image\n" + SCENE + '        aspect_ratio: "1:4"\n',
        [f"story.yaml:8:23: scenes[0].panels[0].aspect_ratio: aspect ratio '1:4' is not "
         f"supported by gemini-2.5-flash-image; use one of {RATIOS_25}"],
    ),
    "image size for a model without sizes": (
        HEAD + "model: gemini-2.5-flash-image\nimage_size: 2K\n" + SCENE,
        ["story.yaml:4:13: image_size: gemini-2.5-flash-image takes no image_size; remove it"],
    ),
    "image size the model lacks": (
        HEAD + SCENE + "        model: gemini-3-pro-image\n        image_size: 8K\n",
        ["story.yaml:8:21: scenes[0].panels[0].image_size: image size '8K' is not supported "
         "by gemini-3-pro-image; use one of 1K, 2K, 4K"],
    ),
    "takes 0": (
        HEAD + SCENE + "        takes: 0\n",
        ["story.yaml:7:16: scenes[0].panels[0].takes: takes must be at least 1, got 0"],
    ),
    "takes not a number": (
        HEAD + SCENE + "        takes: three\n",
        ["story.yaml:7:16: scenes[0].panels[0].takes: expected an integer, got 'three'"],
    ),
    "continuity typo": (
        HEAD + "scenes:\n  - id: s\n    continuity: chian\n    panels: [{id: p}]\n",
        ["story.yaml:5:17: scenes[0].continuity: continuity must be chain or none, not 'chian' "
         "(did you mean 'chain'?)"],
    ),
    "python tag is refused": (
        HEAD + 'vars:\n  x: !!python/object/apply:os.system ["touch pwned"]\n' + SCENE,
        ["story.yaml:4:6: vars.x: tag '!!python/object/apply:os.system' is not allowed; "
         "a story is plain YAML without tags"],
    ),
    "recursive alias": (
        HEAD + "vars: &v {self: *v}\n" + SCENE,
        ["story.yaml:3:11: vars.self: an alias refers to a value that contains it"],
    ),
    "retired model": (
        HEAD + SCENE + "        model: gemini-2.5-flash-image-preview\n",
        ["story.yaml:7:16: scenes[0].panels[0].model: model 'gemini-2.5-flash-image-preview' "
         "was shut down on 2026-01-15; use 'gemini-2.5-flash-image'"],
    ),
    "several errors, sorted by line": (
        HEAD + CAST + "scenes:\n  - id: s\n    style: ink\n    panels:\n      - id: p\n"
        "        characters: [mora]\n",
        [
            "story.yaml:8:12: scenes[0].style: unknown style 'ink'",
            "story.yaml:11:22: scenes[0].panels[0].characters[0]: unknown character 'mora' "
            "(did you mean 'mara'?)",
        ],
    ),
    "several model and type errors together": (
        HEAD + "titel: U\n" + SCENE + "        takes: 0\n        temperature: hot\n",
        [
            "story.yaml:3:1: unknown key 'titel' (did you mean 'title'?)",
            "story.yaml:8:16: scenes[0].panels[0].takes: takes must be at least 1, got 0",
            "story.yaml:9:22: scenes[0].panels[0].temperature: expected a number, got 'hot'",
        ],
    ),
}  # fmt: skip


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shutdown warnings depend on the date; pin it well before any scheduled shutdown."""
    monkeypatch.setattr(modelchecks, "today", lambda: dt.date(2026, 5, 1))


@pytest.fixture(params=["libyaml", "pure"])
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run each story through both YAML parsers: the messages must not depend on which."""
    if request.param == "pure":
        monkeypatch.setattr(loader, "_LOADER", yaml.SafeLoader)
    elif not yaml.__with_libyaml__:
        pytest.fail("PyYAML was built without libyaml")
    return str(request.param)


def validate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], text: str
) -> tuple[object, list[str], str]:
    (tmp_path / "story.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["validate", "story.yaml"])
    out, err = capsys.readouterr()
    return exited.value.code, err.splitlines(), out


@pytest.mark.parametrize("name", CASES)
def test_bad_story(
    name: str,
    yaml_parser: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text, expected = CASES[name]
    code, lines, out = validate(tmp_path, monkeypatch, capsys, text)
    assert (code, lines, out) == (2, expected, "")


def test_python_tag_runs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HEAD + 'title2: !!python/object/apply:os.system ["touch pwned"]\n' + SCENE
    code, lines, _ = validate(tmp_path, monkeypatch, capsys, text)
    assert code == 2
    assert "tag '!!python/object/apply:os.system' is not allowed" in lines[0]
    assert not (tmp_path / "pwned").exists()


def test_file_that_is_not_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "story.yaml").write_bytes(b"storyforge: 1\ntitle: caf\xe9\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["validate", "story.yaml"])
    lines = capsys.readouterr().err.splitlines()
    assert exited.value.code == 2
    assert lines == ["story.yaml:2:11: byte 0xe9 is not UTF-8 text; save the file as UTF-8"]


def test_missing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["validate", "nowhere.yaml"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err == "nowhere.yaml: cannot read the story: No such file or directory\n"


def test_unknown_model_warning_comes_with_the_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HEAD + "model: gemini-9-image\n" + SCENE + "        style: ink\n"
    code, lines, _ = validate(tmp_path, monkeypatch, capsys, text)
    assert code == 2
    assert lines == [
        "story.yaml:3:8: warning: model: unknown model 'gemini-9-image': storyforge assumes "
        "at most 3 input images and the highest price",
        "story.yaml:8:16: scenes[0].panels[0].style: unknown style 'ink'",
    ]
