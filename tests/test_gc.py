"""`storyforge gc`: frees exactly what no lock and no recent build needs, and says so."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storyforge.cli import main
from storyforge.store.entries import Entry, StoredOutput
from storyforge.store.fsutil import touch
from storyforge.store.gc import collect, find_garbage
from storyforge.store.lock import Lock, LockEntry
from storyforge.store.objects import Store

STORY = """\
storyforge: 1.1
title: Gc
scenes:
  - id: s
    continuity: none
    panels:
      - {id: a, prompt: a lamp on a table}
      - {id: b, prompt: spiral stairs}
"""
OLD = time.time() - 30 * 86_400


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def age(folder: Path) -> None:
    """Make every file below `folder` a month old, as if built long ago."""
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, (OLD, OLD))


def store_files(folder: Path) -> set[str]:
    root = folder / ".storyforge"
    return {
        p.relative_to(folder).as_posix()
        for kind in ("objects", "index", "requests")
        for p in (root / kind).rglob("*")
        if p.is_file()
    }


def put(store: Store, data: bytes, key: str, take: int = 1) -> str:
    """One stored call: its object, its entry and its request."""
    sha = store.put_object(data)
    output = StoredOutput(sha, "image/png", 1, 1, len(data))
    store.put_entry(Entry(key, take, (output,)))
    store.put_request(key, {"key": key})
    return sha


def test_gc_dry_run_then_gc_frees_exactly_what_it_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = tmp_path / "story.yaml"
    story.write_text(STORY, "utf-8")
    assert cli(capsys, "build", str(story), "--provider", "sketch")[0] == 0
    before = store_files(tmp_path)
    story.write_text(STORY.replace("a lamp on a table", "a lamp on the floor"), "utf-8")
    assert cli(capsys, "build", str(story), "--provider", "sketch")[0] == 0
    age(tmp_path / ".storyforge")
    code, said, _ = cli(capsys, "-v", "gc", str(story), "--dry-run")
    assert code == 0
    assert store_files(tmp_path) >= before  # a dry run frees nothing
    code, done, _ = cli(capsys, "-v", "gc", str(story))
    assert code == 0
    assert done == said.replace("would free", "freed")
    listed = {line.split()[2] for line in said.splitlines() if line.startswith("would free .")}
    assert listed and listed.isdisjoint(store_files(tmp_path))
    assert said.splitlines()[-1].startswith("would free 1 object (")
    assert ", 1 entry (" in said and ", 1 request (" in said
    # The old image's thumbnail and the sheet's bands go; the locked images' thumbnails stay.
    assert ", 5 drawn files (" in said
    assert said.splitlines()[-1].endswith(
        "kept 2 objects, 2 entries, 2 requests, 2 drawn files needed by 1 lock and builds of "
        "the last 7 days"
    )
    assert cli(capsys, "gc", str(story), "--dry-run")[1].startswith("would free nothing;")
    before_rebuild = (tmp_path / "out" / "manifest.json").read_bytes()
    code, _, _ = cli(capsys, "build", str(story), "--provider", "sketch")
    # Nothing gc freed was needed: the rebuild makes no call and leaves the manifest as it was.
    assert (code, (tmp_path / "out" / "manifest.json").read_bytes()) == (0, before_rebuild)


def test_drawn_files_are_kept_while_used_or_while_their_image_is(tmp_path: Path) -> None:
    story = tmp_path / "story.yaml"
    story.write_text(STORY, "utf-8")
    store = Store(tmp_path / ".storyforge")
    locked = put(store, b"locked", "2" * 64)
    lock = Lock.beside(story)
    lock.record("a", LockEntry("2" * 64, 1, locked))
    lock.save()
    derived = tmp_path / ".storyforge" / "derived"
    files = {
        "thumbs/" + locked + "-10x10.png": "kept: its image is locked",
        "thumbs/" + "3" * 64 + "-10x10.png": "freed: its image is gone",
        "bands/" + "4" * 64 + ".part": "freed: not used for a month",
        "bands/" + "5" * 64 + ".part": "kept: used now",
        "storyboard.warnings.json": "kept: not in a subfolder",
    }
    for name in files:
        (derived / name).parent.mkdir(parents=True, exist_ok=True)
        (derived / name).write_bytes(b"drawn")
    age(tmp_path / ".storyforge")
    touch(derived / ("bands/" + "5" * 64 + ".part"))
    found = find_garbage(story, keep_days=7)
    freed = {"/".join(item.parts[1:]) for item in found.free if item.kind == "derived"}
    assert freed == {name for name, why in files.items() if why.startswith("freed")}
    collect(found)
    left = {p.relative_to(derived).as_posix() for p in derived.rglob("*") if p.is_file()}
    assert left == {name for name, why in files.items() if why.startswith("kept")}


def test_a_band_a_build_reads_back_is_refreshed_for_gc(tmp_path: Path) -> None:
    story = tmp_path / "story.yaml"
    story.write_text(STORY, "utf-8")
    bands = tmp_path / ".storyforge" / "derived" / "bands"
    command = [sys.executable, "-m", "storyforge", "build", str(story), "--provider", "sketch"]
    subprocess.run(command, check=True, capture_output=True)
    age(tmp_path / ".storyforge")
    old = set(bands.iterdir())
    # An edit redraws the sheet: its title and scene header come from the cache, used now.
    story.write_text(STORY.replace("spiral stairs", "spiral stairs at night"), "utf-8")
    subprocess.run(command, check=True, capture_output=True)
    assert sum(path.stat().st_mtime > OLD + 86_400 for path in old) >= 2


def test_files_written_recently_are_kept(tmp_path: Path) -> None:
    put(Store(tmp_path / ".storyforge"), b"unlocked", "1" * 64)
    (tmp_path / "story.yaml").write_text(STORY)
    assert find_garbage(tmp_path / "story.yaml", keep_days=7).free == ()
    assert len(find_garbage(tmp_path / "story.yaml", keep_days=0).free) == 3


def test_every_take_of_a_locked_request_is_kept_and_every_lock_beside_the_story(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / ".storyforge")
    sha1 = put(store, b"take one", "a" * 64, 1)
    put(store, b"take two", "a" * 64, 2)
    other = put(store, b"other story", "b" * 64)
    put(store, b"orphan", "c" * 64)
    Lock(tmp_path / "story.lock", {"a": LockEntry("a" * 64, 1, sha1)}).save()
    Lock(tmp_path / "cover.lock", {"x": LockEntry("b" * 64, 1, other)}).save()
    age(tmp_path)
    found = find_garbage(tmp_path / "story.yaml", keep_days=7)
    assert sorted(f.shown.split("/")[1] for f in found.free) == ["index", "objects", "requests"]
    assert found.locks == ("cover.lock", "story.lock")
    assert collect(found).free == found.free
    assert store.get_entry("a" * 64, 2) is not None
    assert store.get_entry("b" * 64, 1) is not None
    assert store.get_entry("c" * 64, 1) is None


def test_locks_at_the_tips_of_other_git_branches_are_kept(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=tmp_path, check=True, capture_output=True,
        )  # fmt: skip

    (tmp_path / "board").mkdir()
    store = Store(tmp_path / "board" / ".storyforge")
    old = put(store, b"the old look", "d" * 64)
    new = put(store, b"the new look", "e" * 64)
    lock = tmp_path / "board" / "story.lock"
    git("init", "-q", "-b", "main")
    Lock(lock, {"a": LockEntry("d" * 64, 1, old)}).save()
    git("add", "board/story.lock")
    git("commit", "-q", "-m", "old look")
    git("branch", "old-look")
    Lock(lock, {"a": LockEntry("e" * 64, 1, new)}).save()
    git("commit", "-q", "-am", "new look")
    lock.unlink()  # only the branches remember either look now
    age(tmp_path / "board")
    found = find_garbage(tmp_path / "board" / "story.yaml", keep_days=7)
    assert found.free == ()
    assert found.locks == ("main:board/story.lock", "old-look:board/story.lock")


def test_a_damaged_lock_stops_gc_before_anything_is_freed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    put(Store(tmp_path / ".storyforge"), b"orphan", "c" * 64)
    age(tmp_path)
    (tmp_path / "story.lock").write_text('{"storyforge": 1, "steps": {"a": {"key": "x"}}}')
    code, out, err = cli(capsys, "gc", str(tmp_path / "story.yaml"))
    assert (code, out) == (2, "")
    assert err == (
        "storyforge: story.lock: steps.a.key: expected a request key of 64 lowercase hex "
        "digits; gc keeps everything a lock names, so fix or delete that lock first\n"
    )
    assert len(store_files(tmp_path)) == 3


def test_links_in_the_store_are_neither_followed_nor_removed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / ("0" * 62)).write_bytes(b"not the store's")
    (outside / "secret").write_bytes(b"private")
    story = tmp_path / "story" / "story.yaml"
    story.parent.mkdir()
    store = Store(story.parent / ".storyforge")
    put(store, b"orphan", "c" * 64)
    (store.root / "objects" / "00").symlink_to(outside)
    (store.root / "objects" / "ff").mkdir()
    (store.root / "objects" / "ff" / ("f" * 62)).symlink_to(outside / "secret")
    age(tmp_path)
    found = collect(find_garbage(story, keep_days=1))
    assert len(found.free) == 3
    assert sorted(p.name for p in outside.iterdir()) == ["0" * 62, "secret"]
    assert (store.root / "objects" / "ff" / ("f" * 62)).is_symlink()


def test_a_store_that_is_a_link_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "elsewhere" / "objects").mkdir(parents=True)
    (tmp_path / ".storyforge").symlink_to(tmp_path / "elsewhere")
    code, out, err = cli(capsys, "gc", str(tmp_path / "story.yaml"))
    assert (code, out) == (2, "")
    assert err == (
        "storyforge: .storyforge is a symbolic link and gc follows no link; make it a real "
        "folder, or delete it if it came with the story\n"
    )


def test_gc_without_a_store_frees_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "gc", str(tmp_path / "story.yaml"))
    assert (code, out) == (
        0,
        "freed nothing; kept 0 objects, 0 entries, 0 requests, 0 drawn files needed by 0 locks "
        "and builds of the last 7 days\n",
    )
