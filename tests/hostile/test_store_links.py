"""Links planted in `.storyforge/` or at `story.lock` are never followed, so nothing leaves."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from storyforge.fakeserver import FakeGemini

from .store_support import (
    CANARY,
    STORY,
    build,
    files_under,
    generate_calls,
    plant_canaries,
    read_json,
    sent_image_hashes,
    server,
    sha,
)


@pytest.fixture
def srv() -> Iterator[FakeGemini]:
    with server() as running:
        yield running


def _story(tmp_path: Path, text: str = STORY) -> Path:
    story = tmp_path / "story" / "story.yaml"
    story.parent.mkdir(parents=True)
    story.write_text(text)
    return story


def test_a_store_that_is_a_link_is_refused_before_any_call(
    tmp_path: Path, srv: FakeGemini, capsys: Any, monkeypatch: Any
) -> None:
    elsewhere = _story(tmp_path / "first")
    assert build(elsewhere, srv, capsys, monkeypatch)[0] == 0
    story = _story(tmp_path)
    (story.parent / ".storyforge").symlink_to(elsewhere.parent / ".storyforge")
    before = len(generate_calls(srv))
    code, _, err = build(story, srv, capsys, monkeypatch)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "symbolic link" in err
    assert len(generate_calls(srv)) == before
    assert not (story.parent / "out" / "manifest.json").exists()


def test_an_object_folder_linked_outside_is_not_read(
    tmp_path: Path, srv: FakeGemini, capsys: Any, monkeypatch: Any
) -> None:
    story = _story(tmp_path)
    assert build(story, srv, capsys, monkeypatch)[0] == 0
    key = read_json(story.parent / "story.lock")["steps"]["p1"]["key"]
    private = plant_canaries(tmp_path / "outside")["png"]
    digest = sha(private.read_bytes())
    # objects/<xx> -> a folder outside holding the private file under the object's name
    (tmp_path / "outside" / digest[2:]).write_bytes(private.read_bytes())
    prefix = story.parent / ".storyforge" / "objects" / digest[:2]
    shutil.rmtree(prefix, ignore_errors=True)
    prefix.symlink_to(tmp_path / "outside")
    entry = story.parent / ".storyforge" / "index" / key[:2] / f"{key}-1.json"
    raw = read_json(entry)
    raw["outputs"][0].update(sha256=digest, size=private.stat().st_size)
    entry.write_text(json.dumps(raw))
    code, _, err = build(story, srv, capsys, monkeypatch)
    assert code == 0, err
    assert not [n for n, data in files_under(story.parent / "out").items() if CANARY in data]


def _wide_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3200, 40), (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


def test_a_link_planted_in_the_downscale_cache_does_not_send_its_target(
    tmp_path: Path, srv: FakeGemini, capsys: Any, monkeypatch: Any
) -> None:
    text = STORY.replace("prompt: a lamp}", "prompt: a lamp, references: [w.png]}")
    story = _story(tmp_path, text)
    wide = _wide_png()
    (story.parent / "w.png").write_bytes(wide)
    private = plant_canaries(tmp_path / "outside")["jpg"]
    cache = story.parent / ".storyforge" / "downscaled"
    cache.mkdir(parents=True)
    (cache / f"{sha(wide)}.jpg").symlink_to(private)
    code, _, err = build(story, srv, capsys, monkeypatch)
    assert code == 0, err
    assert sha(private.read_bytes()) not in sent_image_hashes(srv.requests)
    assert len(sent_image_hashes(srv.requests)) == 1  # the downscaled copy, made again
    assert not (cache / f"{sha(wide)}.jpg").is_symlink()


def test_a_lock_that_is_a_link_is_refused_with_a_located_line(
    tmp_path: Path, srv: FakeGemini, capsys: Any, monkeypatch: Any
) -> None:
    story = _story(tmp_path)
    outside = tmp_path / "outside.lock"
    outside.write_text('{"storyforge": 1, "steps": {}}\n')
    (story.parent / "story.lock").symlink_to(outside)
    code, _, err = build(story, srv, capsys, monkeypatch)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "story.lock" in err and "symbolic link" in err
    assert generate_calls(srv) == []
