"""A template reads only the story's own template files: no dotfiles, links, devices or giants."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.compiler_support import compile_errors, compile_text

STORY = """\
storyforge: 1
title: T
templates:
  panel: {panel}
scenes:
  - id: s
    panels:
      - {{id: p, prompt: the stairs}}
"""
OVERRIDE = STORY.format(panel="templates/panel.j2")
SECRET = "GEMINI_API_KEY=AIza-the-users-own-key\n"
AT = "story.yaml:4:10: templates.panel:"
HIDDEN = "is hidden; templates may not be dotfiles or inside dot-folders"


@pytest.mark.parametrize("name", [".env", ".git/config", "templates/.key.j2", "a/.b/c.j2"])
@pytest.mark.parametrize(
    "statement",
    [
        '{{% include "{name}" ignore missing %}}',
        '{{% include "{name}" %}}',
        '{{% import "{name}" as m %}}',
        '{{% from "{name}" import x %}}',
        '{{% extends "{name}" %}}',
    ],
)
def test_hidden_files_cannot_be_read_by_a_template(
    tmp_path: Path, name: str, statement: str
) -> None:
    panel = statement.format(name=name) + "{{ prompt }}"
    files: dict[str, bytes | str] = {"templates/panel.j2": panel, name: SECRET}
    errors = compile_errors(tmp_path, OVERRIDE, files)
    assert errors == [f"{AT} templates/panel.j2, line 1: template '{name}' {HIDDEN}"]


def test_a_hidden_file_cannot_be_an_override(tmp_path: Path) -> None:
    errors = compile_errors(tmp_path, STORY.format(panel=".env"), {".env": SECRET})
    assert errors == [f"{AT} template '.env' {HIDDEN}"]


def test_a_symlink_inside_the_folder_is_refused(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {
        "templates/panel.j2": '{% include "templates/link.j2" %}',
        "templates/real.j2": "{{ prompt }}",
    }
    (tmp_path / "templates").mkdir(parents=True)
    (tmp_path / "templates" / "link.j2").symlink_to("real.j2")
    errors = compile_errors(tmp_path, OVERRIDE, files)
    assert errors == [
        f"{AT} templates/panel.j2, line 1: template 'templates/link.j2' is a symbolic link; "
        "templates must be regular files in the story folder"
    ]


def test_a_symlinked_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "panel.j2").write_text("{{ prompt }}")
    (tmp_path / "templates").symlink_to("real")
    errors = compile_errors(tmp_path, OVERRIDE)
    assert errors == [
        f"{AT} template 'templates/panel.j2' is a symbolic link; "
        "templates must be regular files in the story folder"
    ]


def test_a_fifo_override_is_refused_without_blocking(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    os.mkfifo(tmp_path / "templates" / "panel.j2")
    errors = compile_errors(tmp_path, OVERRIDE)
    assert errors == [
        f"{AT} template 'templates/panel.j2' is not a regular file; templates must be text files"
    ]


def test_a_link_to_dev_zero_is_refused(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "panel.j2").symlink_to("/dev/zero")
    errors = compile_errors(tmp_path, OVERRIDE)
    assert errors == [
        f"{AT} template 'templates/panel.j2' leaves the story folder; templates must stay inside it"
    ]


def test_an_included_fifo_is_refused(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {"templates/panel.j2": '{% include "pipe.j2" %}'}
    (tmp_path / "templates").mkdir()
    os.mkfifo(tmp_path / "pipe.j2")
    errors = compile_errors(tmp_path, OVERRIDE, files)
    assert errors == [
        f"{AT} templates/panel.j2, line 1: template 'pipe.j2' is not a regular file; "
        "templates must be text files"
    ]


def test_a_huge_template_file_is_refused_unread(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {"templates/panel.j2": "x" * 1_000_001}
    errors = compile_errors(tmp_path, OVERRIDE, files)
    assert errors == [
        f"{AT} template 'templates/panel.j2' is larger than 1,000,000 bytes; "
        "templates must be smaller"
    ]


def test_a_template_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {"templates/panel.j2": b"caf\xe9 {{ prompt }}"}
    errors = compile_errors(tmp_path, OVERRIDE, files)
    assert errors == [f"{AT} template 'templates/panel.j2' is not UTF-8 text; save it as UTF-8"]


def test_a_nul_byte_in_a_template_name_is_refused(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {"templates/panel.j2": '{% include "a\\x00b.j2" %}'}
    errors = compile_errors(tmp_path, OVERRIDE, files)
    assert errors == [
        f"{AT} templates/panel.j2, line 1: template 'a\\x00b.j2' contains a NUL byte; "
        "remove it from the name"
    ]


def test_ordinary_template_files_still_work(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {
        "templates/panel.j2": '{% include "templates/parts/x.j2" %} '
        '{% include "builtin/edit.j2" %}',
        "templates/parts/x.j2": "{{ prompt }}.",
    }
    prompt = compile_text(tmp_path, OVERRIDE, files).step("p").prompt
    assert prompt == "the stairs. Edit the image: the stairs. Keep everything else unchanged."
