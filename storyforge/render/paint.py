"""Drawing primitives shared by the sketch and the contact sheet: colours, gradients, badges."""

from __future__ import annotations

from PIL import Image, ImageDraw

from storyforge.render.text import Font, fit_line

RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]  # left, top, right, bottom (exclusive)

INK: RGB = (28, 28, 34)
PAPER: RGB = (250, 248, 243)
WHITE: RGB = (255, 255, 255)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """The colour `t` of the way from `a` to `b`."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def lighter(color: RGB, t: float) -> RGB:
    """The colour mixed towards white."""
    return mix(color, WHITE, t)


def darker(color: RGB, t: float) -> RGB:
    """The colour mixed towards black."""
    return mix(color, (0, 0, 0), t)


def text_on(color: RGB) -> RGB:
    """Ink or white, whichever reads better on `color`."""
    luma = 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2]
    return INK if luma > 150 else WHITE


def vertical_gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    """An RGB image fading from `top` to `bottom`."""
    width, height = size
    ramp = Image.linear_gradient("L").resize((1, max(1, height)), Image.Resampling.BILINEAR)
    bands = [
        ramp.point([round(a + (b - a) * v / 255) for v in range(256)])
        for a, b in zip(top, bottom, strict=True)
    ]
    column = Image.merge("RGB", bands)
    return column.resize((max(1, width), max(1, height)), Image.Resampling.NEAREST)


def pill(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    label: str,
    face: Font,
    fill: RGB,
    *,
    max_width: int = 10_000,
    anchor_right: bool = False,
    outline: RGB | None = None,
) -> Box:
    """Draw a rounded badge with `label` at `xy` (its top-left, or top-right); returns its box."""
    size = int(face.size)
    pad_x, pad_y = round(size * 0.6), round(size * 0.3)
    text = fit_line(label, face, max_width - 2 * pad_x)
    width = round(face.getlength(text)) + 2 * pad_x
    height = round(size * 1.2) + 2 * pad_y
    left = xy[0] - width if anchor_right else xy[0]
    box = (left, xy[1], left + width, xy[1] + height)
    draw.rounded_rectangle(box, radius=height // 2, fill=fill, outline=outline,
                           width=max(1, size // 10))  # fmt: skip
    draw.text(
        (left + width / 2, xy[1] + height / 2), text, font=face, fill=text_on(fill), anchor="mm"
    )
    return box


def hatch(
    canvas: Image.Image, box: Box, background: RGB, color: RGB, spacing: int, width: int = 2
) -> None:
    """Fill `box` with diagonal lines: the mark of a frame that has no picture."""
    left, top, right, bottom = box
    tile = Image.new("RGB", (max(1, right - left), max(1, bottom - top)), background)
    draw = ImageDraw.Draw(tile)
    height = bottom - top
    # Drawn on a tile of the box's size so Pillow clips the lines to the box.
    for offset in range(-height, right - left, max(4, spacing)):
        draw.line([(offset, height), (offset + height, 0)], fill=color, width=width)
    canvas.paste(tile, (left, top))


def marked_box(draw: ImageDraw.ImageDraw, box: Box, color: RGB, face: Font, word: str) -> None:
    """A crossed-out box with a word: where an image could not be read."""
    stroke = max(2, int(face.size) // 8)
    draw.rectangle(box, fill=lighter(color, 0.85), outline=color, width=stroke)
    left, top, right, bottom = box
    draw.line([(left, top), (right - 1, bottom - 1)], fill=color, width=stroke)
    draw.line([(left, bottom - 1), (right - 1, top)], fill=color, width=stroke)
    text = fit_line(word, face, right - left - 4)
    center = ((left + right) / 2, (top + bottom) / 2)
    tw = face.getlength(text)
    plate = (center[0] - tw / 2 - 4, center[1] - face.size * 0.7, center[0] + tw / 2 + 4,
             center[1] + face.size * 0.7)  # fmt: skip
    draw.rectangle(plate, fill=WHITE)
    draw.text(center, text, font=face, fill=darker(color, 0.2), anchor="mm")
