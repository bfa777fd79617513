"""Where a contact sheet's scenes and cells go, worked out before a single pixel is drawn.

This module lays out the sheet as one flow of scenes and rows; contact_pages cuts the flow
into pages.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING, Literal

from storyforge.render.paint import Box
from storyforge.render.text import font, line_height, wrap
from storyforge.render.thumbs import fit, image_size

if TYPE_CHECKING:
    from storyforge.render.contact_panel import SheetPanel

# A4 at 200 dpi. Letter at 200 dpi is 1700x2200: printed "fit to page" an A4 page fills
# Letter's width and loses only a sliver of its height to the margins.
PAGE_WIDTH, PAGE_HEIGHT = 1654, 2339
MARGIN = 72
GUTTER = 28
CELL_PAD = 14
TITLE_SIZE, SUBTITLE_SIZE, SCENE_SIZE = 54, 24, 30
ID_SIZE, BODY_SIZE = 25, 21
TITLE_H, HEADER_H, SCENE_H, FOOTER_H = 170, 112, 92, 48
# The tallest a row may be: under the taller of the two page headers and a scene band, so
# any row fits on a fresh page and rows never have to be split.
ROW_ROOM = PAGE_HEIGHT - max(TITLE_H, HEADER_H) - SCENE_H - FOOTER_H
MAX_CAPTION_LINES, MAX_DIALOGUE_LINES = 3, 6

STATUSES = ("ok", "generated", "cached", "failed", "blocked", "skipped", "pending")
LineStyle = Literal["caption", "speaker", "continued"]


@dataclass(frozen=True, slots=True)
class Cell:
    """One panel's cell: its box in the band and the text lines under the picture."""

    index: int  # position of the panel in the given list
    box: Box  # relative to the band's top
    image_box: Box
    image: tuple[int, int] | None  # the image's size when it can be read
    lines: tuple[tuple[LineStyle, str], ...]


@dataclass(frozen=True, slots=True)
class Band:
    """A full-width strip of a page: a page header, a scene header, a row of cells or the foot.

    `top` is relative to the page once the band is placed on one, and 0 before.
    """

    kind: Literal["title", "header", "scene", "row", "footer"]
    top: int
    height: int
    heading: str = ""
    detail: str = ""
    note: str = ""
    cells: tuple[Cell, ...] = ()
    continued: bool = False  # a scene header repeated atop a page: its scene began earlier


@dataclass(frozen=True, slots=True)
class SceneFlow:
    """One scene before it is cut into pages: its header band and its rows of cells."""

    header: Band
    rows: tuple[Band, ...]  # never empty


def cell_width(columns: int) -> int:
    """The width of one cell when `columns` cells share the page's width."""
    if columns < 1:
        raise ValueError(f"columns must be at least 1, not {columns}")
    return (PAGE_WIDTH - 2 * MARGIN - (columns - 1) * GUTTER) // columns


def scene_flows(
    panels: Sequence[SheetPanel],
    columns: int,
    sizes: Sequence[tuple[int, int] | None] | None = None,
) -> tuple[SceneFlow, ...]:
    """Each run of panels of one scene as a header and rows of `columns` cells, in given order.

    `sizes`: each panel's picture size when known without reading its file (a sheet laid
    out ahead of the images); by default they are read from the panels' image headers.
    """
    cell_w = cell_width(columns)
    if sizes is None:
        sizes = [image_size(p.image_path) if p.image_path else None for p in panels]
    ratios = [h / w for w, h in filter(None, sizes) if w and h]
    default_ratio = min(1.5, max(0.4, statistics.median(ratios))) if ratios else 9 / 16
    flows = []
    numbered = list(enumerate(panels))
    for scene_id, group in groupby(numbered, key=lambda item: item[1].scene_id):
        members = list(group)
        scene_title = members[0][1].scene_title
        count = f"{len(members)} panel{'s' if len(members) != 1 else ''}"
        rows = tuple(
            _row(row, [sizes[i] for i, _ in row], cell_w, default_ratio)
            for row in (members[at : at + columns] for at in range(0, len(members), columns))
        )
        flows.append(SceneFlow(Band("scene", 0, SCENE_H, scene_id, scene_title or "", count), rows))
    return tuple(flows)


def summary(panels: Sequence[SheetPanel]) -> str:
    """`6 panels  ·  3 generated  ·  1 failed`: the count of every status shown."""
    counts = Counter(panel.status for panel in panels)
    parts = [f"{len(panels)} panel{'s' if len(panels) != 1 else ''}"]
    parts += [f"{counts[status]} {status}" for status in STATUSES if counts[status]]
    return "  ·  ".join(parts)


def _row(
    row: list[tuple[int, SheetPanel]],
    sizes: list[tuple[int, int] | None],
    cell_w: int,
    default_ratio: float,
) -> Band:
    inner_w = cell_w - 2 * CELL_PAD
    heights = [fit(size, (inner_w, round(inner_w * 1.5)))[1] for size in sizes if size]
    image_h = max(heights) if heights else round(inner_w * default_ratio)
    texts = [_text_lines(panel, inner_w) for _, panel in row]
    text_h = max(_text_height(lines) for lines in texts)
    # A wide single column could ask for a picture taller than a page: letterbox it instead.
    image_h = min(image_h, ROW_ROOM - GUTTER - text_h - CELL_PAD * 5 // 2)
    height = CELL_PAD + image_h + CELL_PAD // 2 + text_h + CELL_PAD
    cells = []
    for column, ((index, _), size, lines) in enumerate(zip(row, sizes, texts, strict=True)):
        left = MARGIN + column * (cell_w + GUTTER)
        box = (left, 0, left + cell_w, height)
        image_box = (left + CELL_PAD, CELL_PAD, left + cell_w - CELL_PAD, CELL_PAD + image_h)
        cells.append(Cell(index, box, image_box, size, lines))
    return Band("row", 0, height + GUTTER, cells=tuple(cells))


def _text_lines(panel: SheetPanel, width: int) -> tuple[tuple[LineStyle, str], ...]:
    body = font(BODY_SIZE)
    lines: list[tuple[LineStyle, str]] = []
    if panel.caption:
        lines += [("caption", text) for text in wrap(panel.caption, body, width, MAX_CAPTION_LINES)]
    room = MAX_DIALOGUE_LINES
    for speaker, said in panel.dialogue:
        wrapped = wrap(f"{speaker}: {said}" if speaker else said, body, width, min(3, room))
        lines += [("speaker" if n == 0 else "continued", text) for n, text in enumerate(wrapped)]
        room -= len(wrapped)
        if room <= 0:
            break
    return tuple(lines)


def _text_height(lines: tuple[tuple[LineStyle, str], ...]) -> int:
    # The id line always shows; a little air separates the caption from the dialogue.
    return line_height(font(ID_SIZE)) + 6 + len(lines) * line_height(font(BODY_SIZE)) + 6
