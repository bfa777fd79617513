"""The picture inside a sketch's frame: a place with figures, a turnaround, an edit or a collage."""

from __future__ import annotations

import hashlib
import math

from PIL import Image, ImageDraw

from storyforge.render.figures import arrange, draw_figure, draw_tag, shot_class, turnaround
from storyforge.render.paint import INK, RGB, WHITE, darker, lighter, mix, pill, vertical_gradient
from storyforge.render.text import Font, font
from storyforge.render.thumbs import fit, load_fitted

_HORIZON = {"wide": 0.56, "full": 0.6, "medium": 0.5, "close": 0.46, "extreme": 0.4, "ots": 0.5}
EDIT_COLOR: RGB = (232, 116, 28)
FUSE_COLOR: RGB = (46, 150, 110)
SHEET_COLOR: RGB = (120, 84, 170)


def horizon_y(shot: str | None, height: int) -> int:
    """Row of the horizon in a frame of `height` for the shot (lower for wider shots)."""
    return round(height * _HORIZON[shot_class(shot)])


def place(size: tuple[int, int], tint: RGB, shot: str | None, seed: str) -> Image.Image:
    """A location: sky over a distant ridge, and ground in the tint with perspective lines."""
    width, height = size
    horizon = horizon_y(shot, height)
    image = Image.new("RGB", size, tint)
    image.paste(vertical_gradient((width, horizon), lighter(tint, 0.6), lighter(tint, 0.2)))
    image.paste(vertical_gradient((width, height - horizon), tint, darker(tint, 0.2)), (0, horizon))
    draw = ImageDraw.Draw(image)
    digest = hashlib.sha256(seed.encode()).digest()
    # A ridge unique to the place's name, so two locations never look the same.
    rise = min(width, height) * 0.14
    peaks = [(x * width / 8, horizon - digest[x] / 255 * rise) for x in range(9)]
    draw.polygon([(0, horizon), *peaks, (width, horizon)], fill=mix(lighter(tint, 0.2), tint, 0.7))
    lines = darker(tint, 0.1)
    for step in range(-6, 7):
        target = width / 2 + step * width / 5
        draw.line([(width / 2, horizon), (target, height)], fill=lines, width=1)
    draw.line([(0, horizon), (width, horizon)], fill=darker(tint, 0.3), width=max(1, height // 300))
    return image


def panel_scene(
    size: tuple[int, int], tint: RGB, shot: str | None, figures: tuple[tuple[str, RGB], ...],
    seed: str,
) -> Image.Image:  # fmt: skip
    """A place with the characters framed as the shot asks."""
    image = place(size, tint, shot, seed)
    draw = ImageDraw.Draw(image)
    placements = arrange(shot, figures, size)
    for placement in placements:
        draw_figure(draw, placement)
    for placement in placements:
        draw_tag(draw, placement, size)
    return image


def sheet_scene(
    size: tuple[int, int], title: str, figures: tuple[tuple[str, RGB], ...]
) -> Image.Image:
    """A character sheet: neutral paper, proportion guides, and the figure from three sides."""
    width, height = size
    name, color = figures[0] if figures else (title, (150, 150, 160))
    image = Image.new("RGB", size, (244, 242, 236))
    draw = ImageDraw.Draw(image)
    placements = turnaround(name, color, size)
    figure = placements[0]
    for fraction in (0.0, 0.19, 0.52, 0.76, 1.0):
        y = figure.head_top + fraction * figure.height
        draw.line([(0, y), (width, y)], fill=(214, 210, 200), width=max(1, height // 400))
    for placement in placements:
        draw_figure(draw, placement)
        draw_tag(draw, placement, size)
    return image


def edit_scene(size: tuple[int, int], tint: RGB, base: bytes | None) -> Image.Image:
    """The image being edited, large, on a dimmed ground; unreadable bases get a marked box."""
    width, height = size
    image = Image.new("RGB", size, darker(tint, 0.55))
    pad = round(min(size) * 0.04)
    box = (width - 2 * pad, height - 2 * pad)
    fitted = load_fitted(base, box) if base is not None else None
    if fitted is None:
        fitted = Image.new("RGB", fit((16, 9), box), mix(tint, WHITE, 0.3))
    left, top = (width - fitted.width) // 2, (height - fitted.height) // 2
    image.paste(fitted, (left, top))
    draw = ImageDraw.Draw(image)
    stroke = max(3, round(min(size) * 0.008))
    _dashed_box(draw, (left, top, left + fitted.width, top + fitted.height), EDIT_COLOR, stroke)
    return image


def fuse_scene(
    size: tuple[int, int], tint: RGB, parts: tuple[tuple[str, bytes], ...]
) -> Image.Image:
    """The fused inputs as a collage of slightly turned cards."""
    width, height = size
    image = vertical_gradient(size, lighter(tint, 0.3), darker(tint, 0.15))
    count = max(1, len(parts))
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    cell = (width / columns, height / rows)
    face = font(round(max(12, min(size) * 0.035)))
    for index, (_, data) in enumerate(parts):
        card = _card(data, (round(cell[0] * 0.86), round(cell[1] * 0.86)), index + 1, face)
        angle = (-4, 3, -2, 5, -3, 2)[index % 6]
        turned = card.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
        row = index // columns
        in_row = min(columns, count - row * columns)
        # The last row is centred so an odd count still reads as one arrangement.
        cx = (index % columns + 0.5 + (columns - in_row) / 2) * cell[0]
        cy = (row + 0.5) * cell[1]
        image.paste(turned, (round(cx - turned.width / 2), round(cy - turned.height / 2)), turned)
    return image


def _card(data: bytes, box: tuple[int, int], number: int, face: Font) -> Image.Image:
    border = max(3, round(min(box) * 0.04))
    inner = (box[0] - 2 * border, box[1] - 2 * border)
    picture = load_fitted(data, inner) or Image.new("RGB", fit((1, 1), inner), (200, 200, 200))
    card = Image.new("RGBA", (picture.width + 2 * border, picture.height + 2 * border), WHITE)
    card.paste(picture, (border, border))
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, card.width - 1, card.height - 1), outline=(190, 190, 190))
    pill(draw, (border * 2, border * 2), str(number), face, INK)
    return card


def _dashed_box(
    draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], color: RGB, stroke: int
) -> None:
    left, top, right, bottom = box
    dash = stroke * 4
    for x in range(left, right, dash * 2):
        draw.line([(x, top), (min(x + dash, right), top)], fill=color, width=stroke)
        draw.line([(x, bottom - 1), (min(x + dash, right), bottom - 1)], fill=color, width=stroke)
    for y in range(top, bottom, dash * 2):
        draw.line([(left, y), (left, min(y + dash, bottom))], fill=color, width=stroke)
        draw.line([(right - 1, y), (right - 1, min(y + dash, bottom))], fill=color, width=stroke)
