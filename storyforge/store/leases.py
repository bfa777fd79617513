"""Per-call leases in the store: while one build makes a call, another build of it waits.

A lease is an exclusive `flock` on `leases/ab/<key>-<take>`. The kernel drops it when its
holder exits, however it exits, so a lease of a killed build is never stale. The holder
removes the file before letting go; a waiter that locked a file already removed finds the
name pointing elsewhere and tries again, so two builds never both hold one name.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from storyforge.store import nofollow

_OPEN = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC


class Lease:
    """The right to make one call (request key, take) for this store's builds."""

    def __init__(self, root: Path, key: str, take: int) -> None:
        self.root = root
        self.parts = ("leases", key[:2])
        self.name = f"{key}-{take}"
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """Take the lease when no other build holds it; never waits.

        A lease only saves money, so when its file cannot be made (a link or a file in the
        way, a full disk) the call goes ahead without one rather than failing the step.
        """
        try:
            with nofollow.open_dir(self.root, self.parts, create=True) as folder:
                return self._lock(folder)
        except OSError:
            return True

    def _lock(self, folder: int) -> bool:
        fd = os.open(self.name, _OPEN, 0o666, dir_fd=folder)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            now = os.stat(self.name, dir_fd=folder, follow_symlinks=False)
        except (BlockingIOError, FileNotFoundError):
            os.close(fd)
            return False  # held by another build, or removed by its holder: try again
        except OSError:
            os.close(fd)
            return True  # no locks on this file system: go on without one
        if (now.st_dev, now.st_ino) != _identity(fd):  # removed by its last holder
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        """Let waiting builds go on (they find the answer in the store)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError), nofollow.open_dir(self.root, self.parts) as folder:
            os.unlink(self.name, dir_fd=folder)
        os.close(self._fd)
        self._fd = None


def _identity(fd: int) -> tuple[int, int]:
    found = os.fstat(fd)
    return found.st_dev, found.st_ino
