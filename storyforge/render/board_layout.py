"""Storyboard pages: header, footer and board cells in points, pure geometry for the board PDF.

Landscape pages are grids whose rows are justified: every board keeps its own aspect
ratio, the boards of a row share one height and the row spans the page, so a 21:9 board
and a 9:16 one sit side by side without either becoming a strip. A board narrower than
square gets a square cell (its picture centred in it) so that its text has room. Portrait
pages are rows: the picture on the left, the text on its right (two columns of rows for
12 per page). Text boxes have a fixed share of each band, so text that does not fit is
known (and reported) before it is drawn.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from storyforge.render.geometry import PAGE_PRESETS, Rect, justified_rows

MARGIN = 28.0  # page edge to content, points
HEADER = 50.0  # the title block
FOOTER = 14.0  # page number
GAP = 10.0  # between boards across
ROW_GAP = 12.0  # between rows of boards
STRIP = 13.0  # the line with shot number, shot type, camera and duration
TEXT_SHARE = 0.36  # of a landscape band's height, under the picture
MIN_CELL_ASPECT = 1.0  # narrower boards get a square cell so their text has width
ROW_IMAGE_SHARE = 0.45  # of a portrait row's width, for the picture

Measure = Callable[[str], float]  # the width of a text in points


@dataclass(frozen=True, slots=True)
class BoardCell:
    """Where one board goes: its picture, the strip of shot facts, the text under or beside."""

    frame: Rect  # the board's box; the picture is centred in it
    image: Rect  # the picture, in the board's own aspect ratio
    strip: Rect
    text: Rect


@dataclass(frozen=True, slots=True)
class BoardPage:
    """One page of boards."""

    page: Rect
    header: Rect
    footer: Rect
    cells: tuple[BoardCell, ...]


def page_rect(paper: str, orientation: str) -> Rect:
    """The sheet in points: A4 or Letter, turned for landscape."""
    spec = PAGE_PRESETS[paper]
    short, long = sorted((spec.trim_width, spec.trim_height))
    return Rect(0, 0, long, short) if orientation == "landscape" else Rect(0, 0, short, long)


def grid_shape(per_page: int, orientation: str) -> tuple[int, int]:
    """Columns and rows of boards: 3x1, 3x2, 3x3, 4x3 landscape; rows of one (12: two) portrait."""
    if orientation == "landscape":
        return {3: (3, 1), 6: (3, 2), 9: (3, 3), 12: (4, 3)}[per_page]
    columns = 2 if per_page == 12 else 1
    return columns, per_page // columns


def page_count(boards: int, per_page: int) -> int:
    """Pages for this many boards (one page, empty, for none)."""
    return max(1, math.ceil(boards / per_page))


def board_page(paper: str, orientation: str, per_page: int, aspects: Sequence[float]) -> BoardPage:
    """The layout of one page holding boards of these aspect ratios (at most `per_page`)."""
    page = page_rect(paper, orientation)
    live = page.inset(MARGIN)
    header = Rect(live.x, live.y, live.width, HEADER)
    footer = Rect(live.x, live.bottom - FOOTER, live.width, FOOTER)
    body = Rect(live.x, header.bottom, live.width, footer.y - header.bottom)
    if orientation == "landscape":
        cells = _grid(body, grid_shape(per_page, orientation), aspects)
    else:
        cells = _rows(body, grid_shape(per_page, orientation), aspects)
    return BoardPage(page, header, footer, tuple(cells))


def fit(aspect: float, box: Rect) -> Rect:
    """The largest rectangle of this aspect ratio centred in `box`."""
    width = min(box.width, box.height * aspect)
    height = width / aspect
    return Rect(box.x + (box.width - width) / 2, box.y + (box.height - height) / 2, width, height)


def _grid(body: Rect, shape: tuple[int, int], aspects: Sequence[float]) -> list[BoardCell]:
    columns, rows = shape
    band = (body.height - (rows - 1) * ROW_GAP) / rows
    text = band * TEXT_SHARE
    widened = [max(a, MIN_CELL_ASPECT) for a in aspects]
    # The row height the grid's columns give boards of the page's typical ratio, so that
    # three 16:9 boards make one row of a 3-column page rather than a row of two.
    column = (body.width - (columns - 1) * GAP) / columns
    typical = statistics.median(widened) if widened else 16 / 9
    target = min(band - text - STRIP, column / typical)
    laid = justified_rows(widened, body.width, target, GAP)
    # More rows than the grid has, or rows taller than the target: shrink every picture alike.
    fixed = len(laid) * (STRIP + text) + (len(laid) - 1) * ROW_GAP
    pictures = sum(row[0].height for row in laid)
    scale = min(1.0, (body.height - fixed) / pictures) if pictures else 1.0
    # Shrunk rows are centred as a block: one left edge for every row, the last one included.
    widest = max((sum(r.width * scale for r in row) + GAP * (len(row) - 1) for row in laid),
                 default=body.width)  # fmt: skip
    left = body.x + (body.width - widest) / 2
    cells, y, index = [], body.y, 0
    for row in laid:
        height, x = row[0].height * scale, left
        for item in row:
            frame = Rect(x, y, item.width * scale, height)
            strip = Rect(frame.x, frame.bottom, frame.width, STRIP)
            box = Rect(frame.x, strip.bottom, frame.width, text)
            cells.append(BoardCell(frame, fit(aspects[index], frame), strip, box))
            x, index = frame.right + GAP, index + 1
        y += height + STRIP + text + ROW_GAP
    return cells


def _rows(body: Rect, shape: tuple[int, int], aspects: Sequence[float]) -> list[BoardCell]:
    columns, rows = shape
    width = (body.width - (columns - 1) * GAP) / columns
    height = (body.height - (rows - 1) * ROW_GAP) / rows
    cells = []
    for index, aspect in enumerate(aspects):
        column, row = index // rows, index % rows  # down the first column, then the next
        cell = Rect(
            body.x + column * (width + GAP), body.y + row * (height + ROW_GAP), width, height
        )
        room = Rect(cell.x, cell.y, cell.width * ROW_IMAGE_SHARE, cell.height)
        fitted = fit(aspect, room)
        image = Rect(room.x, room.y, fitted.width, fitted.height)  # top left, by the text
        left = room.right + GAP
        strip = Rect(left, cell.y, cell.right - left, STRIP)
        cells.append(BoardCell(image, image, strip, Rect(left, strip.bottom, strip.width,
                                                         cell.bottom - strip.bottom)))  # fmt: skip
    return cells


def wrap(text: str, width: float, measure: Measure) -> list[str]:
    """Lines of `text` no wider than `width`, broken at spaces, words too long between letters.

    Scripts written without spaces (Japanese, Thai) are words too long, so they break
    between characters.
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in _pieces(paragraph.split(), width, measure):
            candidate = f"{line} {word}" if line else word
            if line and measure(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _pieces(words: list[str], width: float, measure: Measure) -> list[str]:
    pieces: list[str] = []
    for word in words:
        if measure(word) <= width:
            pieces.append(word)
            continue
        piece = ""
        for char in word:
            if piece and measure(piece + char) > width:
                pieces.append(piece)
                piece = ""
            piece += char
        pieces.append(piece)
    return pieces
