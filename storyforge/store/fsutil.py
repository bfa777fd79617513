"""Atomic file writes (a reader sees the old file or the new one, never half), and `touch`."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once at import: os.umask can only be read by setting it


@contextlib.contextmanager
def atomic_writer(path: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """A binary file that replaces `path` by a rename when the block ends without error.

    The temp file sits in the same folder (created when missing), with a unique name so
    concurrent writers never share it, and the mode a plain open() would have given.
    When `durable`, it is fsynced before the rename so that even a power cut cannot leave
    an empty file under the final name; a killed process never can, so files that can
    be made again (outputs, explanations) skip the fsync.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp's private 0600 is odd for shared files
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            if durable:
                os.fsync(f.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write `data` to `path` through `atomic_writer`."""
    with atomic_writer(path, durable=durable) as f:
        f.write(data)


def atomic_write_text(path: Path, text: str, *, durable: bool = True) -> None:
    """`atomic_write` for UTF-8 text."""
    atomic_write(path, text.encode("utf-8"), durable=durable)


def touch(path: Path) -> None:
    """Mark a cache file as used now, so `gc` keeps it; a file that has gone is let be."""
    with contextlib.suppress(OSError):
        os.utime(path, follow_symlinks=False)
