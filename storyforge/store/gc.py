"""`storyforge gc`: the store files no lock and no recent build needs, found and removed.

Needed (`docs/decisions.md`, "gc"): every entry of a request key that a lock names (all
its takes, so a later `pick` still finds them) with its objects and canonical request;
the image a lock names; and every file written within the last `keep_days`, so the
builds of the last days (and a build running now) keep what they made. The locks are
every `*.lock` beside the story and, in a git repository, those at the tips of the local
branches (`storyforge.store.gitlocks`). A lock that cannot be read stops gc: what it
protects is unknown.

The drawn outputs' cache (`derived/`: contact-sheet thumbnails and bands, book pages)
is collected too, from its subfolders only: a file there can always be drawn again. It
is kept while written or used within `keep_days` (a build refreshes what it reads back),
and a thumbnail, named by its image's sha256, also while that image is kept. Only
`objects/`, `index/`, `requests/` and `derived/*/` are collected; no link is followed
and nothing is removed outside them.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from storyforge.errors import UsageError
from storyforge.store import nofollow
from storyforge.store.entries import is_hash, parse_entry
from storyforge.store.gitlocks import branch_locks
from storyforge.store.lock import MAX_LOCK_BYTES
from storyforge.store.lockschema import LockEntry, LockProblem, parse_lock
from storyforge.store.objects import MAX_JSON_BYTES, STORE_DIR

KINDS = ("objects", "index", "requests", "derived")
DEFAULT_KEEP_DAYS = 7
_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class StoreFile:
    """One file of the store: its kind, its path below the store root, size and identity."""

    kind: str
    parts: tuple[str, ...]
    size: int
    mtime: float
    inode: int

    @property
    def shown(self) -> str:
        """The path as a user sees it, from the story folder."""
        return "/".join((STORE_DIR, *self.parts))


@dataclass(frozen=True, slots=True)
class Collection:
    """What gc frees and keeps, and the locks that decided it."""

    root: Path
    free: tuple[StoreFile, ...]
    kept: dict[str, int]
    locks: tuple[str, ...]

    def totals(self) -> dict[str, tuple[int, int]]:
        """Per kind, the count and bytes freed."""
        out = {kind: (0, 0) for kind in KINDS}
        for item in self.free:
            count, size = out[item.kind]
            out[item.kind] = (count + 1, size + item.size)
        return out


@dataclass(slots=True)
class _Needs:
    keys: set[str] = field(default_factory=set)  # request keys whose entries are kept
    objects: set[str] = field(default_factory=set)


def find_garbage(story_path: Path, *, keep_days: float, now: float | None = None) -> Collection:
    """What `gc` would free for the story at `story_path`; nothing is changed.

    Raises:
        UsageError: a lock beside the story or on a git branch cannot be read, or the
            store cannot be walked without following a link.
    """
    folder = story_path.parent.resolve()
    root = folder / STORE_DIR
    if root.is_symlink():
        raise UsageError(f"{STORE_DIR} is a symbolic link and gc follows no link; {_LINKED}")
    cutoff = (time.time() if now is None else now) - keep_days * _DAY
    locks = [*_local_locks(folder), *branch_locks(folder)]
    entries = [e for name, text in locks for e in _lock_entries(_label(name, folder), text)]
    needs = _Needs({e.key for e in entries}, {e.sha256 for e in entries if e.sha256})
    files = {kind: list(_scan(root, kind)) for kind in KINDS}
    for item in files["index"]:
        key = _entry_key(item)
        if key is not None and (key in needs.keys or item.mtime >= cutoff):
            needs.keys.add(key)
            needs.objects.update(_entry_objects(root, item))
    free = [item for kind in KINDS for item in files[kind] if not _needed(item, needs, cutoff)]
    kept = {kind: len(files[kind]) - sum(f.kind == kind for f in free) for kind in KINDS}
    return Collection(root, tuple(free), kept, tuple(_label(n, folder) for n, _ in locks))


def collect(found: Collection) -> Collection:
    """Remove what `find_garbage` found; a file changed since it was found is kept.

    Returns:
        What was freed, which is what was found unless a build rewrote a file meanwhile.
    """
    freed = [item for item in found.free if _remove(found.root, item)]
    kept = dict(found.kept)
    for item in found.free:
        if item not in freed:
            kept[item.kind] += 1
    return Collection(found.root, tuple(freed), kept, found.locks)


def _needed(item: StoreFile, needs: _Needs, cutoff: float) -> bool:
    if item.mtime >= cutoff:
        return True
    name = item.parts[-1]
    if item.kind == "derived":  # a thumbnail is named `<its image's sha256>-WxH.png`
        image, dash, _ = name.partition("-")
        return bool(dash) and is_hash(image) and image in needs.objects
    if item.kind == "objects":
        return item.parts[1] + name in needs.objects
    key = _entry_key(item) if item.kind == "index" else name.removesuffix(".json")
    return key in needs.keys


def _entry_key(item: StoreFile) -> str | None:
    key = item.parts[-1].rsplit("-", 1)[0]
    return key if is_hash(key) else None


def _entry_objects(root: Path, item: StoreFile) -> list[str]:
    try:
        raw = nofollow.read_bytes(root, item.parts, limit=MAX_JSON_BYTES)
        entry = parse_entry(json.loads(raw.decode("utf-8")))
    except (OSError, ValueError, RecursionError):
        return []  # a damaged entry is a miss anyway; it names nothing worth keeping
    return [output.sha256 for output in entry.outputs]


def _scan(root: Path, kind: str) -> Iterator[StoreFile]:
    """The regular files of `objects/ab/…` (or index, requests, derived) with their status."""
    for sub, _ in _entries(root, (kind,), folders=True):
        for name, info in _entries(root, (kind, sub), folders=False):
            yield StoreFile(kind, (kind, sub, name), info.st_size, info.st_mtime, info.st_ino)


def _entries(
    root: Path, parts: tuple[str, ...], *, folders: bool
) -> list[tuple[str, os.stat_result]]:
    wanted = stat.S_ISDIR if folders else stat.S_ISREG
    try:
        with nofollow.open_dir(root, parts) as fd:
            found = []
            with os.scandir(fd) as listing:
                names = sorted(entry.name for entry in listing)
            for name in names:
                info = os.stat(name, dir_fd=fd, follow_symlinks=False)
                if wanted(info.st_mode):  # links and FIFOs are neither: left alone
                    found.append((name, info))
            return found
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as error:
        where = "/".join((STORE_DIR, *parts))
        raise UsageError(f"{where} cannot be walked ({error.strerror or error})") from None


def _remove(root: Path, item: StoreFile) -> bool:
    gone = contextlib.suppress(FileNotFoundError, NotADirectoryError)
    with gone, nofollow.open_dir(root, item.parts[:-1]) as fd:
        info = os.stat(item.parts[-1], dir_fd=fd, follow_symlinks=False)
        if info.st_ino != item.inode or info.st_mtime != item.mtime:
            return False  # a build wrote it again since it was found
        os.unlink(item.parts[-1], dir_fd=fd)
        return True
    return False


def _local_locks(folder: Path) -> list[tuple[str, str]]:
    """Every `*.lock` beside the story, as (path, text)."""
    locks = []
    for path in sorted(folder.glob("*.lock")):
        try:
            data = nofollow.read_file(path, limit=MAX_LOCK_BYTES)
            locks.append((str(path), data.decode("utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or "not UTF-8 text or not a file"
            raise UsageError(f"{path.name} cannot be read ({reason}); {_KEEPS}") from None
    return locks


def _lock_entries(label: str, text: str) -> list[LockEntry]:
    try:
        return list(parse_lock(json.loads(text)).values())
    except (ValueError, RecursionError) as error:
        where = ".".join(error.where) if isinstance(error, LockProblem) else ""
        raise UsageError(f"{label}: {where + ': ' if where else ''}{error}; {_KEEPS}") from None


def _label(name: str, folder: Path) -> str:
    path = Path(name)
    return path.name if path.parent == folder else name


_LINKED = "make it a real folder, or delete it if it came with the story"
_KEEPS = "gc keeps everything a lock names, so fix or delete that lock first"
