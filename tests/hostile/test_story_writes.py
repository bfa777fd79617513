"""`validate` and `plan` write nothing: a stranger's story is looked at, never written into."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from storyforge.cli import main
from storyforge.story.images import DOWNSCALED_DIR, load_reference_bytes

STORY = (
    "storyforge: 1\ntitle: T\ncharacters:\n  mara: {name: Mara, references: [refs/big.jpg]}\n"
    "scenes:\n  - id: s\n    panels:\n      - {id: p, characters: [mara], prompt: x}\n"
)


def _big_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4000, 1000), (30, 90, 160)).save(out, "JPEG", quality=80)
    return out.getvalue()


def _story(tmp_path: Path) -> Path:
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "big.jpg").write_bytes(_big_jpeg())
    (tmp_path / "story.yaml").write_text(STORY)
    return tmp_path / "story.yaml"


def _tree(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*")}


@pytest.mark.parametrize("command", [["validate"], ["plan", "--provider", "sketch"]])
def test_looking_at_a_story_with_a_large_reference_writes_nothing(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    story = _story(tmp_path)
    before = _tree(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main([*command, str(story)])
    assert exit_.value.code == 0, capsys.readouterr().err
    assert _tree(tmp_path) == before


def test_validate_works_where_the_cache_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file where the cache folder would go fails any write, even for root (unlike chmod).
    story = _story(tmp_path)
    (tmp_path / ".storyforge").write_text("not a folder")
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(story)])
    assert exit_.value.code == 0, capsys.readouterr().err


def test_the_key_validate_predicts_is_the_one_build_sends(tmp_path: Path) -> None:
    from storyforge.compile.compiler import compile_plan
    from storyforge.story.loader import load_story

    story = _story(tmp_path)
    predicted = compile_plan(load_story(story)).step("p").inputs[0].sha256
    data, mime = load_reference_bytes(tmp_path, "refs/big.jpg")  # the build's reader
    assert hashlib.sha256(data).hexdigest() == predicted
    assert mime == "image/jpeg"
    assert (tmp_path / DOWNSCALED_DIR).is_dir()  # only the build keeps the copy
