"""Format versions: which version a file declares, and which fields that version has.

One set of models reads every version; a field that a later version added carries
`since` in its schema, and a file of an earlier version that uses it is told which
version has it instead of getting "did you mean" a field it cannot use.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from storyforge.diagnostics import Diagnostic
from storyforge.errors import StoryError
from storyforge.story.models import FORMAT_VERSIONS, LATEST_VERSION, Line, RoledRef, Story
from storyforge.story.sourcemap import SourceMap, YamlPath, format_path

VERSION_PATH: YamlPath = ("storyforge",)
_NEW_MODELS: dict[type[BaseModel], str] = {RoledRef: "1.1"}  # whole mappings a later version added
_NO_SPEAKER = ("caption", "narration")


def declared_version(document: dict[Any, Any]) -> str:
    """The version a document declares ("1" or "1.1"); the latest when it is unreadable."""
    value = document.get("storyforge")
    if type(value) is int and value == 1:
        return "1"
    return LATEST_VERSION


def version_problems(document: dict[Any, Any], source: SourceMap) -> list[Diagnostic]:
    """A missing or unknown version as a diagnostic; StoryError for a newer one."""
    if "storyforge" not in document:
        message = "missing format version; add `storyforge: 1.1` as the first line"
        return [source.diagnostic((), message)]
    value = document["storyforge"]
    if (type(value) is int and value == 1) or (type(value) is float and value == 1.1):
        return []
    if type(value) in (int, float) and value > 1.1:
        message = (
            f"format version {value} is newer than this storyforge supports "
            f"({LATEST_VERSION}); upgrade storyforge"
        )
        raise StoryError([source.diagnostic(VERSION_PATH, message)])
    message = f"unknown format version {value!r}; write `storyforge: {LATEST_VERSION}`"
    return [source.diagnostic(VERSION_PATH, message)]


def since(field: FieldInfo) -> str:
    """The format version that added a field."""
    extra = field.json_schema_extra
    found = extra.get("since") if isinstance(extra, dict) else None
    return str(found) if found else FORMAT_VERSIONS[0]


def fields_in(model: type[BaseModel], version: str) -> list[str]:
    """The keys of `model` a file of `version` may write (aliases as written)."""
    order = FORMAT_VERSIONS.index(version)
    return [
        field.alias or name
        for name, field in model.model_fields.items()
        if FORMAT_VERSIONS.index(since(field)) <= order
    ]


def newer_field_problems(
    document: dict[Any, Any], source: SourceMap, version: str
) -> list[Diagnostic]:
    """Every key (or reference mapping) a later version added, used in a file of `version`."""
    found: list[tuple[YamlPath, str]] = []
    _walk(document, Story, (), version, found)
    problems = []
    for path, added in found:
        line, column = source.locate(path, at_key=isinstance(path[-1], str))
        what = f"key '{path[-1]}'" if isinstance(path[-1], str) else "reference mapping"
        message = (
            f"{what} is format {added}, this file is format {version}; "
            f"write `storyforge: {added}` to use it"
        )
        where = format_path(path[:-1])
        problems.append(Diagnostic(source.file_at(path), line, column, where, message))
    return problems


def speaker_problems(story: Story, source: SourceMap) -> list[Diagnostic]:
    """Lines other than captions and narration need a speaker."""
    problems = []
    for s, scene in enumerate(story.scenes):
        for p, panel in enumerate(scene.panels):
            for n, line in enumerate(panel.dialogue):
                if line.who is None and line.kind not in _NO_SPEAKER:
                    at: YamlPath = ("scenes", s, "panels", p, "dialogue", n)
                    problems.append(source.diagnostic(at, _missing_who(line)))
    return problems


def _missing_who(line: Line) -> str:
    return (
        f"missing required field 'who' (a {line.kind} line needs its speaker; "
        "captions and narration do not: `kind: narration`)"
    )


def _walk(value: Any, annotation: Any, path: YamlPath, version: str, found: list[Any]) -> None:
    annotation = _strip(annotation)
    origin = get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        _walk_model(value, annotation, path, version, found)
    elif origin is tuple and isinstance(value, list):
        for n, item in enumerate(value):
            _walk(item, get_args(annotation)[0], (*path, n), version, found)
    elif origin is dict and isinstance(value, dict):
        for key, item in value.items():
            _walk(item, get_args(annotation)[1], (*path, key), version, found)
    elif origin in (Union, types.UnionType) and isinstance(value, dict):
        for arg in get_args(annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                _walk_model(value, arg, path, version, found)


def _walk_model(
    value: Any, model: type[BaseModel], path: YamlPath, version: str, found: list[Any]
) -> None:
    if not isinstance(value, dict):
        return
    added = _NEW_MODELS.get(model)
    if added and _later(added, version):
        found.append((path, added))
        return
    by_key = {field.alias or name: field for name, field in model.model_fields.items()}
    for key, item in value.items():
        field = by_key.get(key)
        if field is None:
            continue
        if _later(since(field), version):
            found.append(((*path, key), since(field)))
        else:
            _walk(item, field.annotation, (*path, key), version, found)


def _later(added: str, version: str) -> bool:
    return FORMAT_VERSIONS.index(added) > FORMAT_VERSIONS.index(version)


def _strip(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation
