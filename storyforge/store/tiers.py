"""The store protocol every tier keeps, and the blob protocol a shared tier is written over.

Every store tier (the local `.storyforge/`, a shared folder, object storage) answers the
same five calls with the same guarantees, and `tests/test_store_contract.py` runs one suite
against each: an object is returned only when its bytes hash to its name, an entry only
when it parses against the schema of `entries.py` and names the (key, take) asked for.
"""

from __future__ import annotations

from typing import Protocol

from storyforge.store.entries import Entry

__all__ = ["Blobs", "StoreTier"]


class StoreTier(Protocol):
    """Content-addressed objects and per-(key, take) index entries."""

    def put_object(self, data: bytes) -> str:
        """Store bytes under their sha256 (when absent) and return the hash."""
        ...

    def read_object(self, sha256: str) -> bytes:
        """The bytes of an object, checked against its hash; StoreError when not usable."""
        ...

    def has_object(self, sha256: str, size: int | None = None) -> bool:
        """Whether the object is there (and at least `size` bytes long)."""
        ...

    def put_entry(self, entry: Entry) -> None:
        """Record a call's result; its objects must already be stored."""
        ...

    def get_entry(self, key: str, take: int) -> Entry | None:
        """The stored, schema-checked result for (key, take) with its objects present."""
        ...


class Blobs(Protocol):
    """Named byte strings somewhere: a folder or a bucket. Names are `a/b/c` below its root.

    Every method raises OSError on failure: FileNotFoundError when a name is absent,
    PermissionError when access is denied, FileExistsError from `create` when the name
    is taken. Nothing here checks content: that is the tier's job.
    """

    def read(self, name: str, *, limit: int) -> bytes:
        """The bytes under `name`; OSError past `limit` bytes."""
        ...

    def size(self, name: str) -> int | None:
        """The size of `name` in bytes, or None when it is absent."""
        ...

    def create(self, name: str, data: bytes) -> None:
        """Write `name` only if absent, all or nothing; FileExistsError when it is there."""
        ...

    def replace(self, name: str, data: bytes) -> None:
        """Write `name` all or nothing, over what is there (only to repair a damaged one)."""
        ...

    def probe(self) -> None:
        """Raise OSError when the blobs cannot be reached at all."""
        ...
