"""Hostile includes: one located line each and exit 2; nothing outside the project is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storyforge.cli import main
from storyforge.story.includepaths import IncludeProblem, read_library

HEAD = (
    "storyforge: 1.1\ntitle: T\ninclude: [{ref}]\nscenes:\n  - id: s\n    panels:\n      - id: p\n"
)
CAST = "characters:\n  ada: {name: Ada}\n"


def _validate(folder: Path, ref: str, capsys: pytest.CaptureFixture[str]) -> str:
    """`storyforge validate` of a story including `ref`: its one line of output."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "story.yaml").write_text(HEAD.format(ref=ref), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(folder / "story.yaml")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.replace(f"{folder}/", "").rstrip("\n")


def _at_include(message: str) -> str:
    return f"story.yaml:3:11: include[0]: {message}"


def test_a_library_outside_the_story_folder_without_git_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "cast.yaml").write_text(CAST)
    line = _validate(tmp_path / "story", "../cast.yaml", capsys)
    assert line == _at_include(
        "../cast.yaml leaves the project root (story); includes must stay inside the git "
        "repository, or the story folder outside one"
    )


def test_climbing_out_of_the_repository_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "cast.yaml").write_text(CAST)
    line = _validate(tmp_path / "repo" / "story", "lib/../../../cast.yaml", capsys)
    assert line == _at_include(
        "lib/../../../cast.yaml leaves the project root (repo); includes must stay inside the "
        "git repository, or the story folder outside one"
    )


def test_an_absolute_path_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref = "/etc/passwd.yaml"
    line = _validate(tmp_path, ref, capsys)
    assert line == _at_include(f"{ref} is absolute; name the file relative to this one")


@pytest.mark.parametrize(
    "ref", [".cast.yaml", ".git/cast.yaml", "lib/.hidden/cast.yaml", "lib/../.cast.yaml"]
)
def test_dotfiles_and_dot_folders_are_refused(
    tmp_path: Path, ref: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ref).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "lib").mkdir(exist_ok=True)
    (tmp_path / ref).write_text(CAST)
    line = _validate(tmp_path, ref, capsys)
    assert line == _at_include(f"{ref} is hidden; includes may not be dotfiles or in dot-folders")


def test_a_file_that_is_not_yaml_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text(CAST)
    line = _validate(tmp_path, "notes.txt", capsys)
    assert line == _at_include("notes.txt is not a .yaml or .yml file; include YAML libraries only")


def test_a_nul_byte_in_the_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _validate(tmp_path, '"a\\0b.yaml"', capsys)
    assert line == _at_include("a\\x00b.yaml contains a NUL byte; remove it from the path")


@pytest.mark.parametrize("target", ["inside", "outside"])
def test_a_symlinked_library_is_refused_even_inside(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "story" / "real.yaml" if target == "inside" else tmp_path / "secret.yaml"
    (tmp_path / "story").mkdir()
    real.write_text(CAST)
    (tmp_path / "story" / "cast.yaml").symlink_to(real)
    line = _validate(tmp_path / "story", "cast.yaml", capsys)
    assert line == _at_include(
        "cast.yaml passes through a symbolic link (cast.yaml); include the real file"
    )


def test_a_symlinked_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "cast.yaml").write_text(CAST)
    (tmp_path / "story").mkdir()
    (tmp_path / "story" / "lib").symlink_to(tmp_path / "elsewhere")
    line = _validate(tmp_path / "story", "lib/cast.yaml", capsys)
    assert line == _at_include(
        "lib/cast.yaml passes through a symbolic link (lib); include the real file"
    )


def test_a_fifo_is_refused_without_blocking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.mkfifo(tmp_path / "cast.yaml")
    line = _validate(tmp_path, "cast.yaml", capsys)
    assert line == _at_include("cast.yaml is not a regular file; an include names a YAML file")
    with pytest.raises(IncludeProblem, match="is not a regular file"):
        read_library(tmp_path / "cast.yaml", "cast.yaml")  # a file swapped after the check


def test_a_huge_library_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (tmp_path / "cast.yaml").open("wb") as file:
        file.truncate(50_000_000)  # sparse: refused by its size, never read whole
    line = _validate(tmp_path, "cast.yaml", capsys)
    assert line == _at_include("cast.yaml is larger than 1,000,000 bytes; split the library")


def test_a_missing_library_is_offered_the_closest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "cast.yaml").write_text(CAST)
    line = _validate(tmp_path, "cats.yaml", capsys)
    assert line == _at_include("no such file 'cats.yaml' (did you mean 'cast.yaml'?)")


def test_an_include_cycle_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text("include: [b.yaml]\n" + CAST)
    (tmp_path / "b.yaml").write_text("include: [a.yaml]\n")
    line = _validate(tmp_path, "a.yaml", capsys)
    assert line == (
        "b.yaml:1:11: include[0]: include cycle: a.yaml -> b.yaml -> a.yaml; remove one"
    )


def test_a_story_including_itself_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _validate(tmp_path, "story.yaml", capsys)
    assert line == _at_include("include cycle: story.yaml; remove one")


def test_bad_yaml_in_a_library_is_located_in_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "cast.yaml").write_text("characters:\n  ada: {name: [Ada\n")
    line = _validate(tmp_path, "cast.yaml", capsys)
    assert line == (
        "cast.yaml:2:15: unclosed '['; separate items with ',' and end the list with ']'"
    )


def test_a_tag_in_a_library_is_refused_in_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "cast.yaml").write_text(
        "characters:\n  ada: {name: !!python/object/apply:os.system [id]}\n"
    )
    line = _validate(tmp_path, "cast.yaml", capsys)
    assert line == (
        "cast.yaml:2:15: characters.ada.name: tag '!!python/object/apply:os.system' is not "
        "allowed; a story is plain YAML without tags"
    )


def test_an_alias_bomb_in_a_library_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    rows += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 8)]
    (tmp_path / "cast.yaml").write_text("\n".join(rows) + "\n")
    line = _validate(tmp_path, "cast.yaml", capsys)
    assert line == "cast.yaml: aliases expand the file to more than 2,000,000 values; use fewer"


def test_a_library_that_is_not_utf8_is_located_at_the_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "cast.yaml").write_bytes(b"characters:\n  ada: {name: \xff}\n")
    line = _validate(tmp_path, "cast.yaml", capsys)
    assert line == "cast.yaml:2:15: byte 0xff is not UTF-8 text; save the file as UTF-8"
