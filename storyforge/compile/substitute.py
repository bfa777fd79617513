"""The simplest templates, only `{{ name.key }}` substitutions, rendered without Jinja.

Compiling a Jinja template costs about 2 ms; a story of thousands of panels, each prompt
its own template, would spend seconds on that alone. A template made only of plain
substitutions of strings or numbers found in the context renders here to exactly what Jinja
would produce; anything else (tags, filters, methods, missing names, other values) is left
to Jinja, which also reports its errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_EXPRESSION = re.compile(r"\{\{ *([A-Za-z]\w*(?:\.[A-Za-z]\w*)*) *\}\}")
_DICT_ATTRIBUTES = frozenset(dir(dict))  # Jinja looks these up as methods before as keys


def substitute(source: str, context: Mapping[str, Any], limit: int) -> str | None:
    """The rendered text, or None when the template needs Jinja (or passes `limit` chars)."""
    if "{%" in source or "{#" in source:
        return None
    pieces: list[str] = []
    last = size = 0
    for match in _EXPRESSION.finditer(source):
        literal = source[last : match.start()]
        value = _lookup(match[1], context)
        size += len(literal) + len(value or "")
        if value is None or "{{" in literal or size > limit:
            return None  # Jinja renders it, or reports it with its bounds
        pieces += (literal, value)
        last = match.end()
    rest = source[last:]
    return None if "{{" in rest else "".join(pieces) + rest


def _lookup(dotted: str, context: Mapping[str, Any]) -> str | None:
    name, *keys = dotted.split(".")
    if name not in context:
        return None
    value = context[name]
    for key in keys:
        if type(value) is not dict or key in _DICT_ATTRIBUTES or key not in value:
            return None
        value = value[key]
    if type(value) is str:
        return value
    return str(value) if type(value) in {int, float} else None
