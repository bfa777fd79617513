"""Text for drawn images: the built-in scalable font, glyph fallbacks and word wrapping."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from PIL import ImageDraw, ImageFont

Font = ImageFont.FreeTypeFont
ELLIPSIS = "…"

# The built-in font covers ASCII and a little punctuation; these read better than a box.
_SUBSTITUTES = {
    "\u2014": "-", "\u2013": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u00d7": "x", "\u2192": "->", "\u2190": "<-", "\u00a0": " ", "\t": " ", "\n": " ",
    "\r": " ",
}  # fmt: skip


@lru_cache(maxsize=64)
def font(size: int) -> Font:
    """The built-in scalable font at a pixel size (at least 8 so text stays legible)."""
    loaded = ImageFont.load_default(size=max(8, size))
    assert isinstance(loaded, ImageFont.FreeTypeFont)  # Pillow has FreeType since 10.1
    return loaded


@lru_cache(maxsize=1)
def _missing_glyph() -> bytes:
    return bytes(font(16).getmask("\uffff"))


@lru_cache(maxsize=4096)
def _has_glyph(char: str) -> bool:
    return char.isspace() or bytes(font(16).getmask(char)) != _missing_glyph()


@lru_cache(maxsize=4096)
def _printable_char(char: str) -> str:
    if char in _SUBSTITUTES:
        return _SUBSTITUTES[char]
    if _has_glyph(char):
        return char
    # Accented letters lose their accent rather than becoming a box: "é" -> "e".
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if base and all(_has_glyph(c) for c in base):
        return base
    return "?"


def printable(text: str) -> str:
    """The text with every character the built-in font lacks replaced by its nearest look-alike."""
    return "".join(_printable_char(c) for c in text)


def line_height(face: Font) -> int:
    """Distance between baselines of consecutive lines."""
    ascent, descent = face.getmetrics()
    return int((ascent + descent) * 1.15)


def fit_line(text: str, face: Font, width: float) -> str:
    """The text cut to fit `width` pixels, ending in an ellipsis when cut."""
    text = printable(text)
    if face.getlength(text) <= width:
        return text
    # Binary search for the longest prefix that fits: prompts can run to thousands of characters.
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if face.getlength(text[:middle].rstrip() + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS if low else ""


def _split_long(word: str, face: Font, width: float) -> list[str]:
    pieces: list[str] = []
    while face.getlength(word) > width and len(word) > 1:
        cut = len(word) - 1
        while cut > 1 and face.getlength(word[:cut]) > width:
            cut -= 1
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word]


def wrap(text: str, face: Font, width: float, max_lines: int) -> list[str]:
    """Greedy word wrap to `width` pixels; the last kept line ends in an ellipsis if text is cut."""
    if max_lines <= 0:
        return []
    words = [p for w in printable(text).split() for p in _split_long(w, face, width)]
    lines: list[str] = []
    current = ""
    for index, word in enumerate(words):
        candidate = f"{current} {word}" if current else word
        if not current or face.getlength(candidate) <= width:
            current = candidate
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines:
            rest = " ".join([lines[-1], *words[index:]])
            lines[-1] = fit_line(rest, face, width)
            return lines
    if current:
        lines.append(current)
    return lines


def draw_lines(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    lines: list[str],
    face: Font,
    fill: tuple[int, int, int],
) -> float:
    """Draw lines top-down from `xy`; returns the y below the last line."""
    x, y = xy
    step = line_height(face)
    for line in lines:
        draw.text((x, y), line, font=face, fill=fill)
        y += step
    return y
