"""Which writing systems of a text no bundled font can draw, by name, for one clear warning."""

from __future__ import annotations

import unicodedata

from storyforge.render.fontchain import first_font

# Words in character names that end a script's name: "TIBETAN LETTER KA" is Tibetan.
_KINDS = {
    "LETTER", "LIGATURE", "SYLLABLE", "SIGN", "DIGIT", "NUMBER", "NUMERAL", "FRACTION", "VOWEL",
    "CONSONANT", "IDEOGRAPH", "HIEROGLYPH", "LOGOGRAM", "CHARACTER", "MARK", "PUNCTUATION",
    "SYMBOL", "SUBJOINED", "INDEPENDENT", "DEPENDENT", "VIRAMA", "TONE", "HEAD", "FINAL",
    "MEDIAL", "INITIAL", "SMALL", "CAPITAL", "COMMA", "FULL", "SECTION", "SEPARATOR", "DOUBLE",
}  # fmt: skip
# Names whose first word is not the script's (Unicode names it by block or kind).
_FIRST_WORD = {
    "CJK": "Han", "KANGXI": "Han", "IDEOGRAPHIC": "Han", "HANGUL": "Hangul",
    "COMBINING": "Combining marks", "MATHEMATICAL": "Mathematical symbols",
    "MUSICAL": "Musical symbols", "BRAILLE": "Braille", "CANADIAN": "Canadian Aboriginal",
}  # fmt: skip
_EMOJI_BLOCKS = ((0x1F000, 0x1FAFF),)  # pictographs; the older symbol blocks read as symbols


def unsupported_scripts(text: str) -> list[str]:
    """Script names of the characters in `text` no bundled font has, in order of appearance.

    Spaces, control codes and invisible format characters (joiners, variation selectors) are
    never reported: nothing is drawn for them. Names follow Unicode's character names
    ("Tibetan", "Han", "Old Italic"); symbols and emoji are "Symbols" and "Emoji".
    """
    found: dict[str, None] = {}
    for char in dict.fromkeys(text):
        if not _invisible(char) and first_font(char) is None:
            found[script_name(char)] = None
    return list(found)


def script_name(char: str) -> str:
    """The name of the writing system `char` belongs to, as its Unicode name tells it."""
    name = unicodedata.name(char, "")
    code = ord(char)
    emoji = any(low <= code <= high for low, high in _EMOJI_BLOCKS)
    if not name:
        # Unnamed: private use, or assigned after the Unicode version this Python knows.
        return "Emoji" if emoji else "Private use" if unicodedata.category(char) == "Co" else (
            "Unknown")  # fmt: skip
    words = name.split()
    if words[0] in _FIRST_WORD:
        return _FIRST_WORD[words[0]]
    if unicodedata.category(char).startswith("S") or emoji:
        return "Emoji" if emoji else "Symbols"
    script = []
    for word in words:
        if word in _KINDS:
            break
        script.append(word)
    return " ".join(script).title() if script else "Symbols"


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} or (
        0xFE00 <= ord(char) <= 0xFE0F)  # fmt: skip
