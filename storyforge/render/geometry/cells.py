"""Tiers of cells: a layout's relative widths and heights turned into rectangles on a page."""

from __future__ import annotations

from collections.abc import Sequence

from storyforge.render.geometry.rect import EPSILON, Rect

Tiers = Sequence[Sequence[float]]

LAYOUT_PRESETS: dict[str, tuple[tuple[int, ...], ...]] = {
    "splash": ((1,),),
    "grid-2x2": ((1, 1), (1, 1)),
    "three-tier": ((1, 1), (1,), (1, 1)),
    "nine-grid": ((1, 1, 1), (1, 1, 1), (1, 1, 1)),
}


def tiers_of(layout: str | Tiers) -> tuple[tuple[float, ...], ...]:
    """A layout's tiers: a preset's, or the tiers as written."""
    if isinstance(layout, str):
        return tuple(tuple(float(w) for w in tier) for tier in LAYOUT_PRESETS[layout])
    return tuple(tuple(float(w) for w in tier) for tier in layout)


def _split(
    start: float, length: float, weights: Sequence[float], gap: float
) -> list[tuple[float, float]]:
    """(start, length) of each part of a span cut by weight with `gap` between parts."""
    usable = length - gap * (len(weights) - 1)
    total = sum(weights)
    parts: list[tuple[float, float]] = []
    position = start
    for weight in weights:
        size = usable * weight / total
        parts.append((position, size))
        position += size + gap
    return parts


def layout_cells(
    layout: str | Tiers,
    live: Rect,
    gutter: float,
    heights: Sequence[float] | None = None,
    direction: str = "ltr",
) -> list[Rect]:
    """The cells of a layout in reading order, tiling `live` with `gutter` between them.

    Tiers run top-down; cells run left to right, or right to left when `direction` is
    "rtl" (the page is mirrored, so a tier's first cell is its rightmost). `heights` are
    relative tier heights, equal when None.
    """
    tiers = tiers_of(layout)
    weights = [1.0] * len(tiers) if heights is None else list(heights)
    if len(weights) != len(tiers):
        raise ValueError(f"{len(weights)} heights for {len(tiers)} tiers")
    axis = live.x + live.width / 2
    cells: list[Rect] = []
    for tier, (y, height) in zip(tiers, _split(live.y, live.height, weights, gutter), strict=True):
        for x, width in _split(live.x, live.width, tier, gutter):
            cell = Rect(x, y, width, height)
            cells.append(cell.mirrored(axis) if direction == "rtl" else cell)
    return cells


def bleed_cell(cell: Rect, live: Rect, media: Rect) -> Rect:
    """A bleeding cell: each side on the live area's edge pushed out to the media edge."""
    left = media.x if abs(cell.x - live.x) < EPSILON else cell.x
    top = media.y if abs(cell.y - live.y) < EPSILON else cell.y
    right = media.right if abs(cell.right - live.right) < EPSILON else cell.right
    bottom = media.bottom if abs(cell.bottom - live.bottom) < EPSILON else cell.bottom
    return Rect(left, top, right - left, bottom - top)
