"""Generated hostile stores: many shipped `.storyforge/` folders and locks, built from mutations.

From one story built once, each case copies the folder, plants canary files outside it and
damages the store or the lock in one to three seeded-random ways (random bytes, truncation,
wrong types, hashes of other objects, links to the canaries, FIFOs). For every case a build
against the fake server must exit 0 or 2 without a traceback, copy no canary byte into OUT,
send none to the server, and leave the key in no file and no stream.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from storyforge.fakeserver import FakeGemini

from .store_support import (
    CANARY,
    KEY,
    build,
    files_under,
    plant_canaries,
    sent_image_hashes,
    server,
    sha,
)

SEED = 20261201
CASES = 120
STORY = (
    "storyforge: 1\ntitle: Generated\naspect_ratio: '1:1'\n"
    "scenes:\n  - id: s\n    panels:\n"
    "      - {id: p1, prompt: a lamp, references: [wide.png]}\n"
    "      - {id: p2, prompt: a gull, takes: 2, seed: 2147483647}\n"
    "      - {id: p3, edit: p1, prompt: the lamp at night}\n"
)
JUNK: tuple[Any, ...] = (None, 5, -1, 0, "x", "", [], {}, True, 1e308, "//etc/passwd", "../" * 6)


@dataclass
class Case:
    """One story folder about to be damaged, and the files outside it."""

    rng: random.Random
    root: Path  # the story folder
    outside: Path
    canaries: dict[str, Path]

    @property
    def store(self) -> Path:
        return self.root / ".storyforge"

    def pick(self, folder: str, pattern: str = "*") -> Path | None:
        found = sorted(p for p in (self.store / folder).rglob(pattern) if p.is_file())
        return self.rng.choice(found) if found else None


Mutation = Callable[[Case], None]


def _random_bytes(case: Case) -> None:
    target = case.pick(case.rng.choice(["index", "objects", "requests", "downscaled"]))
    if target is not None:
        target.write_bytes(case.rng.randbytes(case.rng.randint(0, 300)))


def _truncate(case: Case) -> None:
    target = case.pick(case.rng.choice(["index", "objects", "downscaled"]))
    if target is not None:
        data = target.read_bytes()
        target.write_bytes(data[: case.rng.randint(0, max(0, len(data) - 1))])


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _leaves(item, (*path, n))
    yield path


def _set(raw: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    target = raw
    for name in path[:-1]:
        target = target[name]
    target[path[-1]] = value
    return raw


def _wrong_type(case: Case, target: Path | None) -> None:
    if target is None or target.is_symlink():
        return
    try:
        raw = json.loads(target.read_text("utf-8"))
    except ValueError:
        return
    path = case.rng.choice(list(_leaves(raw)))
    value = case.rng.choice([*JUNK, str(case.canaries["txt"])])
    target.write_text(json.dumps(_set(raw, path, value)))


def _entry_wrong_type(case: Case) -> None:
    _wrong_type(case, case.pick("index"))


def _lock_wrong_type(case: Case) -> None:
    _wrong_type(case, case.root / "story.lock")


def _lock_bytes(case: Case) -> None:
    lock = case.root / "story.lock"
    data = lock.read_bytes()
    cut = case.rng.randint(0, len(data))
    lock.write_bytes(data[:cut] + case.rng.randbytes(case.rng.randint(0, 20)))


def _edit_entry(case: Case, change: Callable[[dict[str, Any]], None]) -> None:
    target = case.pick("index")
    if target is None:
        return
    try:
        raw = json.loads(target.read_text("utf-8"))
        change(raw)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return
    target.write_text(json.dumps(raw))


def _outputs_empty(case: Case) -> None:
    _edit_entry(case, lambda raw: raw.update(outputs=[]))


def _hash_of_other_object(case: Case) -> None:
    other = case.pick("objects")
    if other is not None:
        digest = other.parent.name + other.name
        _edit_entry(case, lambda raw: raw["outputs"][0].update(sha256=digest))


def _hash_is_a_path(case: Case) -> None:
    where = "//" + str(case.canaries[case.rng.choice(["png", "txt"])]).lstrip("/")
    _edit_entry(case, lambda raw: raw["outputs"][0].update(sha256=where))


def _object_named_by_canary(case: Case) -> None:
    """The strongest form: an entry naming the true hash of a private file, linked in."""
    private = case.canaries[case.rng.choice(["png", "jpg"])]
    digest = sha(private.read_bytes())
    _edit_entry(case, lambda raw: raw["outputs"][0].update(sha256=digest))
    link = case.store / "objects" / digest[:2] / digest[2:]
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    link.symlink_to(private)
    if case.rng.random() < 0.5:  # also a lock that picked it
        _edit_lock(case, lambda entry: entry.update(sha256=digest, picked=True))


def _edit_lock(case: Case, change: Callable[[dict[str, Any]], None]) -> None:
    lock = case.root / "story.lock"
    raw = json.loads(lock.read_text("utf-8"))
    change(raw["steps"][case.rng.choice(sorted(raw["steps"]))])
    lock.write_text(json.dumps(raw, indent=2))


def _link_to_canary(case: Case) -> None:
    target = case.pick(case.rng.choice(["objects", "index", "downscaled", "requests"]))
    if target is not None:
        target.unlink()
        target.symlink_to(case.canaries[case.rng.choice(["png", "jpg", "txt"])])


def _folder_linked_outside(case: Case) -> None:
    target = case.pick(case.rng.choice(["objects", "index"]))
    if target is None:
        return
    mirror = case.outside / f"mirror-{case.rng.randrange(10**6)}"
    shutil.copytree(target.parent, mirror)
    for file in mirror.iterdir():
        file.write_bytes(case.canaries["png"].read_bytes())
    shutil.rmtree(target.parent)
    target.parent.symlink_to(mirror)


def _fifo(case: Case) -> None:
    target = case.pick(case.rng.choice(["objects", "index", "downscaled"]))
    if target is not None:
        target.unlink()
        os.mkfifo(target)


def _swap_objects(case: Case) -> None:
    one, two = case.pick("objects"), case.pick("objects")
    if one is not None and two is not None and one != two:
        one.write_bytes(two.read_bytes())


def _lock_link(case: Case) -> None:
    (case.root / "story.lock").unlink()
    (case.root / "story.lock").symlink_to(case.canaries["txt"])


def _store_linked_outside(case: Case) -> None:
    shutil.copytree(case.store, case.outside / "store", symlinks=True)
    shutil.rmtree(case.store)
    case.store.symlink_to(case.outside / "store")


def _out_file_linked(case: Case) -> None:
    out = case.root / "out"
    target = case.rng.choice(sorted(p for p in out.iterdir() if p.suffix in (".png", ".jpg")))
    target.unlink()
    target.symlink_to(case.canaries["png"])


MUTATIONS: tuple[Mutation, ...] = (
    _random_bytes, _truncate, _entry_wrong_type, _lock_wrong_type, _lock_bytes,
    _outputs_empty, _hash_of_other_object, _hash_is_a_path, _object_named_by_canary,
    _link_to_canary, _folder_linked_outside, _fifo, _swap_objects, _lock_link,
    _store_linked_outside, _out_file_linked,
)  # fmt: skip


def _wide_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3200, 48), (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def srv() -> Iterator[FakeGemini]:
    with server() as running:
        yield running


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, srv: FakeGemini) -> Path:
    """The story folder built once: a store with every kind of file, a lock, OUT."""
    root = tmp_path_factory.mktemp("pristine") / "story"
    root.mkdir()
    (root / "wide.png").write_bytes(_wide_png())
    (root / "story.yaml").write_text(STORY)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {"GEMINI_BASE_URL": srv.base_url, "GEMINI_API_KEY": KEY}.items():
            patch.setenv(name, value)
        from storyforge.cli import main

        with pytest.raises(SystemExit) as done:
            main(["build", str(root / "story.yaml"), "--provider", "gemini"])
    assert done.value.code in (0, None)
    assert list((root / ".storyforge" / "downscaled").iterdir())
    return root


def _case(n: int, tmp_path: Path, pristine: Path) -> tuple[Case, list[str]]:
    rng = random.Random(SEED * 1000 + n)
    root = tmp_path / "story"
    shutil.copytree(pristine, root, symlinks=True)
    case = Case(rng, root, tmp_path / "outside", plant_canaries(tmp_path / "outside"))
    chosen = rng.sample(MUTATIONS, rng.randint(1, 3))
    for mutation in chosen:
        mutation(case)
    return case, [m.__name__ for m in chosen]


def _leaked_files(folder: Path, secret: bytes) -> list[str]:
    return [name for name, data in files_under(folder).items() if secret in data]


@pytest.mark.parametrize("n", range(CASES))
def test_a_hostile_store_is_survived_without_leaking(
    n: int, tmp_path: Path, pristine: Path, srv: FakeGemini, capsys: Any, monkeypatch: Any
) -> None:
    case, applied = _case(n, tmp_path, pristine)
    seen = len(srv.requests)
    code, out, err = build(case.root / "story.yaml", srv, capsys, monkeypatch)
    sent = srv.requests[seen:]
    where = f"case {n} ({', '.join(applied)}): exit {code}: {err[-400:]}"
    assert code in (0, 2), where
    assert "Traceback" not in out + err and "internal error" not in err, where
    if (case.root / "out").is_dir() and not (case.root / "out").is_symlink():
        assert _leaked_files(case.root / "out", CANARY) == [], where
    private = {sha(p.read_bytes()) for p in case.canaries.values()}
    assert not private & sent_image_hashes(sent), where
    assert CANARY.decode() not in json.dumps([r.get("body") for r in sent]), where
    assert KEY not in out + err, where
    assert _leaked_files(case.root, KEY.encode()) == [], where
    assert _leaked_files(case.outside, KEY.encode()) == [], where
