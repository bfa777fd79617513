"""A shipped or damaged store: entries and objects are checked before anything is reused."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from storyforge.fakeserver import FakeGemini

from .store_support import (
    CANARY,
    STORY,
    build,
    entry_files,
    files_under,
    generate_calls,
    manifest_steps,
    plant_canaries,
    read_json,
    server,
    sha,
)


@pytest.fixture
def srv() -> Iterator[FakeGemini]:
    with server() as running:
        yield running


@pytest.fixture
def built(
    tmp_path: Path, srv: FakeGemini, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> Path:
    """A story folder already built once: its store has an entry and object per take."""
    story = tmp_path / "story" / "story.yaml"
    story.parent.mkdir()
    story.write_text(STORY)
    code, _, err = build(story, srv, capsys, monkeypatch)
    assert code == 0, err
    return story


def _entry_of(story: Path, step: str) -> Path:
    key: str = read_json(story.parent / "story.lock")["steps"][step]["key"]
    return story.parent / ".storyforge" / "index" / key[:2] / f"{key}-1.json"


def _rebuild(story: Path, srv: FakeGemini, capsys: Any, monkeypatch: Any) -> tuple[int, str, int]:
    before = len(generate_calls(srv))
    code, _, err = build(story, srv, capsys, monkeypatch)
    return code, err, len(generate_calls(srv)) - before


def _no_canary_in(folder: Path) -> None:
    assert not [name for name, data in files_under(folder).items() if CANARY in data]


def test_an_entry_whose_hash_is_a_path_copies_nothing_from_outside(
    built: Path, srv: FakeGemini, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    outside = plant_canaries(tmp_path / "outside")["txt"]
    entry = _entry_of(built, "p1")
    raw = read_json(entry)
    raw["outputs"][0]["sha256"] = "//" + str(outside).lstrip("/")  # objects/// + path
    entry.write_text(json.dumps(raw))
    code, err, calls = _rebuild(built, srv, capsys, monkeypatch)
    assert code == 0, err
    assert calls == 1  # p1 is made again; nothing else changed
    _no_canary_in(built.parent / "out")
    assert manifest_steps(built.parent / "out")["p1"]["status"] == "generated"


def test_an_object_linked_to_an_outside_file_is_never_followed(
    built: Path, srv: FakeGemini, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    # The worst case: the entry names the outside file's true hash, so a followed link
    # would even pass the hash check.
    private = plant_canaries(tmp_path / "outside")["png"]
    digest = sha(private.read_bytes())
    entry = _entry_of(built, "p1")
    raw = read_json(entry)
    raw["outputs"][0].update(sha256=digest, size=private.stat().st_size)
    entry.write_text(json.dumps(raw))
    obj = built.parent / ".storyforge" / "objects" / digest[:2] / digest[2:]
    obj.parent.mkdir(exist_ok=True)
    obj.symlink_to(private)
    code, err, calls = _rebuild(built, srv, capsys, monkeypatch)
    assert code == 0, err
    assert calls == 1
    _no_canary_in(built.parent / "out")


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_truncate, _flip_a_byte], ids=["truncated", "changed"])
def test_a_damaged_object_is_a_miss_and_is_made_again(
    built: Path, srv: FakeGemini, capsys: Any, monkeypatch: Any, damage: Callable[[Path], None]
) -> None:
    output = read_json(_entry_of(built, "p1"))["outputs"][0]
    obj = built.parent / ".storyforge" / "objects" / output["sha256"][:2] / output["sha256"][2:]
    damage(obj)
    first = manifest_steps(built.parent / "out")["p1"]["outputs"][0]["path"]
    (built.parent / "out" / first).unlink()  # so OUT must be copied from the store again
    code, err, calls = _rebuild(built, srv, capsys, monkeypatch)
    assert code == 0, err
    assert calls == 1
    step = manifest_steps(built.parent / "out")["p1"]
    assert step["status"] == "generated"
    written = (built.parent / "out" / step["outputs"][0]["path"]).read_bytes()
    assert sha(written) == step["outputs"][0]["sha256"]
    assert err.count("ignoring .storyforge/objects/") == 1  # told once, not per reader


Change = Callable[[dict[str, Any]], None]


def _set(path: tuple[Any, ...], value: Any) -> Change:
    def change(raw: dict[str, Any]) -> None:
        target = raw
        for name in path[:-1]:
            target = target[name]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    "change",
    [
        _set(("outputs",), []),
        _set(("outputs", 0, "sha256"), 5),
        _set(("outputs", 0, "width"), "wide"),
        _set(("usage",), "lots"),
        _set(("cost_usd",), "free"),
        _set(("take",), "1"),
        _set(("key",), "0" * 64),
    ],
    ids=["no-outputs", "int-hash", "str-width", "str-usage", "str-cost", "str-take", "other-key"],
)  # fmt: skip
def test_an_entry_of_the_wrong_shape_is_a_miss(
    built: Path, srv: FakeGemini, capsys: Any, monkeypatch: Any, change: Change
) -> None:
    entry = _entry_of(built, "p1")
    raw = read_json(entry)
    change(raw)
    entry.write_text(json.dumps(raw))
    code, err, calls = _rebuild(built, srv, capsys, monkeypatch)
    assert code == 0, err
    assert "internal error" not in err and "Traceback" not in err
    assert calls == 1
    assert manifest_steps(built.parent / "out")["p1"]["status"] == "generated"
    assert read_json(entry_files(built.parent / ".storyforge")[0]) is not None
