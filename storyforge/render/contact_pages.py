"""The contact sheet cut into A4 pages: whole rows per page, a header on each, scenes continued."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from storyforge.render.contact_layout import (
    FOOTER_H,
    HEADER_H,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    TITLE_H,
    Band,
    SceneFlow,
    cell_width,
    scene_flows,
    summary,
)

if TYPE_CHECKING:
    from storyforge.render.contact_panel import SheetPanel

_BOTTOM = PAGE_HEIGHT - FOOTER_H  # where the last row of a page must end


@dataclass(frozen=True, slots=True)
class Page:
    """One page: its bands from the header down to the footer that fills it to the bottom."""

    number: int  # from 1
    bands: tuple[Band, ...]  # tops relative to the page; heights add up to the page's height


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """The whole sheet: the size every page shares and the pages in order."""

    width: int
    height: int  # of each page
    cell_width: int
    pages: tuple[Page, ...]  # at least one, even for a story without panels


def sheet_layout(
    title: str,
    panels: Sequence[SheetPanel],
    columns: int = 3,
    sizes: Sequence[tuple[int, int] | None] | None = None,
) -> SheetLayout:
    """Lay out the panels in given order on pages, each scene's rows of `columns` cells in turn.

    `sizes` as in `scene_flows`. Raises ValueError when `columns` is below 1.
    """
    cell_w = cell_width(columns)
    bodies = _paginate(scene_flows(panels, columns, sizes))
    total = len(bodies)
    pages = []
    for number, body in enumerate(bodies, start=1):
        header = _header(number, total, title, panels)
        end = body[-1].top + body[-1].height if body else header.height
        footer = Band("footer", end, PAGE_HEIGHT - end)
        pages.append(Page(number, (header, *body, footer)))
    return SheetLayout(PAGE_WIDTH, PAGE_HEIGHT, cell_w, tuple(pages))


def _paginate(flows: Sequence[SceneFlow]) -> list[list[Band]]:
    """The scene and row bands of each page, placed below where its header will go."""
    pages: list[list[Band]] = [[]]
    top = TITLE_H
    for flow in flows:
        for index, row in enumerate(flow.rows):
            # A scene header goes with its first row, so it never sits alone at a page's foot.
            lead: Band | None = flow.header if index == 0 else None
            need = row.height + (lead.height if lead else 0)
            if top + need > _BOTTOM and pages[-1]:
                pages.append([])
                top = HEADER_H
                lead = lead or replace(flow.header, continued=True)
            for band in (lead, row):
                if band:
                    pages[-1].append(replace(band, top=top))
                    top += band.height
    return pages


def _header(number: int, total: int, title: str, panels: Sequence[SheetPanel]) -> Band:
    # A one-page sheet needs no page number; every page of a longer one says where it is.
    note = f"page {number} of {total}" if total > 1 else ""
    if number == 1:
        return Band("title", 0, TITLE_H, title, summary(panels), note)
    return Band("header", 0, HEADER_H, title, "", note)
