"""Error envelopes, redaction, retry delays and the verdicts drawn from them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storyforge.providers.apierror import (
    delay_from_header,
    delay_from_text,
    parse_duration,
    parse_error,
    redact,
    shorten,
)
from storyforge.providers.retry import QUOTA_EXHAUSTED, judge

KEY = "AIzaSyD-secret-key-123"


def body(data: Any) -> bytes:
    return json.dumps(data).encode()


def google(code: int, status: str, message: str, *details: dict[str, Any]) -> bytes:
    return body(
        {"error": {"code": code, "status": status, "message": message, "details": list(details)}}
    )


RETRY_21 = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "21s"}


def quota(quota_id: str) -> dict[str, Any]:
    return {
        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
        "violations": [{"quotaMetric": "m", "quotaId": quota_id}],
    }


def test_google_envelope_with_retry_info() -> None:
    message = "You exceeded your current quota. Please retry in 21.337004s."
    raw = google(429, "RESOURCE_EXHAUSTED", message, quota("GenerateRequestsPerMinute"), RETRY_21)
    error = parse_error(429, raw, {}, [KEY])
    assert (error.status, error.code, error.retry_delay_s) == (429, "RESOURCE_EXHAUSTED", 21.0)
    assert error.retryable and not error.quota_exhausted
    assert error.one_line() == f"HTTP 429 RESOURCE_EXHAUSTED: {message}"


def test_delay_falls_back_to_message_then_header() -> None:
    raw = google(429, "RESOURCE_EXHAUSTED", "Slow down. Please retry in 2.5s.")
    assert parse_error(429, raw, {"retry-after": "9"}, []).retry_delay_s == 2.5
    raw = google(503, "UNAVAILABLE", "The model is overloaded.")
    assert parse_error(503, raw, {"retry-after": "9"}, []).retry_delay_s == 9.0
    assert parse_error(503, raw, {}, []).retry_delay_s is None
    assert parse_error(503, b"<html>busy</html>", {"retry-after": "3"}, []).retry_delay_s == 3.0


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("21s", 21.0), ("2.500s", 2.5), ("0s", 0.0), ("21", None), ("s", None), (21, None)],
)
def test_parse_duration(text: object, seconds: float | None) -> None:
    assert parse_duration(text) == seconds


def test_delay_from_text_and_header() -> None:
    assert delay_from_text("Please retry in 21.337004s.") == 21.337004
    assert delay_from_text("please retry in 800ms") == 0.8
    assert delay_from_text("try later") is None
    assert delay_from_header({"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"}) is None
    assert delay_from_header({}) is None


@pytest.mark.parametrize(
    "raw",
    [
        google(
            429, "RESOURCE_EXHAUSTED", "Quota exceeded for metric: x_free_tier_requests, limit: 0"
        ),
        google(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded.",
            quota("GenerateRequestsPerDayPerProject"),
            RETRY_21,
        ),
    ],
)
def test_limit_zero_and_per_day_quota_are_fatal(raw: bytes) -> None:
    error = parse_error(429, raw, {}, [])
    assert error.quota_exhausted and not error.retryable
    verdict = judge(error, key_env_var="GEMINI_API_KEY", model="m")
    assert (verdict.action, verdict.fatal, verdict.reason) == ("fail", True, QUOTA_EXHAUSTED)


def test_comet_envelope_and_invalid_request_is_not_retried() -> None:
    raw = body(
        {
            "error": {
                "code": "",
                "message": "model name is required (request id: 2026)",
                "type": "comet_api_error",
            }
        }
    )
    error = parse_error(400, raw, {}, [])
    assert (error.status, str(error)) == (400, "model name is required (request id: 2026)")
    raw = body(
        {"error": {"code": "invalid_request", "message": "bad input", "type": "comet_api_error"}}
    )
    error = parse_error(500, raw, {}, [])
    assert error.code == "invalid_request"
    assert not error.retryable
    assert parse_error(524, body({"error": {"code": "", "message": "timeout"}}), {}, []).retryable


def test_array_wrapped_error() -> None:
    raw = body([{"error": {"code": 503, "status": "UNAVAILABLE", "message": "overloaded"}}])
    error = parse_error(503, raw, {}, [])
    assert (error.code, str(error), error.retryable) == ("UNAVAILABLE", "overloaded", True)


def test_html_and_redirect_bodies_become_one_short_line() -> None:
    page = (
        b"<html><head><style>p{x:y}</style><title>502</title></head><body><h1>Bad\nGateway</h1>"
        + b"x" * 900
        + b"</body></html>"
    )
    error = parse_error(502, page, {}, [])
    assert "\n" not in str(error) and "<" not in str(error)
    assert str(error).startswith("502 Bad Gateway")
    assert len(str(error)) <= 300
    assert error.retryable
    moved = parse_error(301, b"", {"location": f"https://elsewhere/v1?key={KEY}"}, [KEY])
    assert str(moved) == "redirected to https://elsewhere/v1?key=***: check the base URL"
    assert not moved.retryable
    assert str(parse_error(500, b"", {}, [])) == "empty answer"


def test_key_is_redacted_everywhere() -> None:
    raw = google(400, "INVALID_ARGUMENT", f"API key not valid: {KEY}. Please pass a valid API key.")
    error = parse_error(400, raw, {}, [KEY])
    assert KEY not in error.one_line() and "***" in str(error)
    page = f"<p>GET /v1beta/models?alt=json&key={KEY}</p>".encode()
    assert KEY not in str(parse_error(404, page, {}, []))
    assert redact(f"https://h/x?key={KEY}&a=1 {KEY}", [KEY]) == "https://h/x?key=***&a=1 ***"


def test_mid_stream_error_takes_its_code_as_status() -> None:
    from storyforge.providers.apierror import from_payload

    error = from_payload({"code": 503, "status": "UNAVAILABLE", "message": "x"}, [], status=200)
    assert (error.status, error.retryable) == (503, True)
    error = from_payload({"message": "x"}, [], status=200)
    assert (error.status, error.retryable) == (200, False)


@pytest.mark.parametrize(
    ("status", "raw", "action", "fatal", "reason"),
    [
        (
            503,
            google(503, "UNAVAILABLE", "overloaded"),
            "retry",
            False,
            "HTTP 503 UNAVAILABLE: overloaded",
        ),
        (
            401,
            google(401, "UNAUTHENTICATED", "OAuth"),
            "fail",
            True,
            "the API key was refused (HTTP 401): check GEMINI_API_KEY",
        ),
        (
            403,
            google(403, "PERMISSION_DENIED", "unregistered callers"),
            "fail",
            True,
            "the API key was refused (HTTP 403): check GEMINI_API_KEY",
        ),
        (
            400,
            google(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."),
            "fail",
            True,
            "the API key was refused (HTTP 400): check GEMINI_API_KEY",
        ),
        (
            404,
            google(404, "NOT_FOUND", "models/x is not found"),
            "fail",
            True,
            "model 'gemini-x' is retired or unknown; pick one with --model "
            "(storyforge models lists them)",
        ),
        (
            400,
            google(400, "INVALID_ARGUMENT", 'Unknown name "n"'),
            "fail",
            False,
            'HTTP 400 INVALID_ARGUMENT: Unknown name "n"',
        ),
    ],
)
def test_judge(status: int, raw: bytes, action: str, fatal: bool, reason: str) -> None:
    verdict = judge(
        parse_error(status, raw, {}, []), key_env_var="GEMINI_API_KEY", model="gemini-x"
    )
    assert (verdict.action, verdict.fatal, verdict.reason) == (action, fatal, reason)


def test_shorten() -> None:
    assert shorten("a\n  b&amp;c") == "a b&c"
    assert shorten("x" * 500, 10) == "x" * 9 + "…"
