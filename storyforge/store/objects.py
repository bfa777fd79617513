"""The content-addressed store `.storyforge/`: every paid output, kept forever, found by key.

Layout (all writes atomic, so two builds may share a store):

    objects/ab/cdef…           the output bytes exactly as received, named by their sha256
    index/ab/<key>-<take>.json one file per (request key, take): outputs, text, usage, cost
    requests/ab/<key>.json     the canonical request, so `plan` can say what changed

There is no shared index file to read-modify-write: each (key, take) has its own entry,
and an object is written before the entry that names it, so a crash leaves at worst an
unreferenced object, never an entry pointing at nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from storyforge.errors import StoreError
from storyforge.store.fsutil import atomic_write, atomic_write_text

STORE_DIR = ".storyforge"


@dataclass(frozen=True, slots=True)
class StoredOutput:
    """One output image of a call: its object and what its header says."""

    sha256: str
    mime_type: str
    width: int
    height: int
    size: int


@dataclass(frozen=True, slots=True)
class Entry:
    """A successful call's result, stored under its request key and take number."""

    key: str
    take: int
    outputs: tuple[StoredOutput, ...]
    text: str = ""
    usage: dict[str, int] = field(default_factory=dict)
    cost_usd: float = 0.0
    attempts: int = 1
    provider: str = ""
    model_version: str = ""

    def to_json(self) -> str:
        """Stable JSON for the index file."""
        return json.dumps(asdict(self), sort_keys=True, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Entry:
        """Parse an index file (ValueError or KeyError when it is not one)."""
        raw = json.loads(text)
        if not isinstance(raw, dict):
            raise ValueError("an index entry is a JSON object")
        outputs = tuple(StoredOutput(**o) for o in raw.pop("outputs"))
        return cls(outputs=outputs, **raw)


class Store:
    """A `.storyforge/` folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def beside(cls, story_path: Path) -> Store:
        """The store of a story: `.storyforge/` in the story's folder.

        The folder is the one the story was opened from (as the loader and the lock see
        it), even when the file itself is a symlink to elsewhere.
        """
        return cls(story_path.parent.resolve() / STORE_DIR)

    def object_path(self, sha256: str) -> Path:
        """Where the object with this hash lives (whether or not it exists)."""
        return self.root / "objects" / sha256[:2] / sha256[2:]

    def put_object(self, data: bytes) -> str:
        """Store bytes under their sha256 (idempotent) and return the hash."""
        sha = hashlib.sha256(data).hexdigest()
        path = self.object_path(sha)
        if not path.exists():
            self._write(path, data)
        return sha

    def read_object(self, sha256: str) -> bytes:
        """The bytes of an object; StoreError when it is missing or damaged."""
        try:
            data = self.object_path(sha256).read_bytes()
        except OSError as error:
            raise StoreError(f"object {sha256[:12]} is missing from {self.root}") from error
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StoreError(f"object {sha256[:12]} in {self.root} is damaged; delete it")
        return data

    def has_object(self, sha256: str) -> bool:
        """Whether the object exists."""
        return self.object_path(sha256).is_file()

    def _entry_path(self, key: str, take: int) -> Path:
        return self.root / "index" / key[:2] / f"{key}-{take}.json"

    def put_entry(self, entry: Entry) -> None:
        """Record a call's result; its objects must already be stored."""
        self._write(self._entry_path(entry.key, entry.take), entry.to_json().encode())

    def get_entry(self, key: str, take: int) -> Entry | None:
        """The stored result for (key, take) whose objects all exist, else None."""
        try:
            entry = Entry.from_json(self._entry_path(key, take).read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # a damaged entry is a cache miss: the call is simply made again
        return entry if all(self.has_object(o.sha256) for o in entry.outputs) else None

    def put_request(self, key: str, request: dict[str, Any]) -> None:
        """Keep the canonical request of a key (for explaining later changes)."""
        path = self.root / "requests" / key[:2] / f"{key}.json"
        if not path.exists():
            # Only `plan`'s explanation of a change reads it: not worth an fsync per call.
            text = json.dumps(request, sort_keys=True, indent=1) + "\n"
            self._write(path, text.encode(), durable=False)

    def get_request(self, key: str) -> dict[str, Any] | None:
        """The canonical request stored for a key, if any."""
        try:
            data = json.loads((self.root / "requests" / key[:2] / f"{key}.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _write(self, path: Path, data: bytes, *, durable: bool = True) -> None:
        try:
            atomic_write(path, data, durable=durable)
        except OSError as error:
            raise StoreError(f"cannot write to the store {self.root}: {error.strerror}") from error
        gitignore = self.root / ".gitignore"
        if not gitignore.exists():
            atomic_write_text(gitignore, "# storyforge's cache of paid outputs; not for git\n*\n")
