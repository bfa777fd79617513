"""Frames of the animatic as raw RGBA bytes: the title card and each panel letterboxed on black.

A panel without a picture is a dark frame with its status and reason, so the cut keeps
its timing. Burned-in words sit in a dark band at the bottom, as subtitles do.
"""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image, ImageDraw

from storyforge.render.text import Font, draw_lines, font, line_height, wrap
from storyforge.render.thumbs import load_fitted

BLACK = (0, 0, 0)
WHITE = (245, 245, 240)
GREY = (150, 150, 155)
RED = (235, 90, 80)


def frame_size(aspect: float, height: int) -> tuple[int, int]:
    """Width and height with this aspect ratio, both even (as H.264 in 4:2:0 needs)."""
    even_height = height - height % 2
    return max(2, round(even_height * aspect / 2) * 2), even_height


def title_frame(size: tuple[int, int], title: str, lines: Sequence[str]) -> bytes:
    """The title card (RGBA bytes): the story's title large, a few facts under it."""
    canvas = Image.new("RGB", size, BLACK)
    draw = ImageDraw.Draw(canvas)
    width, height = size
    big, small = font(height // 12), font(height // 30)
    title_lines = wrap(title, big, width * 0.8, 3)
    block = line_height(big) * len(title_lines) + line_height(small) * (len(lines) + 1)
    y = (height - block) / 2
    y = _centred(draw, title_lines, big, width, y, WHITE)
    _centred(draw, list(lines), small, width, y + line_height(small), GREY)
    return canvas.convert("RGBA").tobytes()


def panel_frame(
    size: tuple[int, int],
    image: bytes | None,
    missing: tuple[str, str],
    words: Sequence[str] = (),
) -> bytes:
    """A panel's picture fitted on black, or `missing` (status, reason); `words` burned in."""
    canvas = Image.new("RGB", size, BLACK)
    draw = ImageDraw.Draw(canvas)
    picture = load_fitted(image, size) if image is not None else None
    if picture is not None:
        canvas.paste(picture, ((size[0] - picture.width) // 2, (size[1] - picture.height) // 2))
    else:
        _missing(draw, size, *missing)
    if words:
        _burn_in(canvas, words)
    return canvas.convert("RGBA").tobytes()


def _missing(draw: ImageDraw.ImageDraw, size: tuple[int, int], status: str, reason: str) -> None:
    width, height = size
    draw.rectangle((0, 0, width - 1, height - 1), fill=(28, 24, 24), outline=RED, width=4)
    big, small = font(height // 10), font(height // 28)
    y = _centred(draw, [status.upper()], big, width, height * 0.36, RED)
    _centred(draw, wrap(reason, small, width * 0.8, 3), small, width, y, GREY)


def _burn_in(canvas: Image.Image, words: Sequence[str]) -> None:
    width, height = canvas.size
    face = font(max(12, height // 24))
    lines = [line for text in words for line in wrap(text, face, width * 0.86, 2)][:4]
    band = line_height(face) * len(lines) + height // 30
    shade = Image.new("RGB", (width, band), BLACK)
    top = height - band - height // 40
    canvas.paste(Image.blend(canvas.crop((0, top, width, top + band)), shade, 0.7), (0, top))
    _centred(ImageDraw.Draw(canvas), lines, face, width, top + height // 60, WHITE)


def _centred(
    draw: ImageDraw.ImageDraw,
    lines: list[str],
    face: Font,
    width: int,
    y: float,
    fill: tuple[int, int, int],
) -> float:
    for line in lines:
        y = draw_lines(draw, ((width - face.getlength(line)) / 2, y), [line], face, fill)
    return y
