"""Small text helpers that turn prompt pieces into clean sentences (used by the templates)."""

from __future__ import annotations

import re

_JINJA_MARKS = ("{{", "{%", "{#")
_SPACE_BEFORE_MARK = re.compile(r" ([,.;:!?])")
_MARK_BEFORE_STOP = re.compile(r"[,;:]+(?=[.!?])")
_DOUBLED_STOP = re.compile(r"([!?])\.(?!\.)|(?<!\.)\.\.(?!\.)")


def is_template(source: str) -> bool:
    """Whether the text uses Jinja at all (plain text is used as written, without a render)."""
    return any(mark in source for mark in _JINJA_MARKS)


def tidy(text: str) -> str:
    """One paragraph: blank lines dropped, spaces collapsed, no space before punctuation."""
    out = " ".join(text.split())
    out = _SPACE_BEFORE_MARK.sub(r"\1", out)
    out = _MARK_BEFORE_STOP.sub("", out)
    return _DOUBLED_STOP.sub(lambda m: m[1] or ".", out)


def clause(value: object) -> str:
    """Text made to sit inside a sentence: spaces collapsed, trailing punctuation dropped."""
    return " ".join(str(value).split()).rstrip(" .,;:")


def capfirst(value: object) -> str:
    """The text with its first character upper-cased (the rest untouched)."""
    text = str(value)
    return text[:1].upper() + text[1:]


def sentence(value: object) -> str:
    """A clause made a sentence: first letter upper-cased, ending in one full stop ("" stays "")."""
    text = " ".join(str(value).split()).rstrip(" ,;:")
    if not text:
        return ""
    return capfirst(text if text.endswith((".", "!", "?", "…")) else text + ".")
