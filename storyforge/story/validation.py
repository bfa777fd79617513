"""Validate plain story data against the models, rewording pydantic's errors for people."""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from storyforge.diagnostics import Diagnostic, did_you_mean
from storyforge.story.models import ID_PATTERN, Story
from storyforge.story.sourcemap import SourceMap, YamlPath, format_path
from storyforge.story.versions import (
    VERSION_PATH,
    declared_version,
    fields_in,
    newer_field_problems,
    speaker_problems,
    version_problems,
)

_ID_RULE = "ids are lowercase letters, digits, '-' and '_', starting with a letter or digit"
_BOUNDS = {
    "greater_than_equal": ("at least", "ge"),
    "less_than_equal": ("at most", "le"),
    "greater_than": ("more than", "gt"),
    "less_than": ("less than", "lt"),
}
_NOUNS: dict[Any, tuple[str, str]] = {
    str: ("a string", "strings"),
    int: ("an integer", "integers"),
    float: ("a number", "numbers"),
    bool: ("true or false", "true/false values"),
}


def validate_document(
    document: dict[Any, Any],
    source: SourceMap,
    raw: Mapping[YamlPath, str],
    refused: Collection[YamlPath],
) -> tuple[Story | None, list[Diagnostic]]:
    """Check the format version, then validate `document` as a Story.

    `raw` holds the source text of non-string scalars (for "quote it" hints); errors under
    a `refused` path were already reported while reading the YAML and are left out.

    Returns:
        The story (None when invalid) and every problem found.

    Raises:
        StoryError: at once when the format version is newer than this storyforge reads.
    """
    problems = version_problems(document, source)
    version = declared_version(document)
    problems += newer_field_problems(document, source, version)
    skip = {*refused, VERSION_PATH}
    try:
        story = Story.model_validate(document)
    except ValidationError as error:
        for item in error.errors(include_url=False):
            loc = tuple(item["loc"])
            if not any(loc[:n] in skip for n in range(len(loc) + 1)) and not _echo(item):
                problems.append(_diagnostic(item, loc, source, raw, version))
        return None, problems
    problems += speaker_problems(story, source)
    return story, problems


def _echo(item: ErrorDetails) -> bool:
    """Whether the error only repeats others: pydantic counts a list's invalid items as absent."""
    if item["type"] != "too_short" or not isinstance(item["input"], list | tuple):
        return False
    least: int = item.get("ctx", {}).get("min_length", 1)
    return len(item["input"]) >= least


def _diagnostic(
    item: ErrorDetails,
    loc: YamlPath,
    source: SourceMap,
    raw: Mapping[YamlPath, str],
    version: str,
) -> Diagnostic:
    if item["type"] == "missing":
        return source.diagnostic(loc[:-1], f"missing required field '{loc[-1]}'")
    if item["type"] == "extra_forbidden":
        known = _annotation_at(loc[:-1])
        fields = fields_in(known, version) if _is_model(known) else ()
        return _at_key(source, loc, f"unknown key '{loc[-1]}'{did_you_mean(str(loc[-1]), fields)}")
    error = _Error(item["type"], item["input"], item.get("ctx", {}), loc, raw.get(loc))
    message = _WORDING.get(error.kind, _type_message)(error) or _lower(item["msg"])
    if loc[-1:] == ("[key]",):
        return _at_key(source, loc[:-1], message)
    return source.diagnostic(loc, message)


def _at_key(source: SourceMap, path: YamlPath, message: str) -> Diagnostic:
    line, column = source.locate(path, at_key=True)
    return Diagnostic(source.file_at(path), line, column, format_path(path[:-1]), message)


@dataclass(frozen=True, slots=True)
class _Error:
    kind: str
    value: Any
    ctx: Mapping[str, Any]
    loc: YamlPath
    raw: str | None  # the source text, when the value was a number, boolean or null

    @property
    def name(self) -> str:
        return next((p for p in reversed(self.loc) if isinstance(p, str) and p != "[key]"), "")


def _pattern_message(error: _Error) -> str:
    value = str(error.value)
    fixed = re.sub(r"[^a-z0-9_-]+", "-", value.lower()).strip("-_")
    hint = f" (did you mean '{fixed}'?)" if fixed and re.fullmatch(ID_PATTERN, fixed) else ""
    return f"invalid id '{value}'{hint}: {_ID_RULE}"


def _bound_message(error: _Error) -> str:
    words, key = _BOUNDS[error.kind]
    return f"{error.name} must be {words} {error.ctx[key]}, got {error.value!r}"


def _too_short_message(error: _Error) -> str:
    least = error.ctx.get("min_length", 1)
    return f"{error.name} must not be empty" if least == 1 else f"needs at least {least} items"


def _literal_message(error: _Error) -> str | None:
    annotation = _annotation_at(error.loc)
    if get_origin(annotation) is not Literal:
        return None
    choices = [str(c) for c in get_args(annotation)]
    either = " or ".join([", ".join(choices[:-1]), choices[-1]] if len(choices) > 1 else choices)
    hint = did_you_mean(error.value, choices) if isinstance(error.value, str) else ""
    if error.raw is not None and error.raw.lower() in choices:
        # YAML reads a bare `off`, `on`, `yes` or `no` as true or false.
        quoted = f'write "{error.raw}"'
        return f"{error.name} must be {either}; a bare {error.raw} is a boolean in YAML: {quoted}"
    return f"{error.name} must be {either}, not {error.value!r}{hint}"


def _type_message(error: _Error) -> str | None:
    if not error.kind.endswith(("_type", "_parsing", "_from_float")):
        return None
    expected = _expected(_annotation_at(error.loc))
    if expected is None:
        return None
    shown = not error.kind.endswith("_type")
    message = f"expected {expected}, got {_got(error.value, shown=shown)}"
    if expected == "a string" and error.raw and not isinstance(error.value, str | None):
        message += f'; quote it: "{error.raw}"'
    return message


_WORDING: dict[str, Callable[[_Error], str | None]] = {
    "string_pattern_mismatch": _pattern_message,
    "too_short": _too_short_message,
    "literal_error": _literal_message,
    **dict.fromkeys(_BOUNDS, _bound_message),
}


def _got(value: Any, *, shown: bool) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return str(value).lower()
    if shown:
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "..."
    kinds = ((str, "a string"), (int | float, "a number"), (list, "a list"), (dict, "a mapping"))
    return next((word for kind, word in kinds if isinstance(value, kind)), "a value")


def _expected(annotation: Any) -> str | None:
    if get_origin(annotation) is tuple:
        inner = _noun(get_args(annotation)[0], plural=True)
        return f"a list of {inner}" if inner else "a list"
    return _noun(annotation, plural=False)


def _noun(annotation: Any, *, plural: bool) -> str | None:
    annotation = _unwrap(annotation)
    if get_origin(annotation) is Literal:
        return "strings" if plural else "one of " + ", ".join(map(str, get_args(annotation)))
    if get_origin(annotation) is dict or _is_model(annotation):
        return "mappings" if plural else "a mapping"
    nouns = _NOUNS.get(annotation)
    return nouns[plural] if nouns else None


def _annotation_at(loc: YamlPath) -> Any:
    """The type the models expect at `loc` (`[key]` meaning a mapping's key), or None."""
    if loc[-1:] == ("[key]",):
        loc = (*loc[:-2], "[key]")
    annotation: Any = Story
    for item in loc:
        annotation = _unwrap(annotation)
        if _is_model(annotation) and isinstance(item, str) and item in annotation.model_fields:
            annotation = annotation.model_fields[item].annotation
        elif get_origin(annotation) is tuple and isinstance(item, int):
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) is dict:
            annotation = get_args(annotation)[0 if item == "[key]" else 1]
        else:
            return None
    return _unwrap(annotation)


def _unwrap(annotation: Any) -> Any:
    """Strip `Annotated[...]` and `| None` down to the type that matters for wording."""
    while True:
        origin = get_origin(annotation)
        args = [a for a in get_args(annotation) if a is not type(None)]
        if origin is Annotated or (origin in (Union, types.UnionType) and len(args) == 1):
            annotation = args[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]
