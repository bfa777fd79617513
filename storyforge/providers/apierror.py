"""Error bodies of Google, CometAPI or neither, read into one typed, one-line, redacted error."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from storyforge.errors import ProviderError

# 524 is CometAPI's gateway timeout (PROTOCOL.md §1).
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 524})
MAX_MESSAGE = 300
REFUSED = "refused"  # the code of a request storyforge itself would not send
# The 429 of a prepaid project whose credits ran out: no details, and no wait will clear it.
_BILLING = "prepayment credits are depleted"

_KEY_IN_URL = re.compile(r"([?&](?:key|api_key)=)[^&\s\"'<>]+", re.IGNORECASE)
_RETRY_IN = re.compile(r"retry in\s+(\d+(?:\.\d+)?)\s*(ms|s)\b", re.IGNORECASE)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]*>", re.IGNORECASE | re.DOTALL)


class ApiError(ProviderError):
    """An error answer (or a broken connection), with what the retry policy needs to know."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str = "",
        reason: str = "",
        retry_delay_s: float | None = None,
        quota_exhausted: bool = False,
        transport: bool = False,
        deadline: bool = False,
        billing: bool = False,
    ) -> None:
        self.code = code
        self.reason = reason
        self.retry_delay_s = retry_delay_s
        self.quota_exhausted = quota_exhausted or billing
        self.transport = transport
        self.deadline = deadline  # the request ran out of its total time (a kind of transport)
        self.billing = billing  # prepaid credits are used up: no call succeeds until topped up
        retryable = transport or (status in RETRYABLE_STATUSES and not self.quota_exhausted)
        # CometAPI answers malformed input with 500 "invalid_request": re-sending cannot help.
        retryable = retryable and code != "invalid_request"
        super().__init__(message, status=status, retryable=retryable)

    def one_line(self) -> str:
        """`HTTP 503 UNAVAILABLE: The model is overloaded.` (or the transport failure)."""
        if self.code == REFUSED or self.deadline:
            return str(self)
        if self.transport:
            return f"connection failed: {self}"
        if not self.status:
            return f"unreadable answer: {self}"
        return f"HTTP {self.status}{' ' + self.code if self.code else ''}: {self}"


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret, and any `?key=` value in a URL, with `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _KEY_IN_URL.sub(r"\1***", text)


def parse_duration(value: object) -> float | None:
    """Seconds of a protobuf Duration string such as `21s` or `2.500s`; None if not one."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    return float(match.group(1)) if match else None


def delay_from_text(text: str) -> float | None:
    """Seconds from a `Please retry in 21.337s` (or `…in 800ms`) message; None if absent."""
    match = _RETRY_IN.search(text)
    if not match:
        return None
    return float(match.group(1)) / (1000 if match.group(2).lower() == "ms" else 1)


def delay_from_header(headers: Mapping[str, str]) -> float | None:
    """Seconds of a numeric `Retry-After` header; None if absent or a date."""
    value = headers.get("retry-after", "").strip()
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    """One line: tags stripped, whitespace collapsed, cut to `limit` characters."""
    text = " ".join(html.unescape(_TAGS.sub(" ", text)).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def error_payload(data: Any) -> dict[str, Any] | None:
    """The `error` object of a body, bare or array-wrapped (`[{"error": …}]`), else None."""
    if isinstance(data, list) and data and isinstance(data[0], dict):
        data = data[0]
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else None


def parse_error(
    status: int, body: bytes, headers: Mapping[str, str], secrets: Iterable[str]
) -> ApiError:
    """Read an HTTP error answer in any envelope (or none) into an ApiError."""
    secrets = tuple(secrets)
    text = body.decode("utf-8", "replace")
    try:
        payload = error_payload(json.loads(text))
    except ValueError:
        payload = None
    if payload is not None:
        error = from_payload(payload, secrets, status=status)
        if error.retry_delay_s is None and (wait := delay_from_header(headers)) is not None:
            error.retry_delay_s = wait
        return error
    if 300 <= status < 400:
        where = redact(headers.get("location", "elsewhere"), secrets)
        message = f"redirected to {where}: check the base URL"
    else:
        message = shorten(redact(text, secrets)) or "empty answer"
    return ApiError(message, status=status, retry_delay_s=delay_from_header(headers))


def from_payload(payload: Mapping[str, Any], secrets: Iterable[str], *, status: int) -> ApiError:
    """Read an `error` object (Google's `{code, status, message, details}` or CometAPI's)."""
    raw_message = str(payload.get("message", ""))
    details = [d for d in payload.get("details", ()) or () if isinstance(d, dict)]
    code = payload.get("code")
    if isinstance(code, int) and code >= 400:
        status = code  # a mid-stream error arrives inside a 200
    label = str(payload.get("status") or (code if isinstance(code, str) else "") or "")
    return ApiError(
        shorten(redact(raw_message, secrets)) or "no message",
        status=status,
        code=label,
        reason=_detail_reason(details),
        retry_delay_s=_detail_delay(details) or delay_from_text(raw_message),
        quota_exhausted=status == 429 and _quota_exhausted(raw_message, details),
        billing=status == 429 and _BILLING in raw_message.lower(),
    )


def _of_type(details: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [d for d in details if str(d.get("@type", "")).endswith(f"google.rpc.{name}")]


def _detail_reason(details: list[dict[str, Any]]) -> str:
    return next((str(d.get("reason", "")) for d in _of_type(details, "ErrorInfo")), "")


def _detail_delay(details: list[dict[str, Any]]) -> float | None:
    delays = (parse_duration(d.get("retryDelay")) for d in _of_type(details, "RetryInfo"))
    return next((d for d in delays if d is not None), None)


def _quota_exhausted(message: str, details: list[dict[str, Any]]) -> bool:
    # "limit: 0" never clears (image output has no free tier), and a per-day quota will not
    # reset within a build: waiting either out only burns the user's time (PROTOCOL.md §5).
    if "limit: 0" in message:
        return True
    violations = (v for d in _of_type(details, "QuotaFailure") for v in d.get("violations", ()))
    return any("PerDay" in str(v.get("quotaId", "")) for v in violations if isinstance(v, dict))
