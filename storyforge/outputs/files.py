"""Writing OUT/: each step's images copied byte for byte from the store, named by sniffed type.

Layout: the selected take's image at `OUT/<step-id><ext>`, every other take at
`OUT/takes/<step-id>-<take><ext>`, and the extra images of one response at
`OUT/takes/<step-id>-<take>-<i><ext>` (i counts from 2: the first is the take itself).
The extension follows the format sniffed from the bytes (.png, .jpg, .webp).

Files are never decoded or re-encoded, so provenance marks stay valid. A file is
rewritten only when its size or modification time differs from its store object's
(the copy takes the object's mtime), which keeps a no-op rebuild from copying anything.
Files of steps the story no longer has, and of takes it no longer asks for, are left
alone: OUT is the build's to add to, not to clean (the manifest lists what is current).
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from storyforge.errors import StoreError
from storyforge.mime import extension_for
from storyforge.names import is_reserved_output_name
from storyforge.outputs.results import StepResult
from storyforge.store.fsutil import atomic_writer
from storyforge.store.objects import Store, StoredOutput

TAKES_DIR = "takes"


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One image written under OUT, as the manifest lists it."""

    take: int
    path: str  # relative to OUT, with "/"
    sha256: str
    width: int
    height: int
    mime_type: str


def output_path(step_id: str, take: int, index: int, selected: bool, mime: str) -> str:
    """Where image `index` (1-based) of a take goes, relative to OUT."""
    ext = extension_for(mime)
    if index > 1:
        return f"{TAKES_DIR}/{step_id}-{take}-{index}{ext}"
    return f"{step_id}{ext}" if selected else f"{TAKES_DIR}/{step_id}-{take}{ext}"


def main_image(files: Sequence[OutputFile]) -> OutputFile | None:
    """A step's selected image under OUT: the one at `<id>.<ext>` (takes sit in `takes/`)."""
    return next((f for f in files if "/" not in f.path), None)


def write_outputs(out: Path, store: Store, result: StepResult) -> tuple[OutputFile, ...]:
    """Copy every image of a step's takes into OUT; nothing for a step without a result."""
    if not result.ok:
        return ()
    if is_reserved_output_name(result.step_id):
        # The story's checks refuse such ids; this is the last guard before a file is lost.
        raise StoreError(
            f"step '{result.step_id}' has the name of one of storyforge's own outputs in "
            f"{out}; rename the step"
        )
    files: list[OutputFile] = []
    for entry in result.takes:
        for index, stored in enumerate(entry.outputs, start=1):
            chosen = entry.take == result.selected
            rel = output_path(result.step_id, entry.take, index, chosen, stored.mime_type)
            _place(store, stored.sha256, out, rel)
            files.append(_describe(entry.take, rel, stored))
    return tuple(files)


def _describe(take: int, rel: str, stored: StoredOutput) -> OutputFile:
    return OutputFile(take, rel, stored.sha256, stored.width, stored.height, stored.mime_type)


def _place(store: Store, sha: str, out: Path, rel: str) -> None:
    dest = out / rel
    try:
        have = store.object_stat(sha)
        with contextlib.suppress(FileNotFoundError):
            now = dest.lstat()
            if stat.S_ISREG(now.st_mode) and (now.st_size, now.st_mtime_ns) == (
                have.st_size,
                have.st_mtime_ns,
            ):
                return
        _check_folders(out, rel)
        _copy(store.read_object(sha), dest, have)
    except OSError as error:
        raise StoreError(f"cannot write {dest}: {error.strerror or error}") from error


def _check_folders(out: Path, rel: str) -> None:
    # A folder of OUT that is a link (say takes/ shipped pointing at a home folder) would
    # take the copies outside OUT: refused, as the store refuses links.
    folder = out
    for name in Path(rel).parts[:-1]:
        folder = folder / name
        if folder.is_symlink():
            raise StoreError(f"{folder} is a symbolic link; remove it: OUT is written, not linked")


def _copy(data: bytes, dest: Path, stat_of: os.stat_result) -> None:
    # Outputs can be copied from the store again, so no fsync. The store's mtime goes with
    # the copy (set after the last flush) so the next build can tell the file is current.
    with atomic_writer(dest, durable=False) as out:
        out.write(data)
        out.flush()
        os.utime(out.fileno(), ns=(stat_of.st_atime_ns, stat_of.st_mtime_ns))
