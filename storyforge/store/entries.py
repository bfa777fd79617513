"""Index entries of the store and the checks that every value read back is what it claims.

An index file may come from a stranger's repository, a crash or a disk error, so each is
parsed against a schema: a wrong type, an empty `outputs`, a hash that is not 64 lowercase
hex digits is a ValueError saying where (the store turns it into a cache miss).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

_HEX64 = re.compile(r"[0-9a-f]{64}")
_MIME = re.compile(r"[a-z]+/[a-z0-9.+-]{1,60}")
_MAX_SIDE = 1 << 16


def is_hash(value: object) -> bool:
    """Whether `value` is a sha256 as storyforge writes it: 64 lowercase hex digits."""
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class StoredOutput:
    """One output image of a call: its object and what its header says."""

    sha256: str
    mime_type: str
    width: int
    height: int
    size: int


@dataclass(frozen=True, slots=True)
class Entry:
    """A successful call's result, stored under its request key and take number."""

    key: str
    take: int
    outputs: tuple[StoredOutput, ...]
    text: str = ""
    usage: dict[str, int] = field(default_factory=dict)
    cost_usd: float = 0.0
    attempts: int = 1
    provider: str = ""
    model_version: str = ""

    def to_json(self) -> str:
        """Stable JSON for the index file."""
        return json.dumps(asdict(self), sort_keys=True, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Entry:
        """Parse and check an index file; ValueError naming the first bad field."""
        return parse_entry(json.loads(text))


def parse_entry(raw: object) -> Entry:
    """An Entry from decoded JSON, every field checked; ValueError naming the first bad one."""
    obj = _object(raw, "entry", required={"key", "take", "outputs"}, optional=_OPTIONAL)
    outputs = obj["outputs"]
    if not isinstance(outputs, list) or not outputs:
        raise ValueError("outputs: expected a non-empty list")
    return Entry(
        key=_hash(obj["key"], "key"),
        take=_count(obj["take"], "take", least=1),
        outputs=tuple(_output(o, f"outputs[{n}]") for n, o in enumerate(outputs)),
        text=_text(obj.get("text", ""), "text"),
        usage=_usage(obj.get("usage", {})),
        cost_usd=_cost(obj.get("cost_usd", 0.0)),
        attempts=_count(obj.get("attempts", 1), "attempts", least=0),
        provider=_text(obj.get("provider", ""), "provider"),
        model_version=_text(obj.get("model_version", ""), "model_version"),
    )


_OPTIONAL = {"text", "usage", "cost_usd", "attempts", "provider", "model_version"}
_OUTPUT_FIELDS = {"sha256", "mime_type", "width", "height", "size"}


def _output(raw: object, where: str) -> StoredOutput:
    obj = _object(raw, where, required=_OUTPUT_FIELDS, optional=set())
    mime = obj["mime_type"]
    if not isinstance(mime, str) or _MIME.fullmatch(mime) is None:
        raise ValueError(f"{where}.mime_type: expected a MIME type such as image/png")
    return StoredOutput(
        sha256=_hash(obj["sha256"], f"{where}.sha256"),
        mime_type=mime,
        width=_count(obj["width"], f"{where}.width", least=0, most=_MAX_SIDE),
        height=_count(obj["height"], f"{where}.height", least=0, most=_MAX_SIDE),
        size=_count(obj["size"], f"{where}.size", least=1),
    )


def _object(raw: object, where: str, *, required: set[str], optional: set[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected an object")
    missing = sorted(required - raw.keys())
    unknown = sorted(k for k in raw if k not in required | optional)
    if missing or unknown:
        what = f"missing {missing[0]!r}" if missing else f"unknown field {str(unknown[0])[:40]!r}"
        raise ValueError(f"{where}: {what}")
    return raw


def _hash(value: object, where: str) -> str:
    if not is_hash(value):
        raise ValueError(f"{where}: expected 64 lowercase hex digits")
    return str(value)


def _count(value: object, where: str, *, least: int, most: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise ValueError(f"{where}: expected an integer of at least {least}")
    if most is not None and value > most:
        raise ValueError(f"{where}: expected an integer of at most {most}")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected a string")
    return value


def _usage(value: object) -> dict[str, int]:
    if not isinstance(value, dict):
        raise ValueError("usage: expected an object")
    return {_text(k, "usage"): _count(v, f"usage.{k}", least=0) for k, v in value.items()}


def _cost(value: object) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(float(value)) or float(value) < 0:  # type: ignore[arg-type]
        raise ValueError("cost_usd: expected a number of at least 0")
    return float(value)  # type: ignore[arg-type]
