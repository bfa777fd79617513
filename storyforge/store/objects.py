"""The content-addressed store `.storyforge/`: every paid output, kept forever, found by key.

Layout (all writes atomic, so two builds may share a store):

    objects/ab/cdef…           the output bytes exactly as received, named by their sha256
    index/ab/<key>-<take>.json one file per (request key, take): outputs, text, usage, cost
    requests/ab/<key>.json     the canonical request, so `plan` can say what changed
    leases/ab/<key>-<take>     held by the build making that call (see `leases.py`)

There is no shared index file to read-modify-write: each (key, take) has its own entry,
and an object is written before the entry that names it, so a crash leaves at worst an
unreferenced object, never an entry pointing at nothing.

The store trusts nothing it reads, since a repository can ship one: no link is followed
anywhere below the root, hashes and keys must be 64 hex digits, entries are checked
against their schema, and an object is used only once its bytes hash to its name. Anything
else is a cache miss, told once through `warn`.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storyforge.errors import StoreError, UsageError
from storyforge.store import nofollow
from storyforge.store.entries import Entry, StoredOutput, is_hash
from storyforge.store.tiers import StoreTier

__all__ = ["STORE_DIR", "Entry", "Store", "StoredOutput"]

STORE_DIR = ".storyforge"
MAX_OBJECT_BYTES = 64 << 20  # far above any image a model returns; bounds a shipped file
MAX_JSON_BYTES = 16 << 20
SUBDIRS = ("objects", "index", "requests", "leases")
_GITIGNORE = "# storyforge's cache of paid outputs; not for git\n*\n"


class Store:
    """A `.storyforge/` folder."""

    def __init__(
        self,
        root: Path,
        *,
        warn: Callable[[str], None] | None = None,
        shared: StoreTier | None = None,
        pull: bool = True,
    ) -> None:
        self.root = root
        self.warn = warn or (lambda _text: None)
        # A shared tier is read through on a local miss and written back after each call;
        # without `pull` (plan, diff) what it holds is only looked at, never copied here.
        self.shared = shared
        self.pull = pull
        self._warned: set[str] = set()
        self._verified: set[tuple[str, int, int, int]] = set()  # (sha, inode, size, mtime)

    @classmethod
    def beside(
        cls,
        story_path: Path,
        *,
        warn: Callable[[str], None] | None = None,
        shared: StoreTier | None = None,
        pull: bool = True,
    ) -> Store:
        """The store of a story: `.storyforge/` in the story's folder.

        The folder is the one the story was opened from (as the loader and the lock see
        it), even when the file itself is a symlink to elsewhere.
        """
        return cls(story_path.parent.resolve() / STORE_DIR, warn=warn, shared=shared, pull=pull)

    def object_path(self, sha256: str) -> Path:
        """Where the object with this hash lives (whether or not it exists)."""
        return self.root.joinpath(*_object_parts(sha256))

    def put_object(self, data: bytes) -> str:
        """Store bytes under their sha256 and return the hash; a damaged copy is replaced."""
        sha = hashlib.sha256(data).hexdigest()
        if self._object_problem(sha, len(data)):
            self._write(_object_parts(sha), data)
        return sha

    def read_object(self, sha256: str) -> bytes:
        """The bytes of an object, checked against its hash; StoreError when not usable."""
        try:
            data: bytes | None = nofollow.read_bytes(
                self.root, _object_parts(sha256), limit=MAX_OBJECT_BYTES
            )
        except OSError as error:
            data = self._shared_object(sha256)
            if data is None:
                raise StoreError(f"object {sha256[:12]} is missing from {self.root}") from error
        if data is None or hashlib.sha256(data).hexdigest() != sha256:
            raise StoreError(f"object {sha256[:12]} in {self.root} is damaged; build again")
        return data

    def object_stat(self, sha256: str) -> os.stat_result:
        """The object file's own status (never a link's target); OSError when it is missing."""
        found = nofollow.lstat(self.root, _object_parts(sha256))
        if found is None or not stat.S_ISREG(found.st_mode):
            raise FileNotFoundError(errno.ENOENT, f"object {sha256[:12]} is missing")
        return found

    def has_object(self, sha256: str, size: int | None = None) -> bool:
        """Whether the object exists, is a regular file and hashes to its name."""
        return self._object_problem(sha256, size) == ""

    def _object_problem(self, sha: str, size: int | None) -> str:
        """Why the object cannot be used ("" when it can); each file is hashed once."""
        if not is_hash(sha):
            return "is not named by a sha256"
        found = nofollow.lstat(self.root, _object_parts(sha))
        if found is None:
            return "" if self._in_shared(sha, size) else "is missing"
        if not stat.S_ISREG(found.st_mode):
            return "is not a regular file"
        if size is not None and found.st_size < size:
            return "is shorter than its entry says (truncated)"
        seen = (sha, found.st_ino, found.st_size, found.st_mtime_ns)
        if seen in self._verified:
            return ""
        try:
            data = nofollow.read_bytes(self.root, _object_parts(sha), limit=MAX_OBJECT_BYTES)
        except OSError:
            return "cannot be read"
        if hashlib.sha256(data).hexdigest() != sha:
            return "does not match its hash"
        self._verified.add(seen)
        return ""

    def put_entry(self, entry: Entry) -> None:
        """Record a call's result; its objects must already be stored."""
        self._write(_entry_parts(entry.key, entry.take), entry.to_json().encode())
        if self.shared is not None and self.pull:
            self._write_back(entry)

    def get_entry(self, key: str, take: int) -> Entry | None:
        """The stored result for (key, take), checked with all its objects, else None."""
        if not is_hash(key) or take < 1:
            return None
        parts = _entry_parts(key, take)
        try:
            raw = nofollow.read_bytes(self.root, parts, limit=MAX_JSON_BYTES)
            entry = Entry.from_json(raw.decode("utf-8"))
            if (entry.key, entry.take) != (key, take):
                raise ValueError("it names another request")
        except (FileNotFoundError, NotADirectoryError):
            return self._shared_entry(key, take)
        except (OSError, ValueError, RecursionError) as error:
            self._miss("/".join(parts), str(error))
            return None
        for output in entry.outputs:
            problem = self._object_problem(output.sha256, output.size)
            if problem:
                self._miss("/".join(_object_parts(output.sha256)), problem)
                return None
        return entry

    def put_request(self, key: str, request: dict[str, Any]) -> None:
        """Keep the canonical request of a key (for explaining later changes)."""
        parts = _request_parts(key)
        if nofollow.lstat(self.root, parts) is None:
            # Only `plan`'s explanation of a change reads it: not worth an fsync per call.
            text = json.dumps(request, sort_keys=True, indent=1) + "\n"
            self._write(parts, text.encode(), durable=False)

    def get_request(self, key: str) -> dict[str, Any] | None:
        """The canonical request stored for a key, if any."""
        if not is_hash(key):
            return None
        try:
            raw = nofollow.read_bytes(self.root, _request_parts(key), limit=MAX_JSON_BYTES)
            data = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        return data if isinstance(data, dict) else None

    def probe(self) -> None:
        """Check the store can be written before any paid call; UsageError saying why not."""
        try:
            for sub in ((), *((name,) for name in SUBDIRS)):
                nofollow.probe(self.root, sub)
        except OSError as error:
            raise UsageError(
                f"{self.root}: cannot write the store ({describe(error)}); make it a writable "
                "folder, or delete it if it came with the story"
            ) from error

    def _shared_entry(self, key: str, take: int) -> Entry | None:
        entry = self.shared.get_entry(key, take) if self.shared is not None else None
        if entry is None or any(self._object_problem(o.sha256, o.size) for o in entry.outputs):
            return None
        if self.pull:
            self._write(_entry_parts(key, take), entry.to_json().encode())
        return entry

    def _in_shared(self, sha: str, size: int | None) -> bool:
        if self.shared is None:
            return False
        if not self.pull:
            return self.shared.has_object(sha, size)
        return self._shared_object(sha) is not None

    def _shared_object(self, sha: str) -> bytes | None:
        """The object from the shared tier (verified there), kept here when pulling."""
        if self.shared is None:
            return None
        try:
            data = self.shared.read_object(sha)
        except StoreError:
            return None
        if self.pull:
            self._write(_object_parts(sha), data)
        return data

    def _write_back(self, entry: Entry) -> None:
        assert self.shared is not None
        try:
            for output in entry.outputs:
                self.shared.put_object(self.read_object(output.sha256))
            self.shared.put_entry(entry)
        except StoreError as error:  # a cache is a saving: the build goes on without it
            self._tell(f"storyforge: {error}; this build's images are kept here only")

    def _tell(self, text: str) -> None:
        if text not in self._warned:
            self._warned.add(text)
            self.warn(text)

    def _miss(self, where: str, why: str) -> None:
        self._tell(f"storyforge: ignoring {STORE_DIR}/{where}: {why}; it will be made again")

    def _write(self, parts: tuple[str, ...], data: bytes, *, durable: bool = True) -> None:
        try:
            nofollow.write_bytes(self.root, parts, data, durable=durable)
            if nofollow.lstat(self.root, (".gitignore",)) is None:
                nofollow.write_bytes(self.root, (".gitignore",), _GITIGNORE.encode())
        except OSError as error:
            raise StoreError(f"cannot write to the store {self.root}: {describe(error)}") from error


def describe(error: OSError) -> str:
    """An OSError in words, naming links for what they are."""
    if error.errno in (errno.ELOOP, errno.ENOTDIR):
        return "a symbolic link or a file is in the way, and storyforge follows no link there"
    return error.strerror or str(error)


def _object_parts(sha: str) -> tuple[str, ...]:
    if not is_hash(sha):
        raise StoreError(f"{sha[:70]!r} is not a sha256; the store refuses it")
    return ("objects", sha[:2], sha[2:])


def _entry_parts(key: str, take: int) -> tuple[str, ...]:
    return ("index", key[:2], f"{key}-{take}.json")


def _request_parts(key: str) -> tuple[str, ...]:
    if not is_hash(key):
        raise StoreError(f"{key[:70]!r} is not a request key")
    return ("requests", key[:2], f"{key}.json")
