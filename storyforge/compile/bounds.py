"""Size bounds on what a template makes, checked before the work that would make it.

Every string, list, mapping or number a template creates is kept within `limits`; an
operation whose result would pass a bound (`ljust(10**9)`, a huge `replace` or `join`, a
`%1000000000d` width) is refused from its arguments, before any memory is taken. Nested
values are measured by their printed size, with a walk that stops at the bound, so a list
holding itself a million times over is refused without being walked.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping, Sized
from typing import Any

from storyforge.compile import limits


class TemplateBound(Exception):
    """A template that would run too long or make too much; `str()` says which bound."""


class TemplateOverrun(TemplateBound):
    """A template that ran past its deadline (remembered, so it is not run again)."""


class PromptTooLong(TemplateBound):
    """A built-in template's whole output over the prompt limit, with its measured size."""

    def __init__(self, size: int) -> None:
        """Say how long the rendered prompt came out."""
        self.size = size
        super().__init__(f"the rendered prompt is {size:,} characters")


def too_long() -> TemplateBound:
    """The refusal of anything longer than the prompt limit."""
    return TemplateBound(f"template text longer than {limits.MAX_PROMPT_CHARS:,} characters")


def flat_size(value: Any, limit: int) -> int:
    """About how many characters `value` prints as; counting stops soon after `limit`."""
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, Mapping):
            total += 2 + 4 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            stack.extend(item)
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        else:  # numbers, None, the sandbox's own objects: small, or checked where made
            total += 8
    return total


def check_value(value: Any) -> Any:
    """`value`, when it is within the bounds."""
    if isinstance(value, int) and value.bit_length() > limits.MAX_INT_BITS:
        raise TemplateBound("number too large in template")
    if isinstance(value, str | bytes):
        if len(value) > limits.MAX_PROMPT_CHARS:
            raise too_long()
    elif flat_size(value, limits.MAX_PROMPT_CHARS) > limits.MAX_PROMPT_CHARS:
        raise too_long()
    return value


def check_total(*sizes: int) -> None:
    """Refuse a result whose estimated size passes the prompt limit."""
    if sum(sizes) > limits.MAX_PROMPT_CHARS:
        raise too_long()


def size_of(value: Any) -> int:
    """The printed size of one value, as far as the bound needs to know."""
    return flat_size(value, limits.MAX_PROMPT_CHARS + 1)


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse `+`, `*`, `**` and `%` whose result would pass a bound."""
    if operator == "**" and isinstance(right, int) and isinstance(left, int | float):
        if abs(right) > 64 or (isinstance(left, int) and left.bit_length() * right > 4096):
            raise TemplateBound("exponent too large in template")
    elif operator == "*":
        _check_product(left, right)
    elif operator == "+" and not isinstance(left, int | float):
        check_total(size_of(left), size_of(right))
    elif operator == "%" and isinstance(left, str):
        check_percent(left, right)


def _check_product(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > limits.MAX_INT_BITS:
            raise TemplateBound("number too large in template")
        return
    for seq, count in ((left, right), (right, left)):
        if isinstance(count, int) and isinstance(seq, str | bytes | list | tuple):
            check_total(size_of(seq) * max(count, 0))


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def check_percent(fmt: str, args: Any) -> None:
    """Refuse a `%` format whose widths or precisions would make a huge string."""
    values = args if isinstance(args, tuple) else (args,)
    widths = [w for m in _PERCENT.finditer(fmt) for w in m.groups() if w]
    check_total(len(fmt), *(size_of(v) for v in values), *(_width(w, values) for w in widths))


def check_format(fmt: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Refuse a `str.format` whose format specs would make a huge string."""
    values = (*args, *kwargs.values())
    try:
        specs = [spec for _, _, spec, _ in string.Formatter().parse(fmt) if spec]
    except ValueError:
        specs = []  # a malformed format fails in str.format itself, with Python's message
    # A nested `{}` in a spec takes its width from the arguments: count the largest.
    widths = [w for spec in specs for w in (*re.findall(r"\d+", spec), "*" * ("{" in spec))]
    sizes = (size_of(v) for v in values)
    check_total(len(fmt), *sizes, *(_width(w, values) for w in widths if w))


def _width(width: str, values: tuple[Any, ...]) -> int:
    if width != "*":
        return int(width) if len(width) < 12 else limits.MAX_PROMPT_CHARS + 1
    return max((abs(v) for v in values if isinstance(v, int)), default=0)


def _count(text: Any, old: Any) -> int:
    if isinstance(text, str) and isinstance(old, str):
        return text.count(old) if old else len(text) + 1
    if isinstance(text, bytes) and isinstance(old, bytes):
        return text.count(old) if old else len(text) + 1
    return 0


def _replace(s: Any, old: Any, new: Any = "", count: Any = -1, **_: Any) -> int:
    hits = _count(s, old)
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    return size_of(s) + hits * size_of(new)


def _pad(s: Any, width: Any = 80, *_: Any, **__: Any) -> int:
    return max(size_of(s), width if isinstance(width, int) else 0)


def _indent(s: Any, width: Any = 4, *_: Any, **__: Any) -> int:
    lines = s.count("\n") + 1 if isinstance(s, str) else 1
    return size_of(s) + lines * (width if isinstance(width, int) else size_of(width))


def _tabs(s: Any, tabsize: Any = 8) -> int:
    tabs = s.count("\t") if isinstance(s, str) else 0
    return size_of(s) + tabs * (tabsize if isinstance(tabsize, int) else 0)


def _translate(s: Any, table: Any) -> int:
    values = table.values() if isinstance(table, Mapping) else ()
    return size_of(s) * max((size_of(v) for v in values), default=1)


def _join_method(sep: Any, iterable: Any) -> int:
    count = len(iterable) if isinstance(iterable, Sized) else 0
    return size_of(iterable) + count * size_of(sep)


def _join_filter(value: Any, d: Any = "", attribute: Any = None) -> int:
    return _join_method(d, value) if attribute is None else 0


# The estimates take the same parameters as the filters, so arguments land where Jinja's do.
def _wrap(
    s: Any,
    width: Any = 79,
    break_long_words: Any = True,  # noqa: ARG001
    wrapstring: Any = None,
    **_: Any,
) -> int:
    lines = size_of(s) // max(width if isinstance(width, int) else 1, 1) + 1
    return size_of(s) + lines * (size_of(wrapstring) if wrapstring is not None else 1)


def _batch(value: Any, linecount: Any, fill_with: Any = None) -> int:  # noqa: ARG001
    return linecount if isinstance(linecount, int) else 0


def _slice(value: Any, slices: Any, fill_with: Any = None) -> int:  # noqa: ARG001
    return slices if isinstance(slices, int) else 0


PAD = {"ljust": _pad, "rjust": _pad, "center": _pad, "zfill": _pad}
# What each amplifying str method can make, from its arguments (the string first).
METHODS: dict[str, Callable[..., int]] = {
    **PAD, "replace": _replace, "expandtabs": _tabs, "translate": _translate,
    "join": _join_method,
}  # fmt: skip
# And each amplifying filter, from its arguments (the filtered value first).
FILTERS: dict[str, Callable[..., int]] = {
    "center": _pad, "indent": _indent, "replace": _replace, "join": _join_filter,
    "wordwrap": _wrap, "batch": _batch, "slice": _slice,
}  # fmt: skip


def check_estimate(
    estimate: Callable[..., int] | None, args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> None:
    """Refuse a call whose `estimate` of its result passes the prompt limit."""
    if estimate is not None:
        try:
            size = estimate(*args, **kwargs)
        except TypeError:
            return  # wrong arguments: the call itself fails with Python's message
        check_total(size)
