from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from storyforge.errors import StoreError, StoryError
from storyforge.store.lock import Lock, LockEntry
from storyforge.store.objects import Entry, Store, StoredOutput

K1, K2, K3, K9 = ("1" * 64, "2" * 64, "3" * 64, "9" * 64)  # request keys
S1, S2, S3, S9 = ("a1" * 32, "a2" * 32, "a3" * 32, "a9" * 32)  # image hashes


def _entry(store: Store, key: str, take: int, data: bytes) -> Entry:
    sha = store.put_object(data)
    out = StoredOutput(sha, "image/png", 1, 1, len(data))
    return Entry(key=key, take=take, outputs=(out,), usage={"image_tokens": 1290}, cost_usd=0.039)


def test_objects_are_content_addressed_and_verified(tmp_path: Path) -> None:
    store = Store(tmp_path / ".storyforge")
    sha = store.put_object(b"abc")
    assert sha == hashlib.sha256(b"abc").hexdigest()
    assert store.put_object(b"abc") == sha
    assert store.read_object(sha) == b"abc"
    store.object_path(sha).write_bytes(b"tampered")
    with pytest.raises(StoreError, match="damaged"):
        store.read_object(sha)
    with pytest.raises(StoreError, match="missing"):
        store.read_object("f" * 64)


def test_entries_round_trip_and_need_their_objects(tmp_path: Path) -> None:
    store = Store(tmp_path / ".storyforge")
    entry = _entry(store, "e" * 64, 2, b"png bytes")
    store.put_entry(entry)
    assert store.get_entry("e" * 64, 2) == entry
    assert store.get_entry("e" * 64, 1) is None
    store.object_path(entry.outputs[0].sha256).unlink()
    assert store.get_entry("e" * 64, 2) is None


@pytest.mark.parametrize("text", ["{not json", '"x"', "[]", '{"outputs": 3}', "{}"])
def test_a_damaged_entry_is_a_miss(tmp_path: Path, text: str) -> None:
    store = Store(tmp_path / ".storyforge")
    store.put_entry(_entry(store, "a" * 64, 1, b"x"))
    path = next((store.root / "index").rglob("*.json"))
    path.write_text(text)
    assert store.get_entry("a" * 64, 1) is None


def test_a_symlinked_story_keeps_its_store_beside_the_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "story.yaml").write_text("storyforge: 1\n")
    (tmp_path / "link").mkdir()
    (tmp_path / "link" / "story.yaml").symlink_to(tmp_path / "real" / "story.yaml")
    story = tmp_path / "link" / "story.yaml"
    assert Store.beside(story).root == (tmp_path / "link" / ".storyforge").resolve()
    assert Lock.beside(story).path == tmp_path / "link" / "story.lock"


def test_store_ignores_itself_in_git(tmp_path: Path) -> None:
    store = Store.beside(tmp_path / "story.yaml")
    store.put_object(b"x")
    assert (tmp_path / ".storyforge" / ".gitignore").read_text().endswith("*\n")


def test_requests_are_kept_once(tmp_path: Path) -> None:
    store = Store(tmp_path / ".storyforge")
    store.put_request("b" * 64, {"text": "one"})
    store.put_request("b" * 64, {"text": "two"})
    assert store.get_request("b" * 64) == {"text": "one"}
    assert store.get_request("c" * 64) is None


def test_concurrent_writers_leave_a_consistent_store(tmp_path: Path) -> None:
    store = Store(tmp_path / ".storyforge")

    def write(n: int) -> None:
        for i in range(40):
            store.put_entry(_entry(store, f"{i:064d}", 1, f"image {i}".encode()))
            store.put_entry(_entry(store, f"{n:063d}f", i + 1, f"take {n} {i}".encode()))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(40):
        entry = store.get_entry(f"{i:064d}", 1)
        assert entry is not None
        assert store.read_object(entry.outputs[0].sha256) == f"image {i}".encode()
    assert not list(store.root.rglob("*.tmp"))


def test_lock_round_trips_sorted(tmp_path: Path) -> None:
    lock = Lock.beside(tmp_path / "story.yaml")
    assert lock.entries == {}
    lock.record("zeta", LockEntry(K1, 1, S1))
    lock.record("alpha", LockEntry(K2, 2, S2, picked=True))
    lock.save()
    text = (tmp_path / "story.lock").read_text()
    assert text.index('"alpha"') < text.index('"zeta"')
    again = Lock.beside(tmp_path / "story.yaml")
    assert again.get("alpha") == LockEntry(K2, 2, S2, picked=True)
    assert again.to_json() == text


@pytest.mark.parametrize(
    "text", ["[1, 2", '{"steps": []}', '"x"', '{"storyforge": 9, "steps": {}}', "{}"]
)
def test_a_broken_lock_says_how_to_recover(tmp_path: Path, text: str) -> None:
    (tmp_path / "story.lock").write_text(text)
    with pytest.raises(StoryError, match=r"delete story\.lock"):
        Lock.beside(tmp_path / "story.yaml")


def test_a_pick_made_during_a_build_survives_the_builds_next_save(tmp_path: Path) -> None:
    build = Lock.beside(tmp_path / "story.yaml")
    build.record("a", LockEntry(K1, 1, S1))
    build.save()
    picker = Lock.beside(tmp_path / "story.yaml")
    picker.record("a", LockEntry(K1, 2, S2, picked=True))
    picker.save()
    build.record("b", LockEntry(K3, 1, S3))
    build.save()
    final = Lock.beside(tmp_path / "story.yaml")
    assert final.get("a") == LockEntry(K1, 2, S2, picked=True)
    assert final.get("b") == LockEntry(K3, 1, S3)
    build.record("a", LockEntry(K9, 1, S9))  # the build itself moves on: its word counts
    build.save()
    assert Lock.beside(tmp_path / "story.yaml").get("a") == LockEntry(K9, 1, S9)
