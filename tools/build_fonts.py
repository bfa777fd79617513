"""Rebuild storyforge/render/fonts/: copy the Noto fonts, subset CJK, pin emoji, write licences.

Run: .venv/bin/pip install fonttools && .venv/bin/python tools/build_fonts.py \
    [--noto DIR] [--cjk TTC] [--emoji TTF] [--licence COPYRIGHT] [--out DIR]

Inputs (defaults are where Debian 12 installs them):
- `fonts-noto-core` 20201225-1: the per-script Noto Sans fonts, every glyph and feature
  kept but their TrueType hinting programs dropped: Pillow keeps no glyph cache, so FreeType
  runs them on every draw, which made a contact sheet's text three times slower to draw,
  and antialiased text at sketch sizes reads as well without them.
- `fonts-noto-cjk` 1:20220127: NotoSansCJK-Regular.ttc; its Japanese face is subset to
  `CJK_RANGES` (36,089 of its 65,535 glyphs, 8.1 MB), since the whole collection is 19 MB.
- PyPI `manimgx-fonts` 2026.9.26.post1: `NotoEmoji[wght].ttf`, the monochrome Noto Emoji,
  pinned to its Regular instance. Pillow masks text with one ink, so a colour bitmap font
  (Noto Color Emoji, CBDT, fixed at 109 px) cannot draw in a sketch's text at all.
- The OFL 1.1 text from fonts-noto-cjk's Debian copyright file, written beside every font
  under that font's own copyright line.

fontTools is needed here only; storyforge reads the fonts with Pillow and its own cmap reader.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTCollection, TTFont  # type: ignore[import-untyped]
from fontTools.varLib import instancer  # type: ignore[import-untyped]

NOTO = Path("/usr/share/fonts/truetype/noto")
CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
LICENCE = Path("/usr/share/doc/fonts-noto-cjk/copyright")
OUT = Path(__file__).resolve().parent.parent / "storyforge" / "render" / "fonts"

# Scripts in use by millions of writers today, each in its Noto Sans design so they sit together.
SCRIPTS = (
    "Arabic", "Hebrew", "Armenian", "Georgian", "Ethiopic", "Devanagari", "Bengali", "Gurmukhi",
    "Gujarati", "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala", "Thai", "Lao", "Khmer",
    "Myanmar", "Symbols", "Symbols2",
)  # fmt: skip
CJK_FACE = "Noto Sans CJK JP"  # Japanese glyph forms: manga is the likeliest CJK storyboard
CJK_OUT = "NotoSansCJKjp-Regular-Subset.otf"
EMOJI_OUT = "NotoEmoji-Regular.ttf"
# What the CJK subset keeps: every code point of these ranges that the face maps.
CJK_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x1100, 0x11FF, "Hangul Jamo"),
    (0x2E80, 0x2FDF, "CJK and Kangxi radicals"),
    (0x3000, 0x303F, "CJK symbols and punctuation"),
    (0x3040, 0x30FF, "Hiragana and Katakana"),
    (0x3100, 0x312F, "Bopomofo"),
    (0x3130, 0x318F, "Hangul compatibility Jamo"),
    (0x3190, 0x31FF, "Kanbun, Bopomofo extended, CJK strokes, Katakana extension"),
    (0x3200, 0x33FF, "Enclosed CJK letters, CJK compatibility"),
    (0x4E00, 0x9FFF, "CJK Unified Ideographs (the whole basic block)"),
    (0xA960, 0xA97F, "Hangul Jamo extended-A"),
    (0xAC00, 0xD7AF, "Hangul syllables (all 11,172) and Jamo extended-B"),
    (0xF900, 0xFAFF, "CJK compatibility ideographs"),
    (0xFE30, 0xFE4F, "CJK compatibility forms"),
    (0xFF00, 0xFFEF, "Halfwidth and fullwidth forms"),
)


def main() -> None:
    """Write the font set and its licences into `--out`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noto", type=Path, default=NOTO, help="fonts-noto-core's folder")
    parser.add_argument("--cjk", type=Path, default=CJK, help="NotoSansCJK-Regular.ttc")
    parser.add_argument("--emoji", type=Path, required=True, help="NotoEmoji[wght].ttf")
    parser.add_argument("--licence", type=Path, default=LICENCE, help="a Debian copyright file")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    ofl = ofl_text(args.licence)
    for name in ("NotoSans", *(f"NotoSans{script}" for script in SCRIPTS)):
        target = args.out / f"{name}-Regular.ttf"
        write_licence(unhinted(args.noto / target.name, target), ofl)
    write_licence(subset_cjk(args.cjk, args.out / CJK_OUT), ofl)
    write_licence(pin_emoji(args.emoji, args.out / EMOJI_OUT), ofl)


def unhinted(source: Path, target: Path) -> Path:
    """The font with every glyph, name and layout feature, and no hinting."""
    font = TTFont(str(source), recalcTimestamp=False)
    options = _keep_all()
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=font.getBestCmap())
    subsetter.subset(font)
    font.save(str(target))
    return target


def _keep_all() -> subset.Options:
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.glyph_names = True
    options.legacy_kern = True
    options.notdef_outline = True  # the missing-glyph box stays a box, as tests look for it
    return options


def subset_cjk(collection: Path, target: Path) -> Path:
    """The CJK face cut down to `CJK_RANGES`, layout features kept (vertical forms among them)."""
    faces = TTCollection(str(collection)).fonts
    face = next(f for f in faces if f["name"].getDebugName(4) == CJK_FACE)
    face.recalcTimestamp = False  # the same inputs give the same bytes
    mapped = face.getBestCmap()
    keep = [c for low, high, _ in CJK_RANGES for c in range(low, high + 1) if c in mapped]
    keep += [c for c in mapped if c < 0x250]  # its own Latin, so punctuation inside CJK matches
    options = subset.Options()
    # No `locl`: its Korean and Chinese glyph forms would double the size, and storyforge
    # never passes a language. Vertical forms stay for vertical lettering later.
    features = [f for f in options.layout_features if f != "locl"]
    options.layout_features = [*features, "vert", "vrt2"]
    options.name_IDs = ["*"]
    options.notdef_outline = True  # the missing-glyph box stays a box, as tests look for it
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=keep)
    subsetter.subset(face)
    face.save(str(target))
    return target


def pin_emoji(variable: Path, target: Path) -> Path:
    """Noto Emoji at weight 400 as a static font: smaller, and drawn the same by every FreeType."""
    font = TTFont(str(variable), recalcTimestamp=False)
    static = instancer.instantiateVariableFont(font, {"wght": 400}, updateFontNames=True)
    static.save(str(target))
    return target


def write_licence(font_path: Path, ofl: str) -> None:
    """`<font>.OFL.txt` beside the font: its copyright notice, then the licence."""
    notice = TTFont(str(font_path), lazy=True)["name"].getDebugName(0)
    grant = "This Font Software is licensed under the SIL Open Font License, Version 1.1."
    text = f"{notice}\n\n{grant}\n\n{ofl}"
    font_path.with_suffix(".OFL.txt").write_text(text, encoding="utf-8")


def ofl_text(copyright_file: Path) -> str:
    """The OFL 1.1 stanza of a Debian copyright file, as plain text."""
    lines = copyright_file.read_text(encoding="utf-8").splitlines()
    names = {"License: SIL-1.1", "License: OFL-1.1"}
    # The stanza with the text: a bare "License:" line followed by indented lines.
    start = next(n for n, line in enumerate(lines[:-1])
                 if line in names and lines[n + 1].startswith(" "))  # fmt: skip
    body = []
    for line in lines[start + 1 :]:
        if not line.startswith(" "):
            break
        # Debian indents the licence by one space and writes a blank line as " .".
        body.append("" if line == " ." else line[1:])
    return "\n".join(body).strip() + "\n"


if __name__ == "__main__":
    main()
