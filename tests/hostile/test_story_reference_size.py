"""A reference file is read bounded, as a regular file: a huge one is a located error."""

from __future__ import annotations

from pathlib import Path

from tests.compiler_support import compile_errors, png

STORY = """\
storyforge: 1
title: t
characters:
  ada: {name: Ada, references: [refs/ada.png]}
scenes:
  - id: s
    panels: [{id: p, characters: [ada]}]
"""


def test_a_sparse_file_of_a_terabyte_is_refused_without_reading_it(tmp_path: Path) -> None:
    (tmp_path / "refs").mkdir()
    with (tmp_path / "refs" / "ada.png").open("wb") as sparse:
        sparse.write(png())
        sparse.truncate(1 << 40)
    assert compile_errors(tmp_path, STORY) == [
        "story.yaml:4:33: characters.ada.references[0]: refs/ada.png is larger than 256 MB; "
        "export a smaller image"
    ]
    assert (tmp_path / "refs" / "ada.png").stat().st_size == 1 << 40
