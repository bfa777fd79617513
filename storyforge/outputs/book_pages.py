"""What each page of a book shows: its panels' images and crops, and its lettering, as values.

Both the page images and the PDF are drawn from these values, and each page's cache key is
the fingerprint of its value: panel image hashes, frames, crops, lettering ink, the fonts
and the renderer's toolchain.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from storyforge.compile.book import BookLayout, Slot, book_layout
from storyforge.compile.lettering import letter_book
from storyforge.outputs.derived import DerivedContext, fingerprint, font_files_digest
from storyforge.outputs.files import OutputFile, main_image
from storyforge.render.fontchain import CHAIN, font_path
from storyforge.render.geometry import DEFAULT_FOCUS
from storyforge.render.ink import Primitive, balloon_ink
from storyforge.render.page import PageArt, PanelArt, toolchain

RENDERER_VERSION = 1  # bump when a change to the drawing code changes pixels


@dataclass(frozen=True, slots=True)
class BookPage:
    """One page: what it shows, the images' files and sizes, and its fingerprint."""

    number: int  # 1-based
    art: PageArt
    files: tuple[OutputFile | None, ...]  # per panel, the image under OUT it shows
    key: str


def book_pages(context: DerivedContext) -> tuple[BookLayout, list[BookPage]] | None:
    """The pages of the story's book, or None when it has none."""
    layout = book_layout(context.story)
    if layout is None:
        return None
    lettering = letter_book(context.story, layout)
    pages = []
    for number, slots in enumerate(layout.pages, start=1):
        panels, files = zip(*(_panel(context, slot) for slot in slots), strict=True)
        ink: list[Primitive] = []
        for slot in slots:
            if slot.panel_id in lettering:
                for balloon in lettering[slot.panel_id][1].balloons:
                    ink += balloon_ink(balloon)
        art = PageArt(layout.boxes, layout.book.dpi, layout.book.border, panels, tuple(ink))
        shas = [f.sha256 if f else None for f in files]
        key = fingerprint("page", RENDERER_VERSION, _fonts(), toolchain(), shas, repr(art_key(art)))
        pages.append(BookPage(number, art, files, key))
    return layout, pages


def art_key(art: PageArt) -> tuple[object, ...]:
    """A page's value without the image bytes (their hashes stand in for them)."""
    panels = tuple((p.frame, p.focus, p.bordered, p.label) for p in art.panels)
    return (art.boxes, art.dpi, art.border, panels, art.ink)


def _panel(context: DerivedContext, slot: Slot) -> tuple[PanelArt, OutputFile | None]:
    panel = context.story.scenes[slot.scene_index].panels[slot.panel_index]
    found = main_image(context.files.get(slot.panel_id, ()))
    result = context.results.get(slot.panel_id)
    data = _read(context.out / found.path) if found else None
    label = slot.panel_id  # an image's label is its alt text; an empty frame says why
    if data is None:
        status = result.status if result else "not built"
        label += f": {status}" + (f" ({result.reason})" if result and result.reason else "")
    focus = (panel.crop.x, panel.crop.y) if panel.crop else DEFAULT_FOCUS
    art = PanelArt(slot.frame, data, focus, not slot.bleeds, label)
    return art, found if data is not None else None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


@lru_cache(maxsize=1)
def _fonts() -> str:
    return font_files_digest([font_path(i) for i in range(len(CHAIN))])
