"""The request log: one record per request, in memory and as JSON lines, with every key redacted."""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from storyforge.errors import UsageError
from storyforge.fakeserver.auth import SECRET_HEADERS
from storyforge.fakeserver.schema import decode_bytes

REDACTED = "***"
_INLINE = ("inlineData", "inline_data")
# Shorter "keys" would scrub ordinary words out of prompts; such keys are still redacted where
# they are sent (headers and ?key=), just not hunted for in free text.
_MIN_SCRUBBED = 4


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers with every credential replaced by ***."""
    return {k: REDACTED if k in SECRET_HEADERS else v for k, v in headers.items()}


def redact_target(path: str, query: Mapping[str, str]) -> str:
    """The request path and query, with ?key= replaced by ***."""
    if not query:
        return path
    shown = {k: REDACTED if k == "key" else v for k, v in query.items()}
    return f"{path}?{urlencode(shown, safe='*')}"


def body_for_log(raw: bytes) -> Any:
    """A JSON body with each inlineData.data replaced by its sha256 and size; other bytes hashed."""
    if not raw:
        return None
    try:
        return _without_image_data(json.loads(raw))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _digest(raw)


class LogWriteError(Exception):
    """The log file could not take a record; the request is answered with a 500 saying so."""


class RequestLog:
    """Thread-safe list of request records, also appended to a JSON-lines file when given.

    A log file that cannot be opened is refused at once (UsageError), before any request:
    a test reading the log must not find it silently empty.
    """

    def __init__(self, path: Path | None, secret: str) -> None:
        self._path = path
        self._secret = secret
        self._records: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        if path is not None:
            try:
                path.open("a", encoding="utf-8").close()
            except OSError as error:
                raise UsageError(_cannot_write(path, error)) from None

    def add(self, record: dict[str, Any], presented: Iterable[str] = ()) -> None:
        """Scrub every key (the server's and those the request presented) and keep the record."""
        self.keep(self.scrub(record, presented))

    def scrub(self, record: dict[str, Any], presented: Iterable[str] = ()) -> dict[str, Any]:
        """The record with every key (the server's and those presented) replaced."""
        secrets = {s for s in (self._secret, *presented) if len(s) >= _MIN_SCRUBBED}
        clean: dict[str, Any] = _scrub(record, sorted(secrets, key=len, reverse=True))
        return clean

    def keep(self, clean: dict[str, Any]) -> None:
        """Append an already scrubbed record (and write it to the log file)."""
        with self._lock:
            self._records.append(clean)
            if self._path is not None:
                try:
                    with self._path.open("a", encoding="utf-8") as out:
                        out.write(json.dumps(clean, ensure_ascii=False) + "\n")
                except OSError as error:
                    raise LogWriteError(_cannot_write(self._path, error)) from None

    def records(self) -> list[dict[str, Any]]:
        """A copy of every record so far, oldest first."""
        with self._lock:
            return copy.deepcopy(self._records)


def _without_image_data(value: Any) -> Any:
    if isinstance(value, list):
        return [_without_image_data(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _without_image_data(v) for k, v in value.items()}
    for name in _INLINE:
        blob = value.get(name)
        if isinstance(blob, dict) and isinstance(blob.get("data"), str):
            out[name] = {**blob, "data": _digest(_decoded(blob["data"]))}
    return out


def _cannot_write(path: Path, error: OSError) -> str:
    return f"the fake server cannot write its log {path}: {error.strerror or error}"


def _decoded(text: str) -> bytes:
    try:
        return decode_bytes(text)
    except ValueError:
        return text.encode()


def _digest(data: bytes) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def _scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    if isinstance(value, dict):
        return {_scrub(k, secrets): _scrub(v, secrets) for k, v in value.items()}
    return value
