"""Where everything on a contact sheet goes, worked out before a single pixel is drawn."""

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
    from storyforge.render.contact import SheetPanel

PAGE_WIDTH = 1654  # A4 at 200 dpi; Letter at 200 dpi is 1700, so it prints on both
MARGIN = 72
GUTTER = 28
CELL_PAD = 14
TITLE_SIZE, SUBTITLE_SIZE, SCENE_SIZE = 54, 24, 30
ID_SIZE, BODY_SIZE = 25, 21
TITLE_H, SCENE_H, FOOTER_H = 170, 92, 48
MAX_CAPTION_LINES, MAX_DIALOGUE_LINES = 3, 6

STATUSES = ("generated", "cached", "failed", "blocked", "skipped", "pending")
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
    """A full-width horizontal strip of the sheet: the title, a scene header or a row of cells."""

    kind: Literal["title", "scene", "row", "footer"]
    top: int
    height: int
    heading: str = ""
    detail: str = ""
    note: str = ""
    cells: tuple[Cell, ...] = ()


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """The whole sheet: its size and its bands from top to bottom."""

    width: int
    height: int
    cell_width: int
    bands: tuple[Band, ...]


def sheet_layout(title: str, panels: Sequence[SheetPanel], columns: int = 3) -> SheetLayout:
    """Lay out the title, then each scene's header and rows of `columns` cells, in given order."""
    if columns < 1:
        raise ValueError(f"columns must be at least 1, not {columns}")
    cell_w = (PAGE_WIDTH - 2 * MARGIN - (columns - 1) * GUTTER) // columns
    sizes = [image_size(p.image_path) if p.image_path else None for p in panels]
    ratios = [h / w for w, h in filter(None, sizes) if w and h]
    default_ratio = min(1.5, max(0.4, statistics.median(ratios))) if ratios else 9 / 16
    bands = [Band("title", 0, TITLE_H, title, _summary(panels))]
    top = TITLE_H
    numbered = list(enumerate(panels))
    for scene_id, group in groupby(numbered, key=lambda item: item[1].scene_id):
        members = list(group)
        scene_title = members[0][1].scene_title
        count = f"{len(members)} panel{'s' if len(members) != 1 else ''}"
        bands.append(Band("scene", top, SCENE_H, scene_id, scene_title or "", count))
        top += SCENE_H
        for start in range(0, len(members), columns):
            row = members[start : start + columns]
            band = _row(top, row, [sizes[i] for i, _ in row], cell_w, default_ratio)
            bands.append(band)
            top += band.height
    bands.append(Band("footer", top, FOOTER_H))
    return SheetLayout(PAGE_WIDTH, top + FOOTER_H, cell_w, tuple(bands))


def _row(
    top: int,
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
    height = CELL_PAD + image_h + CELL_PAD // 2 + text_h + CELL_PAD
    cells = []
    for column, ((index, _), size, lines) in enumerate(zip(row, sizes, texts, strict=True)):
        left = MARGIN + column * (cell_w + GUTTER)
        box = (left, 0, left + cell_w, height)
        image_box = (left + CELL_PAD, CELL_PAD, left + cell_w - CELL_PAD, CELL_PAD + image_h)
        cells.append(Cell(index, box, image_box, size, lines))
    return Band("row", top, height + GUTTER, cells=tuple(cells))


def _summary(panels: Sequence[SheetPanel]) -> str:
    counts = Counter(panel.status for panel in panels)
    parts = [f"{len(panels)} panel{'s' if len(panels) != 1 else ''}"]
    parts += [f"{counts[status]} {status}" for status in STATUSES if counts[status]]
    return "  ·  ".join(parts)


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
