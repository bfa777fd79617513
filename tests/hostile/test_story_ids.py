"""Ids fit every output name on the filesystem, and never take a name storyforge writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyforge.cli import main

HEAD = "storyforge: 1\ntitle: T\n"
TOO_LONG = "ids may have at most 64 characters, so that every output file name fits"


def _validate(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    (tmp_path / "story.yaml").write_text(HEAD + text)
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(tmp_path / "story.yaml")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    return [line.removeprefix(str(tmp_path / "story.yaml")) for line in err.splitlines()]


def test_a_300_character_panel_id_is_refused_in_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_id = "a" * 300
    errors = _validate(
        tmp_path, f"scenes:\n  - id: s\n    panels:\n      - id: {long_id}\n", capsys
    )
    assert errors == [f":6:13: scenes[0].panels[0].id: id is 300 characters; {TOO_LONG}"]


def test_long_character_scene_location_and_style_ids_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c, s, loc, st = "c" * 65, "s" * 70, "l" * 80, "t" * 90
    story = (
        f"characters:\n  {c}: {{name: C, sheet: true}}\nlocations:\n  {loc}: {{}}\n"
        f"styles:\n  {st}: {{}}\nscenes:\n  - id: {s}\n    panels:\n      - id: p\n"
    )
    errors = _validate(tmp_path, story, capsys)
    assert errors == [
        f":4:3: characters.{c}: id is 65 characters; {TOO_LONG}",
        f":6:3: locations.{loc}: id is 80 characters; {TOO_LONG}",
        f":8:3: styles.{st}: id is 90 characters; {TOO_LONG}",
        f":10:9: scenes[0].id: id is 70 characters; {TOO_LONG}",
    ]


def test_a_64_character_id_builds_its_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    panel = "p" * 64
    (tmp_path / "story.yaml").write_text(
        HEAD + f"scenes:\n  - id: s\n    panels:\n      - id: {panel}\n"
    )
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(tmp_path / "story.yaml")])
    assert exit_.value.code == 0
    # The longest name storyforge writes for it must fit every common filesystem (255 bytes).
    assert len(f"{panel}.sheet-16.png") < 255
    capsys.readouterr()


@pytest.mark.parametrize(
    "name",
    [
        "manifest", "contact_sheet", "contact_sheet-2", "contact_sheet-10", "takes", "index",
        "pages", "storyboard", "book", "animatic",
    ],
)  # fmt: skip
def test_reserved_output_names_are_refused_as_panel_ids(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    errors = _validate(tmp_path, f"scenes:\n  - id: s\n    panels:\n      - id: {name}\n", capsys)
    assert errors == [
        f":6:13: scenes[0].panels[0].id: '{name}' is a name storyforge gives its own output "
        "files; choose another id"
    ]


def test_names_that_only_look_reserved_are_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    panels = "".join(
        f"      - id: {n}\n" for n in ("contact_sheet-x", "manifests", "contact_sheet2", "book-1")
    )
    (tmp_path / "story.yaml").write_text(HEAD + "scenes:\n  - id: s\n    panels:\n" + panels)
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(tmp_path / "story.yaml")])
    assert exit_.value.code == 0
    capsys.readouterr()
