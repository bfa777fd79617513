"""Files under a root folder reached without following any symbolic link, on any component.

A stranger's repository can ship `.storyforge/` with links in it: an object that is a link
to `/etc/shadow`, an `objects/ab` that is a link to a home folder. Every path here is
walked one component at a time from an open directory with O_NOFOLLOW, so a link anywhere
below the root is an error (ELOOP or ENOTDIR), never a way out. Only regular files are
read (a FIFO would block a build forever) and reads are bounded.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
CHUNK = 1 << 20


class TooLarge(OSError):
    """A file is larger than its reader allows."""


@contextlib.contextmanager
def open_dir(
    root: Path, parts: Sequence[str] = (), *, create: bool = False, repair: bool = False
) -> Iterator[int]:
    """A descriptor of `root/parts…`, every component a real directory (created when asked).

    `root`'s own parent is opened as the caller named it; `root` and everything below it
    must not be links. With `repair`, a link or file found where a folder below `root`
    belongs is removed (never its target) and the folder made: the store is storyforge's.
    """
    fd = os.open(root.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    fd = _step(fd, root.name, create=create, repair=False)  # closes the parent, even failing
    for name in parts:
        fd = _step(fd, name, create=create, repair=repair)
    try:
        yield fd
    finally:
        os.close(fd)


def _step(parent: int, name: str, *, create: bool, repair: bool) -> int:
    try:
        _check_name(name)
        try:
            return os.open(name, _DIR, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                raise
        except OSError as error:
            if not (repair and error.errno in (errno.ELOOP, errno.ENOTDIR)):
                raise
            os.unlink(name, dir_fd=parent)  # the link itself, not what it points at
        with contextlib.suppress(FileExistsError):  # another build made it meanwhile
            os.mkdir(name, 0o777, dir_fd=parent)
        return os.open(name, _DIR, dir_fd=parent)
    finally:
        os.close(parent)


def _check_name(name: str) -> None:
    if not name or name in (".", "..") or "/" in name or "\0" in name:
        raise OSError(errno.EINVAL, f"not a plain file name: {name!r}")


def read_bytes(root: Path, parts: Sequence[str], *, limit: int) -> bytes:
    """The bytes of the regular file `root/parts…`; TooLarge past `limit` bytes."""
    with open_dir(root, parts[:-1]) as folder:
        return _read_all(folder, parts[-1], limit)


def read_file(path: Path, *, limit: int) -> bytes:
    """The bytes of one regular file that must not itself be a link (its folder may be)."""
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        return _read_all(folder, path.name, limit)
    finally:
        os.close(folder)


def _read_all(folder: int, name: str, limit: int) -> bytes:
    with _open_regular(folder, name) as fd:
        if os.fstat(fd).st_size > limit:
            raise TooLarge(errno.EFBIG, f"{name} is larger than {limit} bytes")
        chunks, total = [], 0
        while chunk := os.read(fd, CHUNK):
            total += len(chunk)
            if total > limit:  # it grew while being read
                raise TooLarge(errno.EFBIG, f"{name} is larger than {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


@contextlib.contextmanager
def open_regular(root: Path, parts: Sequence[str]) -> Iterator[int]:
    """A read descriptor of the regular file `root/parts…` (no link on the way)."""
    with open_dir(root, parts[:-1]) as folder, _open_regular(folder, parts[-1]) as fd:
        yield fd


@contextlib.contextmanager
def _open_regular(folder: int, name: str) -> Iterator[int]:
    _check_name(name)
    # O_NONBLOCK: opening a FIFO for reading must not wait for a writer that never comes.
    fd = os.open(name, _READ, dir_fd=folder)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, f"{name} is not a regular file")
        os.set_blocking(fd, True)
        yield fd
    finally:
        os.close(fd)


def lstat(root: Path, parts: Sequence[str]) -> os.stat_result | None:
    """The file's own status (a link is not followed), or None when it or a folder is missing."""
    try:
        with open_dir(root, parts[:-1]) as folder:
            return os.stat(parts[-1], dir_fd=folder, follow_symlinks=False)
    except (FileNotFoundError, NotADirectoryError):
        return None


def write_bytes(root: Path, parts: Sequence[str], data: bytes, *, durable: bool = True) -> None:
    """Replace `root/parts…` atomically (temp file and rename), creating its folders."""
    with open_dir(root, parts[:-1], create=True, repair=True) as folder:
        temp = f".{parts[-1]}.{secrets.token_hex(6)}.tmp"  # unique: writers never share it
        fd = os.open(temp, _CREATE, 0o666, dir_fd=folder)
        try:
            with os.fdopen(fd, "wb", closefd=True) as out:
                out.write(data)
                out.flush()
                if durable:
                    os.fsync(out.fileno())
            os.rename(temp, parts[-1], src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp, dir_fd=folder)
            raise


def probe(root: Path, parts: Sequence[str]) -> None:
    """Create and remove a file in `root/parts…` (created when missing); OSError when one can't."""
    with open_dir(root, parts, create=True) as folder:
        temp = f".storyforge-write-test-{secrets.token_hex(6)}"
        os.close(os.open(temp, _CREATE, 0o600, dir_fd=folder))
        os.unlink(temp, dir_fd=folder)
