"""Layout first: which page and cell each panel of a book goes in, before anything is drawn.

Paging rules: a scene with a `layout` starts a new page with it; a scene without one goes
on filling the current page's cells (the first such scene starts a `three-tier` page); a
panel with `page_break` starts a new page; a full page starts another with the same
layout. Cells are in reading order (mirrored for rtl). A bleeding panel's art reaches
past the trim on every side of its cell that touches the live area's edge.
"""

from __future__ import annotations

from dataclasses import dataclass

from storyforge.render.geometry import (
    PageBoxes,
    Rect,
    bleed_cell,
    inches,
    layout_cells,
    page_boxes,
    page_spec,
    tiers_of,
)
from storyforge.story.models import Book, Scene, Story

DEFAULT_LAYOUT = "three-tier"


@dataclass(frozen=True, slots=True)
class Slot:
    """One panel's place in the book."""

    panel_id: str
    scene_index: int
    panel_index: int
    page: int  # 0-based
    cell: Rect  # its cell in the tiers, inside the live area (points)
    frame: Rect  # where its art goes: the cell, or past the trim when it bleeds

    @property
    def bleeds(self) -> bool:
        """Whether the art runs past its cell."""
        return self.frame != self.cell


@dataclass(frozen=True, slots=True)
class BookLayout:
    """Every panel's slot, page by page, and the page's boxes."""

    book: Book
    boxes: PageBoxes
    pages: tuple[tuple[Slot, ...], ...]

    def slots(self) -> dict[str, Slot]:
        """Each panel's slot by panel id."""
        return {slot.panel_id: slot for page in self.pages for slot in page}


def book_boxes(book: Book) -> PageBoxes:
    """The page boxes of a book: its preset with any overrides."""
    return page_boxes(page_spec(book.preset, book.width, book.height, book.bleed, book.margin))


def book_layout(story: Story) -> BookLayout | None:
    """The book's pages, or None when the story has no `book:`."""
    book = story.book
    if book is None:
        return None
    boxes = book_boxes(book)
    pager = _Pager(book, boxes)
    for i, scene in enumerate(story.scenes):
        pager.scene(scene, i)
    return BookLayout(book, boxes, pager.finish())


def tier_count(scene: Scene) -> int:
    """How many tiers the scene's layout has (0 without a layout)."""
    return 0 if scene.layout is None else len(tiers_of(scene.layout))


class _Pager:
    def __init__(self, book: Book, boxes: PageBoxes) -> None:
        self._book, self._boxes = book, boxes
        self._pages: list[list[Slot]] = []
        self._cells: list[Rect] = []
        self._layout: Scene | None = None  # the scene whose layout the pages follow

    def scene(self, scene: Scene, index: int) -> None:
        if scene.layout is not None or self._layout is None:
            self._layout = scene
            self._new_page()
        for j, panel in enumerate(scene.panels):
            if (panel.page_break and self._pages[-1]) or not self._cells:
                self._new_page()
            cell = self._cells.pop(0)
            frame = bleed_cell(cell, self._boxes.live, self._boxes.media) if panel.bleed else cell
            page = len(self._pages) - 1
            self._pages[-1].append(Slot(panel.id, index, j, page, cell, frame))

    def finish(self) -> tuple[tuple[Slot, ...], ...]:
        return tuple(tuple(page) for page in self._pages if page)

    def _new_page(self) -> None:
        if not self._pages or self._pages[-1]:
            self._pages.append([])
        scene = self._layout
        layout = DEFAULT_LAYOUT if scene is None or scene.layout is None else scene.layout
        heights = None if scene is None else scene.heights
        if heights is not None and len(heights) != len(tiers_of(layout)):
            heights = None  # reported by `book_problems`; the pages still lay out
        gutter = inches(self._book.gutter)
        direction = self._book.direction
        self._cells = layout_cells(layout, self._boxes.live, gutter, heights, direction)
