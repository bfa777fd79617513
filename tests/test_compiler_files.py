"""compile_plan on reference files: confinement, content checks, bombs and the downscale cache."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import pytest
from PIL import ImageFile

from storyforge.story.images import DOWNSCALED_DIR, load_reference_bytes
from tests.compiler_support import bomb_png, compile_errors, compile_text, jpeg, png

ONE_REF = """\
storyforge: 1
title: Files
characters:
  mara:
    name: Mara
    references: [{ref}]
scenes:
  - id: s
    panels:
      - {{id: a, characters: [mara], prompt: a}}
"""


def errors_for(
    tmp_path: Path, ref: str, files: Mapping[str, bytes | str] | None = None
) -> list[str]:
    return compile_errors(tmp_path / "story", ONE_REF.format(ref=ref), files)


@pytest.mark.parametrize("ref", ["../secret.png", "/etc/passwd", "refs/../../secret.png"])
def test_paths_leaving_the_story_folder_are_refused_at_their_line(tmp_path: Path, ref: str) -> None:
    (tmp_path / "secret.png").write_bytes(png())
    assert errors_for(tmp_path, ref) == [
        f"story.yaml:6:18: characters.mara.references[0]: {ref} leaves the story folder; "
        "references must stay inside it"
    ]


def test_a_symlink_to_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(png())
    (tmp_path / "story" / "refs").mkdir(parents=True)
    (tmp_path / "story" / "refs" / "x.png").symlink_to(tmp_path / "secret.png")
    assert errors_for(tmp_path, "refs/x.png") == [
        "story.yaml:6:18: characters.mara.references[0]: refs/x.png leaves the story folder; "
        "references must stay inside it"
    ]


def test_a_symlink_inside_the_folder_is_fine(tmp_path: Path) -> None:
    root = tmp_path / "story"
    (root / "refs").mkdir(parents=True)
    (root / "refs" / "real.png").write_bytes(png())
    (root / "refs" / "x.png").symlink_to(root / "refs" / "real.png")
    plan = compile_text(root, ONE_REF.format(ref="refs/x.png"))
    assert plan.step("a").inputs[0].sha256 == hashlib.sha256(png()).hexdigest()


def test_a_missing_file_gets_a_suggestion(tmp_path: Path) -> None:
    assert errors_for(tmp_path, "refs/mara.jpg", {"refs/mara.png": png()}) == [
        "story.yaml:6:18: characters.mara.references[0]: no such file 'refs/mara.jpg' "
        "(did you mean 'refs/mara.png'?)"
    ]


def test_a_text_file_named_png_is_refused(tmp_path: Path) -> None:
    assert errors_for(tmp_path, "refs/x.png", {"refs/x.png": "not really a picture\n"}) == [
        "story.yaml:6:18: characters.mara.references[0]: refs/x.png is not an image "
        "(its content is text)"
    ]


def never_decode(*_: object) -> None:
    raise AssertionError("a bomb's pixels must never be decoded")


def test_a_decompression_bomb_is_refused_without_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = bomb_png()
    assert len(bomb) < 200
    monkeypatch.setattr(ImageFile.ImageFile, "load", never_decode)
    assert errors_for(tmp_path, "refs/bomb.png", {"refs/bomb.png": bomb}) == [
        "story.yaml:6:18: characters.mara.references[0]: refs/bomb.png is too large "
        "(900 megapixels); references may have at most 50 megapixels, so it was not decoded"
    ]


def test_an_image_over_fifty_megapixels_but_under_pillows_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ImageFile.ImageFile, "load", never_decode)
    bomb = bomb_png(8000, 8000)
    assert errors_for(tmp_path, "refs/big.png", {"refs/big.png": bomb}) == [
        "story.yaml:6:18: characters.mara.references[0]: refs/big.png is too large "
        "(8000x8000, 64 megapixels); references may have at most 50 megapixels, so it was "
        "not decoded"
    ]


def test_every_bad_file_is_reported_together(tmp_path: Path) -> None:
    text = ONE_REF.format(ref="[refs/a.png, refs/b.png]").replace("[[", "[").replace("]]", "]")
    errors = compile_errors(tmp_path, text, {"refs/a.png": "text", "refs/b.png": b"\x00\x01"})
    assert [e.split(": ", 2)[2] for e in errors] == [
        "refs/a.png is not an image (its content is text)",
        "refs/b.png is not an image (its content is not PNG, JPEG or WebP)",
    ]


def test_a_large_image_is_downscaled_once_and_kept_by_the_build(tmp_path: Path) -> None:
    big = jpeg(4000, 1000)
    root = tmp_path / "story"
    story = ONE_REF.format(ref="refs/wide.jpg")
    first = compile_text(root, story, {"refs/wide.jpg": big}).step("a").inputs[0]
    copy = root / DOWNSCALED_DIR / f"{hashlib.sha256(big).hexdigest()}.jpg"
    assert not copy.exists()  # compiling (validate, plan) writes nothing
    sent, mime = load_reference_bytes(root, "refs/wide.jpg")  # the build keeps the copy
    assert copy.read_bytes() == sent
    assert mime == first.mime_type == "image/jpeg"
    assert first.sha256 == hashlib.sha256(sent).hexdigest() != hashlib.sha256(big).hexdigest()
    stamp = copy.stat().st_mtime_ns
    second = compile_text(root, story).step("a").inputs[0]
    assert second == first
    assert load_reference_bytes(root, "refs/wide.jpg") == (sent, mime)
    assert copy.stat().st_mtime_ns == stamp  # reused, not made again


def test_explicit_file_inputs_are_checked_where_written(tmp_path: Path) -> None:
    errors = compile_errors(
        tmp_path,
        """\
        storyforge: 1
        title: Fuse
        scenes:
          - id: s
            panels:
              - {id: a, prompt: a}
              - {id: b, fuse: [a, refs/logo.pgn], prompt: b}
        """,
        {"refs/logo.png": png()},
    )
    assert errors == [
        "story.yaml:7:27: scenes[0].panels[1].fuse[1]: no such file 'refs/logo.pgn' "
        "(did you mean 'refs/logo.png'?)"
    ]
