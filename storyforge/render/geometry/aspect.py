"""Aspect ratios: the model ratio nearest a cell, and cover-crops around a focal point."""

from __future__ import annotations

import math
from collections.abc import Sequence

from storyforge.render.geometry.rect import Rect

DEFAULT_FOCUS = (0.5, 0.4)  # slightly above centre: faces sit in the upper half of most frames


def parse_ratio(ratio: str) -> float:
    """Width over height of a ratio written "W:H"."""
    width, _, height = ratio.partition(":")
    return float(width) / float(height)


def nearest_ratio(target: float, ratios: Sequence[str]) -> str:
    """The ratio in `ratios` nearest `target` (width over height) in log space.

    Log distance treats 2:1 and 1:2 as equally far from 1:1; ties go to the earlier ratio.
    """
    if not ratios:
        raise ValueError("no ratios to choose from")
    return min(ratios, key=lambda ratio: abs(math.log(target) - math.log(parse_ratio(ratio))))


def crop_loss(cell_ratio: float, image_ratio: float) -> float:
    """The share of an image a cover-crop to the cell's ratio cuts away, 0 to 1."""
    return 1 - min(cell_ratio / image_ratio, image_ratio / cell_ratio)


def cover_crop(
    image_width: float,
    image_height: float,
    cell_ratio: float,
    focus: tuple[float, float] = DEFAULT_FOCUS,
) -> Rect:
    """The largest part of an image with the cell's ratio, centred on `focus` where it can be.

    `focus` is (x, y) in 0..1 of the image; the crop slides to stay inside the image.
    """
    if image_width / image_height > cell_ratio:
        width, height = image_height * cell_ratio, image_height
    else:
        width, height = image_width, image_width / cell_ratio
    x = min(max(focus[0] * image_width - width / 2, 0.0), image_width - width)
    y = min(max(focus[1] * image_height - height / 2, 0.0), image_height - height)
    return Rect(x, y, width, height)
