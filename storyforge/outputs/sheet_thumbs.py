"""Contact-sheet thumbnails made while the build runs, so the sheet is quick to draw at the end.

Decoding and shrinking each panel's image is most of the cost of a contact sheet. The
build hands every finished step's image to `ThumbMaker`, which shrinks it on a worker
thread, while calls are still in flight, to exactly the size the sheet's cell will draw
it at, and keeps it in `.storyforge/derived/thumbs/` named by the image's sha256 and
that size. The sheet then draws from the thumbnail when there is one: the same pixels as
from the original (the thumbnail is lossless and needs no further scaling), at a
fraction of the work.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from storyforge.render.contact_layout import CELL_PAD, cell_width
from storyforge.store.fsutil import atomic_write

THUMB_DIR = "thumbs"
COLUMNS = 3  # the contact sheet's columns (outputs/sheet_pages.py)


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


class ThumbMaker:
    """One worker thread making thumbnails in the order steps finish."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="thumbs")
        self._pending: list[Future[None]] = []

    def submit(self, sha256: str, source: Path) -> None:
        """Queue the thumbnail of one finished step's image."""
        self._pending.append(self._pool.submit(make_thumb, self.cache, sha256, source))

    def close(self) -> None:
        """Wait for the queued thumbnails; one that failed is simply not used."""
        for future in self._pending:
            future.exception()  # a failure only means the sheet decodes the original
        self._pool.shutdown()
