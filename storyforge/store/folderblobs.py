"""Blobs in a plain folder (a NAS mount): no link followed below it, writes all or nothing.

A shared folder is written by many machines at once. A blob is written to a unique temp
file and then hard-linked to its name, which fails when the name exists: the first writer
wins and nobody's file is ever replaced. Where a file system has no hard links (some SMB
shares), a rename is used after a check, which is as good for content-addressed objects.
A writer killed mid-way leaves only its temp file, never a half-written name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from storyforge.store import nofollow

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_NO_LINKS = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK)


class FolderBlobs:
    """`Blobs` in the folder `root`, which must exist (an unmounted NAS is not made anew)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, name: str, *, limit: int) -> bytes:
        """The bytes of the regular file `name`, refused past `limit`."""
        return nofollow.read_bytes(self.root, _parts(name), limit=limit)

    def size(self, name: str) -> int | None:
        """The file's size, or None when it is absent (a link or a FIFO is not a blob)."""
        found = nofollow.lstat(self.root, _parts(name))
        if found is None:
            return None
        return found.st_size if stat.S_ISREG(found.st_mode) else None

    def create(self, name: str, data: bytes) -> None:
        """Write `name` only when absent; FileExistsError when another writer was first."""
        self._write(name, data, replace=False)

    def replace(self, name: str, data: bytes) -> None:
        """Write `name` over what is there."""
        self._write(name, data, replace=True)

    def probe(self) -> None:
        """Raise OSError unless the folder exists and is a folder."""
        with nofollow.open_dir(self.root):
            pass

    def _write(self, name: str, data: bytes, *, replace: bool) -> None:
        parts = _parts(name)
        with nofollow.open_dir(self.root, parts[:-1], create=True) as folder:
            temp = f".{parts[-1]}.{secrets.token_hex(6)}.tmp"
            fd = os.open(temp, _CREATE, 0o666, dir_fd=folder)
            try:
                with os.fdopen(fd, "wb", closefd=True) as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())  # a NAS is shared: others read it the moment it is named
                _publish(folder, temp, parts[-1], replace=replace)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(temp, dir_fd=folder)


def _publish(folder: int, temp: str, final: str, *, replace: bool) -> None:
    if replace:
        os.rename(temp, final, src_dir_fd=folder, dst_dir_fd=folder)
        return
    try:
        os.link(temp, final, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
    except OSError as error:
        if error.errno not in _NO_LINKS:
            raise
        with contextlib.suppress(FileNotFoundError):
            os.stat(final, dir_fd=folder, follow_symlinks=False)
            raise FileExistsError(errno.EEXIST, "already there") from None
        os.rename(temp, final, src_dir_fd=folder, dst_dir_fd=folder)


def _parts(name: str) -> tuple[str, ...]:
    return tuple(name.split("/"))
