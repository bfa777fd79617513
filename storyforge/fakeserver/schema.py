"""The generateContent body's known fields: parse camelCase or snake_case, reject unknown names."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from storyforge.fakeserver.envelopes import detail, invalid_argument
from storyforge.fakeserver.exchange import ApiError

_PROTO = "type.googleapis.com/google.ai.generativelanguage.v1beta."
_SCALAR_TYPES: Mapping[str, tuple[type, ...]] = {
    "TYPE_STRING": (str,), "TYPE_BOOL": (bool,), "TYPE_INT32": (int, str),
    "TYPE_FLOAT": (int, float),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Scalar:
    """A leaf value of a proto type such as TYPE_STRING; "any" takes any JSON."""

    kind: str


@dataclass(frozen=True, slots=True)
class Enum:
    """A proto enum: names match case-insensitively and come back upper-case."""

    type_name: str
    values: frozenset[str]


@dataclass(frozen=True, slots=True)
class Obj:
    """A proto message: its camelCase field names and their specs."""

    type_name: str
    fields: Mapping[str, Spec] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Repeated:
    """A repeated field; a lone value is taken as a list of one, as the service does."""

    item: Spec


Spec = Scalar | Enum | Obj | Repeated
STRING, INT, FLOAT, BOOL, ANY = (Scalar(k) for k in ("TYPE_STRING", "TYPE_INT32", "TYPE_FLOAT",
                                                      "TYPE_BOOL", "any"))  # fmt: skip

_PART = Obj("Part", {
    "text": STRING, "thought": BOOL, "thoughtSignature": STRING,
    "inlineData": Obj("Blob", {"mimeType": STRING, "data": STRING}),
    "fileData": Obj("FileData", {"mimeType": STRING, "fileUri": STRING}),
})  # fmt: skip
_CONTENT = Obj("Content", {"role": STRING, "parts": Repeated(_PART)})
_MODALITY = Enum("GenerationConfig.Modality", frozenset({"TEXT", "IMAGE", "AUDIO"}))
_LEVEL = Enum("ThinkingConfig.ThinkingLevel", frozenset({"MINIMAL", "LOW", "MEDIUM", "HIGH"}))
_GENERATION_CONFIG = Obj("GenerationConfig", {
    "responseModalities": Repeated(_MODALITY), "candidateCount": INT, "maxOutputTokens": INT,
    "seed": INT, "temperature": FLOAT, "topP": FLOAT, "topK": INT,
    "stopSequences": Repeated(STRING),
    "imageConfig": Obj("ImageConfig", {"aspectRatio": STRING, "imageSize": STRING}),
    "thinkingConfig": Obj("ThinkingConfig", {
        "thinkingLevel": _LEVEL, "includeThoughts": BOOL, "thinkingBudget": INT,
    }),
})  # fmt: skip
_SAFETY_SETTING = Obj("SafetySetting", {"category": STRING, "threshold": STRING, "method": STRING})
REQUEST = Obj("GenerateContentRequest", {
    "contents": Repeated(_CONTENT), "systemInstruction": _CONTENT,
    "generationConfig": _GENERATION_CONFIG, "safetySettings": Repeated(_SAFETY_SETTING),
    "tools": Repeated(ANY), "toolConfig": ANY, "cachedContent": STRING,
})  # fmt: skip


def parse(body: Any, spec: Obj = REQUEST) -> dict[str, Any]:
    """The body with camelCase names and upper-case enums; raise a 400 like the service's.

    Every unknown name is reported at once, one BadRequest field violation each.
    """
    unknown: list[tuple[str, str]] = []
    parsed = _walk(body, spec, "", unknown)
    if unknown:
        raise unknown_names(unknown)
    return parsed  # type: ignore[no-any-return]


def snake(name: str) -> str:
    """A camelCase field name in the proto's snake_case spelling."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _walk(value: Any, spec: Spec, path: str, unknown: list[tuple[str, str]]) -> Any:
    if spec == ANY:
        return value
    if isinstance(spec, Repeated):
        items = value if isinstance(value, list) else [value]
        return [_walk(v, spec.item, f"{path}[{i}]", unknown) for i, v in enumerate(items)]
    if isinstance(value, list):
        raise invalid_argument("Invalid JSON payload received. Proto field is not repeating, "
                               "cannot start list.")  # fmt: skip
    if isinstance(spec, Obj):
        if not isinstance(value, dict):
            raise _invalid_value(path, _PROTO + spec.type_name, value)
        return _walk_object(value, spec, path, unknown)
    if isinstance(spec, Enum):
        if not isinstance(value, str) or value.upper() not in spec.values:
            raise _invalid_value(path, _PROTO + spec.type_name, value)
        return value.upper()
    if not _fits(value, spec):
        raise _invalid_value(path, spec.kind, value)
    return value


def _fits(value: Any, spec: Scalar) -> bool:
    if isinstance(value, bool):
        return spec == BOOL
    if spec == INT and isinstance(value, str):
        return re.fullmatch(r"-?\d+", value) is not None  # proto JSON takes int64 as strings too
    return isinstance(value, _SCALAR_TYPES.get(spec.kind, object))


def _walk_object(
    value: dict[str, Any], spec: Obj, path: str, unknown: list[tuple[str, str]]
) -> dict[str, Any]:
    names = {n: n for n in spec.fields} | {snake(n): n for n in spec.fields}
    parsed: dict[str, Any] = {}
    for key, item in value.items():
        name = names.get(key)
        if name is None:
            unknown.append((path, key))
        elif item is not None:  # JSON null means "not set" to the proto parser
            child = f"{path}.{snake(name)}" if path else snake(name)
            parsed[name] = _walk(item, spec.fields[name], child, unknown)
    return parsed


def unknown_names(unknown: list[tuple[str, str]]) -> ApiError:
    """The 400 for unknown field names, given as (snake_case parent path, name) pairs."""
    violations = []
    for path, name in unknown:
        where = f" at '{path}'" if path else ""
        text = f'Invalid JSON payload received. Unknown name "{name}"{where}: Cannot find field.'
        violations.append({"field": path, "description": text} if path else {"description": text})
    message = "\n".join(v["description"] for v in violations)
    return invalid_argument(message, detail("BadRequest", fieldViolations=violations))


def _invalid_value(path: str, type_name: str, value: Any) -> ApiError:
    shown = json.dumps(value)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    text = f"Invalid value at '{path}' ({type_name}), {shown}"
    return invalid_argument(
        text, detail("BadRequest", fieldViolations=[{"field": path, "description": text}])
    )
