"""A shared store tier (a team's folder or bucket) over `Blobs`, laid out like `.storyforge/`.

    objects/ab/cdef…           immutable: written only when absent, verified on every read
    index/ab/<key>-<take>.json one per (request key, take): machines never share a file

Everything read back is hostile until checked, exactly as in the local store: an object is
returned only when it hashes to its name and an entry only when it parses with the local
store's schema. A damaged object or entry is a miss, told once; only the process that
found it damaged may write over it, and only with content that checks.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Callable

from storyforge.errors import StoreError
from storyforge.store.entries import Entry, is_hash
from storyforge.store.tiers import Blobs

MAX_OBJECT_BYTES = 64 << 20  # as the local store: bounds what a shared cache can make us read
MAX_JSON_BYTES = 16 << 20
# A cache that cannot be reached is left for the rest of the run, not asked again per step.
_DOWN = (errno.EHOSTUNREACH, errno.EHOSTDOWN, errno.ENOTCONN, errno.ETIMEDOUT, errno.ESTALE)


class SharedTier:
    """A `StoreTier` over blobs; `read_only` makes every put a no-op (for CI)."""

    def __init__(
        self,
        blobs: Blobs,
        name: str,
        *,
        read_only: bool = False,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.blobs = blobs
        self.name = name  # shown in messages: the URL as configured, never a credential
        self.read_only = read_only
        self.warn = warn or (lambda _text: None)
        self._warned: set[str] = set()
        self._damaged: set[str] = set()  # names this process found bad and may repair
        self.down = False  # unreachable: every read is a miss and every write is skipped

    def put_object(self, data: bytes) -> str:
        """Upload bytes under their sha256 unless an object is already there."""
        sha = hashlib.sha256(data).hexdigest()
        if not self.read_only:
            self._put(_object_name(sha), data)
        return sha

    def read_object(self, sha256: str) -> bytes:
        """The object's bytes, checked against its hash; StoreError when not usable."""
        name = _object_name(sha256)
        try:
            data = self._read(name, MAX_OBJECT_BYTES)
        except OSError as error:
            raise StoreError(f"object {sha256[:12]} is not in {self.name}: {why(error)}") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            self._damaged.add(name)
            self._miss(name, "does not match its hash")
            raise StoreError(f"object {sha256[:12]} in {self.name} is damaged")
        return data

    def has_object(self, sha256: str, size: int | None = None) -> bool:
        """Whether the object is there and long enough (its content is checked on read)."""
        if not is_hash(sha256):
            return False
        try:
            found = None if self.down else self.blobs.size(_object_name(sha256))
        except OSError as error:
            self._check_down(error)
            return False
        return found is not None and (size is None or found >= size)

    def put_entry(self, entry: Entry) -> None:
        """Upload a call's result unless another machine recorded this (key, take) first."""
        if not self.read_only:
            self._put(_entry_name(entry.key, entry.take), entry.to_json().encode())

    def get_entry(self, key: str, take: int) -> Entry | None:
        """The entry for (key, take), schema-checked, with its objects present; else None."""
        if not is_hash(key) or take < 1:
            return None
        name = _entry_name(key, take)
        try:
            entry = Entry.from_json(self._read(name, MAX_JSON_BYTES).decode("utf-8"))
            if (entry.key, entry.take) != (key, take):
                raise ValueError("it names another request")
        except FileNotFoundError:
            return None
        except OSError as error:
            if not self.down:
                self._miss(name, why(error))
            return None
        except (ValueError, RecursionError) as error:
            self._damaged.add(name)
            self._miss(name, str(error))
            return None
        if all(self.has_object(o.sha256, o.size) for o in entry.outputs):
            return entry
        return None

    def _read(self, name: str, limit: int) -> bytes:
        if self.down:
            raise FileNotFoundError(errno.ENOENT, "the shared cache is not reachable")
        try:
            return self.blobs.read(name, limit=limit)
        except OSError as error:
            self._check_down(error)
            raise

    def _check_down(self, error: OSError) -> None:
        if isinstance(error, ConnectionError) or error.errno in _DOWN:
            self.down = True
            self.warn(
                f"storyforge: the shared cache {self.name} cannot be reached ({why(error)}); "
                "this run goes on without it"
            )

    def _put(self, name: str, data: bytes) -> None:
        if self.down:
            return
        try:
            if name in self._damaged:
                self.blobs.replace(name, data)
                self._damaged.discard(name)
            elif self.blobs.size(name) is None:
                self.blobs.create(name, data)
        except FileExistsError:
            pass  # another machine wrote it first: objects are equal, the first entry stays
        except OSError as error:
            self._check_down(error)
            if self.down:
                return  # told once, by _check_down
            where = f"the shared cache {self.name}"
            raise StoreError(f"cannot write to {where}: {why(error)}") from None

    def _miss(self, name: str, reason: str) -> None:
        text = f"storyforge: ignoring {name} in the shared cache {self.name}: {reason}"
        if text not in self._warned:
            self._warned.add(text)
            self.warn(text)


def why(error: OSError) -> str:
    """An error of a shared cache in a few fixed words: no endpoint, path or key leaks."""
    if isinstance(error, PermissionError):
        return "permission denied (check the credentials, or use the cache read-only)"
    if isinstance(error, FileNotFoundError):
        return "not found"
    if isinstance(error, ConnectionError):
        return "no connection (check the network, and AWS_ENDPOINT_URL if you set one)"
    if isinstance(error.errno, int) and error.errno > 0:
        return os.strerror(error.errno).lower()  # the code's words, not a server's message
    return type(error).__name__


def _object_name(sha: str) -> str:
    if not is_hash(sha):
        raise StoreError(f"{sha[:70]!r} is not a sha256; the store refuses it")
    return f"objects/{sha[:2]}/{sha[2:]}"


def _entry_name(key: str, take: int) -> str:
    if not is_hash(key):
        raise StoreError(f"{key[:70]!r} is not a request key")
    return f"index/{key[:2]}/{key}-{take}.json"
