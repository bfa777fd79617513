"""Contact-sheet thumbnails made while the build runs, so the sheet is quick to draw at the end.

Decoding and shrinking each panel's image is much of the cost of a contact sheet. The
build hands every finished step's image to the live sheet (`sheet_live`), which shrinks
it on a worker thread, while calls are still in flight, to exactly the size the sheet's
cell will draw it at, and keeps it in `.storyforge/derived/thumbs/` named by the image's sha256 and
that size. The sheet then draws from the thumbnail when there is one: the same pixels as
from the original (the thumbnail is lossless and needs no further scaling), at a
fraction of the work.
"""

from __future__ import annotations

from pathlib import Path

from storyforge.outputs.sheet_rows import COLUMNS
from storyforge.render.contact_layout import CELL_PAD, cell_width
from storyforge.store.fsutil import atomic_write

THUMB_DIR = "thumbs"


def thumb_box(columns: int = COLUMNS) -> tuple[int, int]:
    """The box a cell's picture is fitted into: the cell's inner width, at most 1.5 x as high."""
    inner = cell_width(columns) - 2 * CELL_PAD
    return inner, round(inner * 1.5)


def thumb_path(cache: Path, sha256: str) -> Path:
    """Where the thumbnail of the image with this hash is kept under the derived cache."""
    width, height = thumb_box()
    return cache / THUMB_DIR / f"{sha256}-{width}x{height}.png"


def make_thumb(cache: Path, sha256: str, source: Path) -> None:
    """Shrink `source` into its thumbnail, unless it is there already or unreadable."""
    from storyforge.render.thumbs import fitted_png  # Pillow only once a thumbnail is made

    target = thumb_path(cache, sha256)
    if target.is_file():
        return
    data = fitted_png(source, thumb_box())
    if data is not None:
        atomic_write(target, data, durable=False)  # made again from the image if lost
