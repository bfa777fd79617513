"""Text for drawn images: the bundled fonts in any script, word wrapping and cutting to fit.

`font(size)` is a `ChainFont`: each character is drawn by the first bundled font that has
it (storyforge/render/fonts/README.md lists them), right-to-left scripts shaped by raqm.
Every measure here goes through that font, so lines wrap at what is actually drawn.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from PIL import ImageDraw, ImageFont

from storyforge.render.chainfont import ChainFont
from storyforge.render.fontchain import base_direction
from storyforge.render.scripts import unsupported_scripts

__all__ = [
    "ELLIPSIS",
    "Font",
    "draw_lines",
    "fit_line",
    "font",
    "line_height",
    "printable",
    "unsupported_scripts",
    "wrap",
]

Font = ImageFont.FreeTypeFont
ELLIPSIS = "…"
_LINE_BREAKS = dict.fromkeys(map(ord, "\t\n\r\v\f\x85\u2028\u2029"), " ")
# Kinsoku: CJK lines never start with closing marks or small kana, nor end with an opening one.
_NO_START = set("、。，．・：；？！ー）」』】〕〉》”’")  # noqa: RUF001 (these are the point)
_NO_START |= set("ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〻〜～")  # noqa: RUF001
_NO_END = set("（「『【〔〈《“‘")  # noqa: RUF001


@lru_cache(maxsize=64)
def font(size: int) -> Font:
    """The bundled fonts at a pixel size (at least 8 so text stays legible)."""
    return ChainFont(max(8, size))


def printable(text: str) -> str:
    """The text as one line: tabs and line breaks become spaces, other control codes go.

    Every other character is kept as written; one no bundled font has is drawn as its
    missing-glyph box, and `unsupported_scripts` names its script.
    """
    text = text.translate(_LINE_BREAKS)
    if text.isascii() and text.isprintable():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cc")


def line_height(face: Font) -> int:
    """Distance between baselines of consecutive lines."""
    ascent, descent = face.getmetrics()
    # Noto's ascent already leaves room for stacked accents: a little extra is enough.
    return int((ascent + descent) * 1.05)


def fit_line(text: str, face: Font, width: float) -> str:
    """The text cut to fit `width` pixels, ending in an ellipsis when cut."""
    text = printable(text)
    if face.getlength(text) <= width:
        return text
    cuts = _boundaries(text)
    # Binary search for the longest prefix that fits: prompts can run to thousands of characters.
    low, high = 0, len(cuts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if face.getlength(text[: cuts[middle]].rstrip() + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle - 1
    return text[: cuts[low]].rstrip() + ELLIPSIS if cuts[low] else ""


def wrap(text: str, face: Font, width: float, max_lines: int) -> list[str]:
    """Greedy word wrap to `width` pixels; the last kept line ends in an ellipsis if text is cut.

    Lines break at spaces, and between CJK characters, which are written without them. A
    line that would read in the other direction than its paragraph on its own (an Arabic
    phrase wrapped onto the next line of an English one) starts with an invisible
    left-to-right or right-to-left mark, so each line is drawn in the paragraph's direction.
    """
    if max_lines <= 0:
        return []
    tokens = [
        (piece, spaced and n == 0)
        for word, spaced in _tokens(printable(text))
        for n, piece in enumerate(_split_long(word, face, width))
    ]
    lines: list[str] = []
    current = ""
    for index, (word, spaced) in enumerate(tokens):
        candidate = f"{current}{' ' if spaced else ''}{word}" if current else word
        if not current or face.getlength(candidate) <= width:
            current = candidate
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines:
            rest = lines[-1] + "".join(f"{' ' if s else ''}{w}" for w, s in tokens[index:])
            lines[-1] = fit_line(rest, face, width)
            return _in_direction(lines, text)
    if current:
        lines.append(current)
    return _in_direction(lines, text)


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


def _in_direction(lines: list[str], paragraph: str) -> list[str]:
    if paragraph.isascii():
        return lines
    direction = base_direction(paragraph)
    mark = "\u200f" if direction == "rtl" else "\u200e"
    return [line if base_direction(line) == direction else mark + line for line in lines]


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Words with whether a space comes before each: CJK runs give a word per character."""
    tokens: list[tuple[str, bool]] = []
    for word in text.split():
        if word.isascii():
            tokens.append((word, True))
            continue
        start = 0
        for at in range(1, len(word)):
            if _cjk_break(word[at - 1], word[at]):
                tokens.append((word[start:at], start == 0))
                start = at
        tokens.append((word[start:], start == 0))
    return tokens


def _cjk(char: str) -> bool:
    code = ord(char)
    return 0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF or (
        0x20000 <= code <= 0x3FFFF)  # fmt: skip


def _cjk_break(before: str, after: str) -> bool:
    return (
        (_cjk(before) or _cjk(after))
        and _starts_cluster(before, after)
        and after not in _NO_START
        and before not in _NO_END
    )


def _starts_cluster(before: str, char: str) -> bool:
    # Marks, joiners, variation selectors and skin tones belong to the character before them.
    code = ord(char)
    if before == "\u200d" or 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF:
        return False
    return unicodedata.category(char) not in {"Mn", "Mc", "Me", "Cf"} and not (
        0xE0020 <= code <= 0xE007F)  # fmt: skip


def _boundaries(text: str) -> Sequence[int]:
    """Every index where the text may be cut without splitting a character from its marks."""
    if text.isascii():
        return range(len(text) + 1)
    inner = [at for at in range(1, len(text)) if _starts_cluster(text[at - 1], text[at])]
    return [0, *inner, len(text)]


def _split_long(word: str, face: Font, width: float) -> list[str]:
    pieces: list[str] = []
    while face.getlength(word) > width:
        cuts = _boundaries(word)
        if len(cuts) <= 2:
            break
        # The longest prefix that fits, and at least one character so the loop moves on.
        low, high = 1, len(cuts) - 2
        while low < high:
            middle = (low + high + 1) // 2
            if face.getlength(word[: cuts[middle]]) <= width:
                low = middle
            else:
                high = middle - 1
        pieces.append(word[: cuts[low]])
        word = word[cuts[low] :]
    return [*pieces, word]
