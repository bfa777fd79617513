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
    label_h = 2 * line_height(font(label_size(text_size)))
    gap = max(3, text_size // 3)
    vertical = (bottom - top) > (right - left)
    span = (bottom - top) if vertical else (right - left)
    slot = (span - gap * (count - 1)) / count
    thumbs: list[Box] = []
    labels: list[Box] = []
    for index in range(count):
        start = round((top if vertical else left) + index * (slot + gap))
        end = round(start + slot)
        if vertical:
            image_h = max(4, min(end - start - label_h, round((right - left) * 0.75)))
            thumbs.append((left, start, right, start + image_h))
            labels.append((left, start + image_h, right, start + image_h + label_h))
        else:
            image_h = max(4, bottom - top - label_h)
            thumbs.append((start, top, end, top + image_h))
            labels.append((start, top + image_h, end, bottom))
    return tuple(thumbs), tuple(labels)
