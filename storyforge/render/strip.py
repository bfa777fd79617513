"""A sketch's strip of input thumbnails, each numbered as its label is in the request."""

from __future__ import annotations

import re

from PIL import Image, ImageDraw

from storyforge.render.paint import INK, marked_box, pill
from storyforge.render.sketch_layout import SketchLayout, label_size
from storyforge.render.text import draw_lines, font, line_height, wrap
from storyforge.render.thumbs import load_fitted

_NUMBERED = re.compile(r"^Image (\d+):\s*")
_MATTE = (60, 62, 70)
_LABEL = (70, 70, 78)
UNREADABLE = (200, 40, 40)


def draw_strip(
    canvas: Image.Image, layout: SketchLayout, thumbnails: tuple[tuple[str, bytes], ...]
) -> None:
    """Draw each thumbnail fitted in its box, its number as a badge and its role under it."""
    draw = ImageDraw.Draw(canvas)
    face = font(label_size(layout.text_size))
    badge = font(max(9, round(label_size(layout.text_size) * 0.9)))
    for number, ((label, data), box, label_box) in enumerate(
        zip(thumbnails, layout.thumbs, layout.labels, strict=True), start=1
    ):
        width, height = box[2] - box[0], box[3] - box[1]
        draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=_MATTE)
        picture = load_fitted(data, (max(1, width - 4), max(1, height - 4)))
        if picture is None:
            marked_box(draw, box, UNREADABLE, face, "unreadable")
        else:
            canvas.paste(picture, (box[0] + (width - picture.width) // 2,
                                   box[1] + (height - picture.height) // 2))  # fmt: skip
        # The number moves onto the picture so the label line has room for the role itself.
        match = _NUMBERED.match(label)
        role = label[match.end() :] if match else label
        pill(draw, (box[0] + 3, box[1] + 3), match.group(1) if match else str(number), badge, INK)
        rows = max(1, (label_box[3] - label_box[1]) // line_height(face))
        lines = wrap(role, face, label_box[2] - label_box[0], rows)
        draw_lines(draw, (label_box[0], label_box[1] + 2), lines, face, _LABEL)
