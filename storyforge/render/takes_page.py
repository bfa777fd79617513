"""The takes page: every take of each multi-take step side by side, the selected one marked."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from storyforge.render.paint import INK, PAPER
from storyforge.render.text import font
from storyforge.render.thumbs import load_fitted

BOX = (320, 240)  # each take's picture
GAP, LABEL, MARGIN = 16, 34, 24
SELECTED = (40, 134, 84)


@dataclass(frozen=True, slots=True)
class TakesRow:
    """One step: its id, its selected take, and each take's image file (None: not built)."""

    step_id: str
    selected: int | None
    takes: tuple[tuple[int, Path | None], ...]


def draw_takes_page(rows: Sequence[TakesRow]) -> bytes:
    """A PNG with one row per step; deterministic, so an unchanged page keeps its bytes."""
    columns = max((len(r.takes) for r in rows), default=1)
    row_height = LABEL + BOX[1] + GAP
    width = 2 * MARGIN + columns * (BOX[0] + GAP)
    page = Image.new("RGB", (width, 2 * MARGIN + len(rows) * row_height), PAPER)
    draw = ImageDraw.Draw(page)
    for n, row in enumerate(rows):
        _draw_row(page, draw, row, MARGIN + n * row_height)
    out = io.BytesIO()
    page.save(out, "PNG", compress_level=6)
    return out.getvalue()


def _draw_row(page: Image.Image, draw: ImageDraw.ImageDraw, row: TakesRow, top: int) -> None:
    draw.text((MARGIN, top), row.step_id, font=font(22), fill=INK)
    for column, (take, path) in enumerate(row.takes):
        left = MARGIN + column * (BOX[0] + GAP)
        box_top = top + LABEL
        chosen = take == row.selected
        label = f"take {take}" + (" — selected" if chosen else "")
        draw.text((left, box_top - 16), label, font=font(14), fill=SELECTED if chosen else INK)
        picture = load_fitted(path, BOX) if path is not None else None
        if picture is not None:
            x = left + (BOX[0] - picture.width) // 2
            y = box_top + (BOX[1] - picture.height) // 2
            page.paste(picture, (x, y))
        frame = (left - 3, box_top - 3, left + BOX[0] + 2, box_top + BOX[1] + 2)
        draw.rectangle(
            frame, outline=SELECTED if chosen else (190, 186, 176), width=5 if chosen else 1
        )
