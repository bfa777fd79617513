"""A cache folder below the store made safe to read with plain paths: no links, no specials.

The derived outputs keep what they drew (`.storyforge/derived/`: page images, thumbnails,
board notes) and read it back by path. A story can ship that folder, so before a build
reads it every link and every file that is not regular is removed — the entry itself,
never what it points at — and a link where the folder itself should be is replaced by a
real folder. What is left can only be files storyforge or the story's author put there:
a forged cache can change how a drawn output looks, never make storyforge read a file
outside the store.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from storyforge.store import nofollow


def scrub_tree(root: Path, name: str) -> Path:
    """Make `root/name` a real folder holding only folders and regular files; return it."""
    with nofollow.open_dir(root, (name,), create=True, repair=True) as folder:
        _scrub(folder)
    return root / name


def _scrub(folder: int) -> None:
    with os.scandir(folder) as entries:
        names = [(e.name, e.stat(follow_symlinks=False).st_mode) for e in entries]
    for name, mode in names:
        if stat.S_ISDIR(mode):
            child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=folder)
            try:
                _scrub(child)
            finally:
                os.close(child)
        elif not stat.S_ISREG(mode):
            os.unlink(name, dir_fd=folder)  # a link or a special file: the entry, not its target
