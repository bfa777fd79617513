"""Odd reference paths give one located line each, never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyforge.cli import main
from tests.compiler_support import png

HEAD = "storyforge: 1\ntitle: T\nscenes:\n  - id: s\n    panels:\n      - id: p\n"


def _validate(tmp_path: Path, ref: str, capsys: pytest.CaptureFixture[str]) -> str:
    (tmp_path / "story.yaml").write_text(HEAD + f'        references: ["{ref}"]\n')
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(tmp_path / "story.yaml")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    prefix = f"{tmp_path / 'story.yaml'}:7:22: scenes[0].panels[0].references[0]: "
    assert err.startswith(prefix)
    return err.removeprefix(prefix).rstrip("\n")


def test_a_symlink_loop_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "a.png").symlink_to("b.png")
    (tmp_path / "refs" / "b.png").symlink_to("a.png")
    message = _validate(tmp_path, "refs/a.png", capsys)
    assert message == "refs/a.png is a symbolic link loop; point it at an image file"


def test_a_nul_byte_in_a_path_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = _validate(tmp_path, "refs/a\\0b.png", capsys)
    assert message == "refs/a\\x00b.png contains a NUL byte; remove it from the path"


def test_a_name_too_long_for_the_filesystem_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = "refs/" + "a" * 300 + ".png"
    message = _validate(tmp_path, ref, capsys)
    assert message == f"{ref} is too long a name for the filesystem; shorten it"


@pytest.mark.parametrize("ref", [".storyforge/downscaled/x.png", ".git/a.png", "refs/.a.png"])
def test_hidden_files_are_not_references(
    tmp_path: Path, ref: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ref).parent.mkdir(parents=True)
    (tmp_path / ref).write_bytes(png())
    message = _validate(tmp_path, ref, capsys)
    assert message == (f"{ref} is hidden; references may not be dotfiles or inside dot-folders")


def test_a_fifo_reference_is_not_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    (tmp_path / "refs").mkdir()
    os.mkfifo(tmp_path / "refs" / "a.png")
    message = _validate(tmp_path, "refs/a.png", capsys)
    assert message == "refs/a.png is not a file; a reference names an image file"
