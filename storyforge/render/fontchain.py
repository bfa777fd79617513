"""The bundled fonts in fallback order, and text cut into runs that one font each draws.

Each character goes to the first font of `CHAIN` that maps it. Marks, joiners, variation
selectors, spaces and punctuation stay with the run before them when its font has them, so
a word keeps its font and a right-to-left phrase keeps its spaces for the shaper. Runs are
then put in visual order with the Unicode bidirectional algorithm's rules applied to whole
runs (raqm orders the characters inside each run).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from storyforge.render.cmap import Coverage, read_coverage

FONTS = Path(__file__).resolve().parent / "fonts"
# The first font sets the line metrics. Scripts before symbols, so a script's own punctuation
# wins; the symbol fonts before CJK, whose symbols are full-width; emoji last, chosen first
# only where the text asks for emoji presentation with U+FE0F.
CHAIN: tuple[str, ...] = (
    "NotoSans-Regular.ttf", "NotoSansArabic-Regular.ttf", "NotoSansHebrew-Regular.ttf",
    "NotoSansArmenian-Regular.ttf", "NotoSansGeorgian-Regular.ttf",
    "NotoSansEthiopic-Regular.ttf", "NotoSansDevanagari-Regular.ttf",
    "NotoSansBengali-Regular.ttf", "NotoSansGurmukhi-Regular.ttf",
    "NotoSansGujarati-Regular.ttf", "NotoSansTamil-Regular.ttf", "NotoSansTelugu-Regular.ttf",
    "NotoSansKannada-Regular.ttf", "NotoSansMalayalam-Regular.ttf",
    "NotoSansSinhala-Regular.ttf", "NotoSansThai-Regular.ttf", "NotoSansLao-Regular.ttf",
    "NotoSansKhmer-Regular.ttf", "NotoSansMyanmar-Regular.ttf", "NotoSansSymbols-Regular.ttf",
    "NotoSansSymbols2-Regular.ttf", "NotoSansCJKjp-Regular-Subset.otf", "NotoEmoji-Regular.ttf",
)  # fmt: skip
PRIMARY = 0
EMOJI = len(CHAIN) - 1
EMOJI_PRESENTATION = "\ufe0f"
_ATTACHED = {"Mn", "Mc", "Me", "Cf"}  # drawn with the character they follow
_NEUTRAL = {"WS", "ON", "S", "B", "CS", "ES"}  # classes that take the direction around them


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive characters drawn by one font of the chain."""

    font: int  # index into CHAIN
    text: str
    strong: str  # "L" or "R" from its first strong character, "N" when it has none


def font_path(index: int) -> Path:
    """The file of the chain's font at `index`."""
    return FONTS / CHAIN[index]


@lru_cache(maxsize=len(CHAIN))
def coverage(index: int) -> Coverage:
    """The characters the chain's font at `index` has glyphs for."""
    return read_coverage(font_path(index))


@lru_cache(maxsize=8192)
def first_font(char: str) -> int | None:
    """The index of the first font of the chain that has `char`, None when no font has it."""
    return next((i for i in range(len(CHAIN)) if char in coverage(i)), None)


def strong(char: str) -> str:
    """The character's strong direction: "L", "R" (Hebrew and Arabic letters) or "N"."""
    kind = unicodedata.bidirectional(char)
    return "R" if kind in {"R", "AL"} else "L" if kind == "L" else "N"


def split_runs(text: str) -> tuple[Run, ...]:
    """The text cut into runs in logical order, each drawn by one font."""
    fonts: list[int] = []
    current: int | None = None
    for index, char in enumerate(text):
        current = _choose(char, text[index + 1 : index + 2], current)
        fonts.append(current)
    runs: list[Run] = []
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or fonts[index] != fonts[start]:
            part = text[start:index]
            runs.append(Run(fonts[start], part, _first_strong(part)))
            start = index
    return tuple(runs)


def _choose(char: str, following: str, current: int | None) -> int:
    if following == EMOJI_PRESENTATION and char in coverage(EMOJI):
        return EMOJI
    sticky = unicodedata.category(char) in _ATTACHED or strong(char) == "N"
    # The emoji font's space is an emoji wide: spaces between emoji come from the text fonts.
    if current == EMOJI and char.isspace():
        sticky = False
    if current is not None and sticky and char in coverage(current):
        return current
    found = first_font(char)
    if found is not None:
        return found
    # Nothing has it: the current font draws its missing-glyph box, so the gap shows.
    return PRIMARY if current is None else current


def _first_strong(text: str) -> str:
    return next((kind for kind in map(strong, text) if kind != "N"), "N")


def base_direction(text: str) -> str:
    """The paragraph direction, "rtl" or "ltr", from its first strong character."""
    return "rtl" if _first_strong(text) == "R" else "ltr"


def visual_runs(runs: tuple[Run, ...], direction: str) -> list[tuple[Run, bool]]:
    """The runs left to right as drawn, each with whether it is laid out right to left."""
    base = "R" if direction == "rtl" else "L"
    runs = _detach_neutrals(runs)
    resolved = _resolve_neutrals([run.strong for run in runs], base)
    # Levels of the bidirectional algorithm: even runs read left to right, odd ones right to left.
    levels = [(1 if kind == "R" else 2) if base == "R" else (1 if kind == "R" else 0)
              for kind in resolved]  # fmt: skip
    order = list(range(len(runs)))
    for level in range(max(levels, default=0), 0, -1):
        at = 0
        while at < len(order):
            end = at
            while end < len(order) and levels[order[end]] >= level:
                end += 1
            order[at:end] = reversed(order[at:end])
            at = end + 1
    return [(runs[i], resolved[i] == "R") for i in order]


def _detach_neutrals(runs: tuple[Run, ...]) -> tuple[Run, ...]:
    # Spaces and punctuation at a run's ends sit between it and its neighbours, so they are
    # ordered with the runs (a dash between Arabic and Latin), not inside one. Digits stay:
    # raqm orders numbers inside an Arabic run as Arabic writing does.
    out: list[Run] = []
    for run in runs:
        text = run.text
        lead = _neutral_length(text) if run.strong != "N" else 0
        trail = _neutral_length(text[::-1]) if run.strong != "N" else 0
        parts = ((text[:lead], "N"), (text[lead : len(text) - trail], run.strong),
                 (text[len(text) - trail :], "N"))  # fmt: skip
        out += [Run(run.font, part, kind) for part, kind in parts if part]
    return tuple(out)


def _neutral_length(text: str) -> int:
    return next((n for n, c in enumerate(text) if unicodedata.bidirectional(c) not in _NEUTRAL),
                len(text))  # fmt: skip


def _resolve_neutrals(kinds: list[str], base: str) -> list[str]:
    # A neutral run between runs of one direction takes it; otherwise the paragraph's.
    before: list[str] = []
    last = base
    for kind in kinds:
        before.append(last)
        last = kind if kind != "N" else last
    after: list[str] = []
    last = base
    for kind in reversed(kinds):
        after.append(last)
        last = kind if kind != "N" else last
    after.reverse()
    return [kind if kind != "N" else (b if b == a else base)
            for kind, b, a in zip(kinds, before, after, strict=True)]  # fmt: skip
