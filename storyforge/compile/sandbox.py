"""The sandbox a story's templates render in: immutable, with a deadline and size bounds.

Jinja's immutable sandbox already keeps a template from reaching Python internals or
changing the context. A stranger's template could still loop for ever without output
or build gigabytes from a few characters, so this one also

- checks a deadline at every call, attribute lookup, loop iteration and output;
- keeps every value a template makes (literals, `~`, `+`, `*`, `%`, method and filter
  results, macro and `{% set %}` buffers) within `limits`, refusing amplifying operations
  (`ljust`, `replace`, `join`, `format`, `indent`, …) from their arguments, before the work.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from contextlib import contextmanager
from itertools import islice
from typing import Any

import jinja2.nodes as nodes
import jinja2.runtime
from jinja2.sandbox import ImmutableSandboxedEnvironment

from storyforge.compile import limits
from storyforge.compile.bounds import (
    FILTERS,
    METHODS,
    PromptTooLong,
    TemplateOverrun,
    check_binop,
    check_estimate,
    check_format,
    check_percent,
    check_total,
    check_value,
    size_of,
    too_long,
)
from storyforge.compile.compiled import CONCAT, LOOPED, MADE, Bounds, Buffer, Generator

# Filters that look at a value's shape without printing it; every other one prints it.
_SHAPE_ONLY = frozenset(
    {"length", "count", "first", "last", "random", "default", "d", "attr", "map", "select",
     "reject", "selectattr", "rejectattr", "items", "dictsort", "sort", "unique", "reverse",
     "min", "max", "sum", "list", "groupby", "batch", "slice", "abs", "int", "float", "round",
     LOOPED, MADE, CONCAT}
)  # fmt: skip


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with a deadline per render and a bound on every value made."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = Generator

    def __init__(self, **options: Any) -> None:
        """The sandbox, with Jinja's `options` (a `finalize` of its own measures output)."""
        super().__init__(finalize=check_value, **options)
        self.globals.pop("lipsum", None)  # lipsum(10**9): text no prompt needs
        self._deadline = math.inf
        self._budget_end: float | None = None
        self.add_filters(self.filters)
        self.filters.update({LOOPED: self._looped, MADE: check_value, CONCAT: _concat})

    def add_filters(self, filters: dict[str, Callable[..., Any]]) -> None:
        """Add (or replace) filters, each measured like the built-in ones."""
        self.filters.update({name: self._guard(name, f) for name, f in filters.items()})

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        # Jinja's one parsing step, for `from_string` and every loaded file alike.
        tree: nodes.Template = Bounds().visit(super()._parse(source, name, filename))
        return tree

    def new_buffer(self) -> list[Any]:
        """An output buffer for compiled templates (see `compiled.Generator`)."""
        return Buffer(self.tick)

    @contextmanager
    def rendering(self) -> Iterator[None]:
        """Run one render against its deadline (and the compile's total budget)."""
        now = time.monotonic()
        if self._budget_end is None:
            self._budget_end = now + limits.TOTAL_RENDER_SECONDS
        self._deadline = min(now + limits.RENDER_SECONDS, self._budget_end)
        try:
            yield
        finally:
            self._deadline = math.inf

    def tick(self) -> None:
        """Refuse to go on past the deadline."""
        if time.monotonic() > self._deadline:
            if self._deadline == self._budget_end:
                seconds = f"{limits.TOTAL_RENDER_SECONDS:g} seconds in all"
                raise TemplateOverrun(f"templates ran longer than {seconds}; simplify their loops")
            seconds = f"{limits.RENDER_SECONDS:g} seconds"
            raise TemplateOverrun(f"template ran longer than {seconds}; simplify its loops")

    def bounded(self, chunks: Iterable[str], *, measure: bool = False) -> str:
        """Join a render's output, refusing it as soon as it passes the prompt limit.

        With `measure` (for the built-in templates, whose output is a few bounded values),
        the rest is counted first, so the refusal can say by how much it is too long.
        """
        out: list[str] = []
        size = 0
        for chunk in chunks:
            self.tick()
            size += len(chunk)
            if size > limits.MAX_PROMPT_CHARS and not measure:
                raise too_long()
            out.append(chunk)
        if size > limits.MAX_PROMPT_CHARS:
            raise PromptTooLong(size)
        return "".join(out)

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        """Refuse `+`, `*`, `**` and `%` whose result would pass a bound."""
        self.tick()
        check_binop(operator, left, right)
        return check_value(super().call_binop(context, operator, left, right))

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Look up an attribute, after checking the deadline."""
        self.tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: str | Any) -> Any:
        """Look up an item, after checking the deadline."""
        self.tick()
        return super().getitem(obj, argument)

    def call(
        __self,
        __context: jinja2.runtime.Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """Call a function, method or macro, refusing calls that would make too much."""
        __self.tick()
        args = _checked_call(__obj, args, kwargs)
        return check_value(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`str.format` and `format_map`, refused when their specs would make too much."""
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        fmt, mapped = value.__self__, value.__name__ == "format_map"

        def bounded(*args: Any, **kwargs: Any) -> str:
            self.tick()
            if mapped and len(args) == 1 and isinstance(args[0], Mapping):
                check_format(fmt, (), args[0])
            else:
                check_format(fmt, args, kwargs)
            return str(check_value(wrapper(*args, **kwargs)))

        return bounded

    def _looped(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.tick()
            yield item

    def _guard(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        estimate = FILTERS.get(name)
        skip = 1 if getattr(func, "jinja_pass_arg", None) else 0  # the environment or context

        @functools.wraps(func)  # keeps `jinja_pass_arg`, so Jinja still passes it
        def guarded(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            if name == "join" and len(args) > skip:
                args = (*args[:skip], _taken(args[skip]), *args[skip + 1 :])
            if name not in _SHAPE_ONLY and len(args) > skip:
                check_value(args[skip])
            if name == "format" and args:
                check_percent(str(args[0]), kwargs or args[1:])
            check_estimate(estimate, args[skip:], kwargs)
            return check_value(func(*args, **kwargs))

        return guarded


def _checked_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    owner, name = getattr(obj, "__self__", None), getattr(obj, "__name__", "")
    if not isinstance(owner, str | bytes):
        return args
    if name == "join" and args:
        args = (_taken(args[0]), *args[1:])
    check_estimate(METHODS.get(name), (owner, *args), kwargs)
    return args


def _taken(items: Any) -> Any:
    """A sized form of what a join is given, so its result can be measured first."""
    if isinstance(items, Sized):
        return items
    taken = list(islice(items, limits.MAX_PROMPT_CHARS + 1))
    if len(taken) > limits.MAX_PROMPT_CHARS:
        raise too_long()
    return taken


def _concat(parts: tuple[Any, ...]) -> str:
    check_total(*(size_of(part) for part in parts))
    return "".join(str(part) for part in parts)
