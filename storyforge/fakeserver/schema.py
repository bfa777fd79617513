"""Request bodies read as the service's proto JSON parser does: known names only, typed values.

The names and types come from `fields_generated.py` (made from the API's OpenAPI document);
camelCase and snake_case both parse, enums match in any case, and every unknown name is
reported at once in the service's own words.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from storyforge.fakeserver.envelopes import detail, invalid_argument
from storyforge.fakeserver.exchange import ApiError
from storyforge.fakeserver.fields_generated import ENUMS, MESSAGES

_PROTO = "type.googleapis.com/google.ai.generativelanguage.v1beta."
_TYPE_NAMES = {
    "string": "TYPE_STRING", "bytes": "TYPE_BYTES", "int32": "TYPE_INT32", "int64": "TYPE_INT64",
    "float": "TYPE_FLOAT", "double": "TYPE_DOUBLE", "bool": "TYPE_BOOL",
}  # fmt: skip
_INTEGER = re.compile(r"-?\d+")
_BASE64 = re.compile(r"[A-Za-z0-9+/\-_]*={0,2}")
Unknown = list[tuple[str, str]]  # (snake_case parent path, name) of each unknown field


def parse(body: Any, message: str = "GenerateContentRequest") -> dict[str, Any]:
    """The body with camelCase names and upper-case enums; raise a 400 like the service's."""
    unknown: Unknown = []
    parsed = _walk(body, f"msg:{message}", "", unknown)
    if unknown:
        raise unknown_names(unknown)
    return parsed  # type: ignore[no-any-return]


def decode_bytes(text: str) -> bytes:
    """Bytes of a proto JSON `bytes` value: standard or URL-safe base64, padded or not.

    Raises ValueError for anything else. The service's JSON mapping takes both alphabets,
    and Google's Python SDK always sends the URL-safe one.
    """
    if not _BASE64.fullmatch(text) or len(text.rstrip("=")) % 4 == 1:
        raise ValueError("not base64")
    core = text.rstrip("=")
    try:
        return base64.b64decode(core + "=" * (-len(core) % 4), altchars=b"-_", validate=False)
    except binascii.Error:
        raise ValueError("not base64") from None


def snake(name: str) -> str:
    """A camelCase field name in the proto's snake_case spelling."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _walk(value: Any, kind: str, path: str, unknown: Unknown) -> Any:
    if kind == "any":
        return value
    if kind.startswith("[]"):
        items = value if isinstance(value, list) else [value]
        return [_walk(v, kind[2:], f"{path}[{i}]", unknown) for i, v in enumerate(items)]
    if isinstance(value, list):
        raise invalid_argument(
            "Invalid JSON payload received. Proto field is not repeating, cannot start list."
        )
    prefix, _, name = kind.partition(":")
    if prefix == "msg":
        if not isinstance(value, dict):
            raise _invalid_value(path, _PROTO + name, value)
        return _walk_object(value, name, path, unknown)
    if prefix == "map":
        if not isinstance(value, dict):
            raise _invalid_value(path, "map", value)
        return {k: _walk(v, name, f"{path}[{k}]", unknown) for k, v in value.items()}
    if prefix == "enum":
        return _enum(value, name, path)
    return _scalar(value, kind, path)


def _walk_object(
    value: dict[str, Any], message: str, path: str, unknown: Unknown
) -> dict[str, Any]:
    fields = MESSAGES[message]
    names = {n: n for n in fields} | {snake(n): n for n in fields}
    parsed: dict[str, Any] = {}
    for key, item in value.items():
        name = names.get(key)
        if name is None:
            unknown.append((path, key))
        elif item is not None:  # JSON null means "not set" to the proto parser
            child = f"{path}.{snake(name)}" if path else snake(name)
            parsed[name] = _walk(item, fields[name], child, unknown)
    return parsed


def _enum(value: Any, name: str, path: str) -> str:
    values = ENUMS[name]
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(values):
        return values[value]  # proto JSON also takes an enum's number
    spelled = {v.upper(): v for v in values}
    if not isinstance(value, str) or value.upper() not in spelled:
        raise _invalid_value(path, _PROTO + name, value)
    return spelled[value.upper()]


def _scalar(value: Any, kind: str, path: str) -> Any:
    if not _fits(value, kind):
        raise _invalid_value(path, _TYPE_NAMES[kind], value)
    if kind == "bytes":
        try:
            decode_bytes(value)
        except ValueError:
            shown = value if len(value) <= 64 else value[:61] + "..."
            raise invalid_argument(
                f"Invalid value at '{path}' (TYPE_BYTES), Base64 decoding failed for \"{shown}\""
            ) from None
    return value


def _fits(value: Any, kind: str) -> bool:
    if isinstance(value, bool):
        return kind == "bool"
    if kind in {"int32", "int64"}:
        # Proto JSON takes integers as numbers or as strings of digits.
        return isinstance(value, int) or (
            isinstance(value, str) and bool(_INTEGER.fullmatch(value))
        )
    if kind in {"float", "double"}:
        return isinstance(value, int | float)
    return isinstance(value, str)


def unknown_names(unknown: Unknown) -> ApiError:
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
