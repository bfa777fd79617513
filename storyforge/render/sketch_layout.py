"""Where each part of a sketch goes: header, framed picture, thumbnail strip and prompt band."""

from __future__ import annotations

from dataclasses import dataclass

from storyforge.render.paint import Box
from storyforge.render.text import font, line_height


@dataclass(frozen=True, slots=True)
class SketchLayout:
    """Boxes of a sketch, in pixels of the whole image (right and bottom exclusive)."""

    size: tuple[int, int]
    unit: float  # one hundredth of the shorter side: every measure is a multiple of it
    header: Box
    frame: Box  # the border's outer edge
    scene: Box  # the picture inside the border
    border: int
    strip: Box | None  # the input thumbnails, beside (landscape) or under (portrait) the frame
    thumbs: tuple[Box, ...]  # each thumbnail's image box
    labels: tuple[Box, ...]  # each thumbnail's label box
    prompt: Box
    prompt_lines: int
    text_size: int


def sketch_layout(width: int, height: int, thumbnails: int) -> SketchLayout:
    """Lay out a sketch of `width` x `height` showing `thumbnails` input images."""
    unit = min(width, height) / 100
    header_h = max(18, round(6.5 * unit))
    text_size = max(10, round(2.6 * unit))
    prompt_lines = 3 if height < 1.2 * width else 4
    pad = max(4, round(1.6 * unit))
    prompt_h = prompt_lines * line_height(font(text_size)) + 2 * pad
    prompt = (0, height - prompt_h, width, height)
    body = (pad, header_h + pad, width - pad, height - prompt_h - pad)
    strip: Box | None = None
    thumbs: tuple[Box, ...] = ()
    labels: tuple[Box, ...] = ()
    frame = body
    if thumbnails:
        if width >= height:
            strip_w = round(width * 0.2)
            frame = (body[0], body[1], body[2] - strip_w - pad, body[3])
            strip = (frame[2] + pad, body[1], body[2], body[3])
        else:
            strip_h = round(height * 0.17)
            frame = (body[0], body[1], body[2], body[3] - strip_h - pad)
            strip = (body[0], frame[3] + pad, body[2], body[3])
        thumbs, labels = _slots(strip, thumbnails, text_size)
    border = max(2, round(0.6 * unit))
    scene = (frame[0] + border, frame[1] + border, frame[2] - border, frame[3] - border)
    return SketchLayout(
        (width, height), unit, (0, 0, width, header_h), frame, scene, border, strip, thumbs,
        labels, prompt, prompt_lines, text_size,
    )  # fmt: skip


def label_size(text_size: int) -> int:
    """Type size of thumbnail labels."""
    return max(9, round(text_size * 0.75))


def _slots(strip: Box, count: int, text_size: int) -> tuple[tuple[Box, ...], tuple[Box, ...]]:
    left, top, right, bottom = strip
    label_h = (2 if count <= 4 else 1) * line_height(font(label_size(text_size)))
    gap = max(3, text_size // 3)
    columns = max(range(1, count + 1), key=lambda c: _slot_side(strip, count, c, gap, label_h))
    rows = -(-count // columns)
    slot_w = (right - left - gap * (columns - 1)) / columns
    slot_h = (bottom - top - gap * (rows - 1)) / rows
    # A lone column of a few thumbnails keeps them near 4:3 rather than stretched tall.
    image_h = max(4, min(round(slot_h - label_h), round(slot_w * 0.75)))
    # And a lone row keeps them from turning into wide dark bars.
    slot_w = min(slot_w, image_h * 1.6)
    thumbs: list[Box] = []
    labels: list[Box] = []
    for index in range(count):
        x = round(left + (index % columns) * (slot_w + gap))
        y = round(top + (index // columns) * (slot_h + gap))
        thumbs.append((x, y, round(x + slot_w), y + image_h))
        labels.append((x, y + image_h, round(x + slot_w), y + image_h + label_h))
    return tuple(thumbs), tuple(labels)


def _slot_side(strip: Box, count: int, columns: int, gap: int, label_h: int) -> float:
    # How big a 4:3 thumbnail can be with this many columns: the grid with the largest wins.
    rows = -(-count // columns)
    slot_w = (strip[2] - strip[0] - gap * (columns - 1)) / columns
    slot_h = (strip[3] - strip[1] - gap * (rows - 1)) / rows - label_h
    return min(slot_w, slot_h * 4 / 3)
