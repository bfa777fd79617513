"""Undefined names in templates, worded by where they were looked up: `vars` has no `mood`."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any, cast

import jinja2
from jinja2.utils import missing

from storyforge.diagnostics import did_you_mean

_MAX_WALK = 1000  # mappings searched for the owner of a missing key: vars are small


class UndefinedName(jinja2.UndefinedError):
    """A name a template used that is not there, with the value it was looked up in."""

    def __init__(self, message: str, owner: Any = None, name: Any = None) -> None:
        """Keep the mapping (`owner`) the missing `name` was looked up in."""
        super().__init__(message)
        self.owner = owner
        self.name = name


class StrictNames(jinja2.StrictUndefined):
    """Strict undefined values whose message says what was there instead."""

    __slots__ = ()

    def __init__(
        self, hint: str | None = None, obj: Any = missing, name: str | None = None,
        exc: type[jinja2.TemplateRuntimeError] = jinja2.UndefinedError,
    ) -> None:  # fmt: skip
        """An undefined value that raises `UndefinedName`, remembering where it was sought.

        Other errors (the sandbox's `SecurityError`) are kept as they are.
        """
        if exc is jinja2.UndefinedError:
            made = functools.partial(UndefinedName, owner=obj, name=name)
            exc = cast("type[jinja2.TemplateRuntimeError]", made)
        super().__init__(hint, obj, name, exc)

    @property
    def _undefined_message(self) -> str:
        obj, name = self._undefined_obj, self._undefined_name
        if self._undefined_hint:
            return self._undefined_hint
        if isinstance(obj, Mapping) and isinstance(name, str) and not obj:
            return f"'{name}' is undefined in the prompt template; that value is empty"
        if isinstance(obj, Mapping) and isinstance(name, str):
            keys = ", ".join(sorted(map(str, obj)))
            return f"'{name}' is undefined in the prompt template; that value has {keys}" + (
                did_you_mean(name, map(str, obj))
            )
        if obj is None and isinstance(name, str):
            return f"'{name}' of None is undefined in the prompt template; check with {{% if %}}"
        return str(super()._undefined_message)


def undefined_message(error: jinja2.UndefinedError, context: Mapping[str, Any]) -> str:
    """The message for a name a template used that is not there."""
    if isinstance(error, UndefinedName) and isinstance(error.name, str):
        owner = _vars_path(error.owner, context.get("vars"))
        if owner is not None:
            return _missing_var(owner, error.name, error.owner)
    text = str(error)
    name = re.fullmatch(r"'(.+)' is undefined", text)
    if name:
        known = ", ".join(sorted(context))
        hint = did_you_mean(name[1], context)
        return f"'{name[1]}' is undefined in the prompt template; known names: {known}{hint}"
    return text if "prompt template" in text else f"{text} in the prompt template"


def _missing_var(owner: str, name: str, values: Mapping[str, Any]) -> str:
    head = f"'{name}' is undefined in the prompt template: `{owner}` has no '{name}'"
    if not values:
        return f"{head} ({owner} is empty); add `{name}:` under `{owner}` in the story"
    keys = ", ".join(sorted(map(str, values)))
    return f"{head}; it has {keys}{did_you_mean(name, map(str, values))}"


def _vars_path(owner: Any, values: Any) -> str | None:
    """`vars`, or `vars.a.b`, when `owner` is that very mapping of the story's vars."""
    for path, mapping in _mappings(values, "vars"):
        if mapping is owner:
            return path
    return None


def _mappings(value: Any, path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    stack, seen = [(path, value)], 0
    while stack and seen < _MAX_WALK:
        path, value = stack.pop()
        if isinstance(value, Mapping):
            seen += 1
            yield path, value
            stack.extend((f"{path}.{k}", v) for k, v in value.items() if isinstance(k, str))
