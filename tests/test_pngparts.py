"""A PNG assembled from bands compressed apart decodes to exactly the pixels drawn."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from storyforge.render.pngparts import Part, blank_part, compress_band, write_png

PAPER = (250, 248, 243)


def _assembled(width: int, parts: list[Part]) -> Image.Image:
    out = io.BytesIO()
    write_png(out, width, sum(part.height for part in parts), parts)
    out.seek(0)
    with Image.open(out) as image:
        image.load()  # the decoder checks the stream's Adler-32 as it reads
        return image.convert("RGB")


@pytest.mark.parametrize("height", [0, 1, 127, 128, 129, 1568])
def test_a_blank_part_is_the_pixels_of_a_drawn_blank_band(height: int) -> None:
    drawn = Image.new("RGB", (331, height), PAPER)
    blank = blank_part(331, height, PAPER)
    assert blank.size == compress_band(drawn).size
    assert blank.adler == compress_band(drawn).adler
    head = Image.new("RGB", (331, 40), (20, 30, 40))
    ImageDraw.Draw(head).text((4, 4), "scene 1", fill=(255, 255, 255))
    page = _assembled(331, [compress_band(head), blank, compress_band(head)])
    expected = Image.new("RGB", (331, 80 + height), PAPER)
    expected.paste(head, (0, 0))
    expected.paste(head, (0, 40 + height))
    assert page.tobytes() == expected.tobytes()


def test_blank_parts_of_another_colour_or_width_are_their_own() -> None:
    ink = blank_part(17, 300, (10, 20, 30))
    page = _assembled(17, [ink, blank_part(17, 5, PAPER)])
    assert page.getpixel((16, 299)) == (10, 20, 30)
    assert page.getpixel((0, 300)) == PAPER
