"""The cache of downscaled reference copies, `.storyforge/downscaled/<source sha256>.<ext>`.

The cache may come with a stranger's repository, so it is read and written without
following any link (a planted link would make a build send its target), and a copy is
used only when the caller accepts its bytes as a small, valid image.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from storyforge.store import nofollow
from storyforge.store.objects import describe
from storyforge.story.refpaths import ReferenceProblem

STORE_DIR, FOLDER = ".storyforge", "downscaled"
MAX_COPY_BYTES = 7 * 1024 * 1024


def find_copy(
    root: Path, source_sha: str, accept: Callable[[bytes], bool]
) -> tuple[Path, bytes] | None:
    """The kept copy of the file with this sha256 and its bytes, if `accept` takes them."""
    for name in (f"{source_sha}.jpg", f"{source_sha}.png"):
        path = root / STORE_DIR / FOLDER / name
        try:
            data = read_copy(path)
        except OSError:
            continue  # missing, a link, too large: made again by the caller
        if accept(data):
            return path, data
    return None


def keep_copy(root: Path, ref: str, name: str, data: bytes) -> Path:
    """Keep the downscaled copy of `ref` under `name`; ReferenceProblem when it cannot be."""
    try:
        nofollow.write_bytes(root / STORE_DIR, (FOLDER, name), data)
    except OSError as error:
        raise ReferenceProblem(
            f"{ref} is too large to send as it is, and its downscaled copy cannot be kept in "
            f"{STORE_DIR}/{FOLDER} ({describe(error)}); make that folder writable"
        ) from None
    return root / STORE_DIR / FOLDER / name


def read_copy(path: Path) -> bytes:
    """The bytes of a kept copy (`path` as returned above), no link followed on the way."""
    return nofollow.read_bytes(path.parent.parent, (FOLDER, path.name), limit=MAX_COPY_BYTES)
