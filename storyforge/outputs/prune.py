"""OUT holds exactly what the manifest lists: files storyforge listed before and no longer does go.

Only a file the previous manifest listed can be removed, so a file storyforge did not
write is never touched. Paths come from a file that may have been committed by anyone:
each must stay inside OUT, name a regular file and reach it without a symbolic link.
"""

from __future__ import annotations

import contextlib
import stat
from collections.abc import Iterable
from pathlib import Path

KEEP = frozenset({"manifest.json"})


def prune_out(out: Path, listed_before: Iterable[str], listed_now: Iterable[str]) -> list[str]:
    """Remove what was listed before and is not now; the relative paths removed, sorted."""
    keep = set(listed_now) | KEEP
    removed = []
    for rel in sorted(set(listed_before) - keep):
        if _removable(out, rel):
            with contextlib.suppress(FileNotFoundError):
                (out / rel).unlink()
                removed.append(rel)
    return removed


def _removable(out: Path, rel: str) -> bool:
    parts = Path(rel).parts
    if not parts or Path(rel).is_absolute() or ".." in parts:
        return False
    folder = out
    for name in parts[:-1]:
        folder = folder / name
        if folder.is_symlink() or not folder.is_dir():
            return False
    try:
        mode = (out / rel).lstat().st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode)
