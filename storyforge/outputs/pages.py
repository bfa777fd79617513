"""OUT/pages/page-001.png … and OUT/book.pdf: the book's lettered pages, redrawn only when changed.

Each page is kept in `.storyforge/derived/pages/` under the fingerprint of what it shows,
so editing one line of dialogue redraws one page and makes no call; a page under OUT is
rewritten only when its bytes differ. The panel images under OUT are read, never written.
"""

from __future__ import annotations

from pathlib import Path

from storyforge.outputs.book_pages import BookPage, book_pages
from storyforge.outputs.book_pdf import render_book_pdf
from storyforge.outputs.derived import DerivedContext, fingerprint
from storyforge.render.page import render_page
from storyforge.store.fsutil import atomic_write, touch

PAGES_DIR = "pages"
PDF_NAME = "book.pdf"
PDF_VERSION = 1  # bump when a change to the PDF code changes its bytes


def write_pages(context: DerivedContext) -> list[Path]:
    """Write the book's page images and PDF; returns every file under OUT it wrote or kept."""
    made = book_pages(context)
    if made is None:
        return []
    layout, pages = made
    cache = context.cache / PAGES_DIR
    written = [_page_file(context.out, cache, page) for page in pages]
    _remove_extra(context.out / PAGES_DIR, len(pages))
    key = fingerprint("book.pdf", PDF_VERSION, context.story.title, [p.key for p in pages])
    cached = cache / f"{key}.pdf"
    if not cached.is_file():
        atomic_write(cached, render_book_pdf(context.story.title, layout, pages))
    return [*written, _publish(cached, context.out / PDF_NAME)]


def page_name(number: int) -> str:
    """The file name of page `number` (1-based)."""
    return f"page-{number:03d}.png"


def _page_file(out: Path, cache: Path, page: BookPage) -> Path:
    cached = cache / f"{page.key}.png"
    if not cached.is_file():
        atomic_write(cached, render_page(page.art))
    return _publish(cached, out / PAGES_DIR / page_name(page.number))


def _publish(cached: Path, target: Path) -> Path:
    data = cached.read_bytes()
    touch(cached)  # used: `gc` keeps it
    try:
        same = target.read_bytes() == data
    except OSError:
        same = False
    if not same:
        atomic_write(target, data)
    return target


def _remove_extra(folder: Path, count: int) -> None:
    # Pages past the last one belong to an older, longer book.
    wanted = {page_name(n) for n in range(1, count + 1)}
    for path in sorted(folder.glob("page-*.png")):
        if path.name not in wanted:
            path.unlink(missing_ok=True)
