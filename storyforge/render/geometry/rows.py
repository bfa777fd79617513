"""Justified rows: images of mixed ratios packed into full-width rows of one height each."""

from __future__ import annotations

from collections.abc import Sequence

from storyforge.render.geometry.rect import Rect


def _row_height(aspects: Sequence[float], width: float, gap: float) -> float:
    return (width - gap * (len(aspects) - 1)) / sum(aspects)


def _breaks(aspects: Sequence[float], width: float, target: float, gap: float) -> list[int]:
    """Where each row ends: greedily, at the count whose row height is nearest the target."""
    ends: list[int] = []
    start = 0
    while start < len(aspects):
        end = start + 1
        while end < len(aspects):
            current = _row_height(aspects[start:end], width, gap)
            longer = _row_height(aspects[start : end + 1], width, gap)
            if current <= target or abs(longer - target) >= abs(current - target):
                break
            end += 1
        ends.append(end)
        start = end
    return ends


def justified_rows(
    aspects: Sequence[float], width: float, target_height: float, gap: float
) -> list[list[Rect]]:
    """Rows of rectangles, one per aspect (width over height) in order, from y = 0 down.

    Each row spans `width` exactly with `gap` between its items and between rows, its
    height as near `target_height` as a whole number of items allows. A last row that
    would grow taller than the target keeps the target height and stays left-aligned.
    """
    rows: list[list[Rect]] = []
    start, y = 0, 0.0
    for end in _breaks(aspects, width, target_height, gap):
        items = aspects[start:end]
        height = _row_height(items, width, gap)
        if end == len(aspects) and height > target_height:
            height = target_height
        x, row = 0.0, []
        for aspect in items:
            row.append(Rect(x, y, aspect * height, height))
            x += aspect * height + gap
        rows.append(row)
        start, y = end, y + height + gap
    return rows
