"""The values a route takes and gives: the Incoming request and the Answer to send."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

JSON_TYPE = "application/json; charset=UTF-8"
HTML_TYPE = "text/html; charset=UTF-8"


@dataclass(frozen=True, slots=True)
class Incoming:
    """One HTTP request as read off the socket; header names lower-case."""

    method: str
    path: str  # without the query string
    query: Mapping[str, str]  # the first value of each parameter
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class Answer:
    """One HTTP answer: a whole body, a chunked stream of events, or a dropped connection."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()
    events: tuple[bytes, ...] | None = None
    drop: bool = False
    drip_s: float = 0.0  # > 0: the body goes out one byte per this many seconds


class ApiError(Exception):
    """An error answer raised from deep inside a route; the handler sends `answer`."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        super().__init__(f"HTTP {answer.status}")


def json_answer(payload: Any, status: int = 200, headers: Sequence[tuple[str, str]] = ()) -> Answer:
    """A pretty-printed JSON answer, as Google's unary endpoints send."""
    body = json.dumps(payload, indent=2, ensure_ascii=False).encode()
    return Answer(status, body + b"\n", headers=tuple(headers))
