"""The bodies of injected faults: quota and server errors, HTML pages, broken JSON."""

from __future__ import annotations

import json
from typing import Any

from storyforge.capabilities import MODELS
from storyforge.fakeserver import schema, validate
from storyforge.fakeserver.envelopes import (
    RETRY_MESSAGE,
    detail,
    file_not_found,
    google_error,
    html_answer,
    invalid_argument,
    model_not_found,
)
from storyforge.fakeserver.exchange import HTML_TYPE, Answer, ApiError

_QUOTA_INTRO = (
    "You exceeded your current quota, please check your plan and billing details. For more "
    "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. "
    "To monitor your current usage, head to: https://ai.dev/rate-limit. \n"
)
_METRIC = "generativelanguage.googleapis.com/generate_content_{}_requests"
_HELP = detail(
    "Help",
    links=[
        {
            "description": "Learn more about Gemini API quotas",
            "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
        }
    ],
)
_SIMPLE = {
    "500": (500, "INTERNAL", RETRY_MESSAGE),
    "502": (502, "UNAVAILABLE", RETRY_MESSAGE),
    "503": (503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
    "504": (504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
    "408": (408, "DEADLINE_EXCEEDED", "The request timed out. Please try again."),
}


def retry_delay(seconds: float) -> str:
    """A protobuf Duration as RetryInfo spells it: "2s", or "2.500s" with a fraction."""
    return f"{seconds:.0f}s" if float(seconds).is_integer() else f"{seconds:.3f}s"


def error_answer(fault: str, model: str, retry_delay_s: float) -> Answer:
    """The answer of an error fault (see faults.ERROR_FAULTS) for a request to `model`."""
    if fault in _SIMPLE:
        return google_error(*_SIMPLE[fault]).answer
    if fault == "429":
        return rate_limited(model, retry_delay_s).answer
    if fault == "429-limit0":
        return _no_free_tier(model).answer
    return _invalid(fault, model).answer


def midstream_error() -> dict[str, Any]:
    """The error object a stream carries after it has started."""
    return {"error": {"code": 500, "message": RETRY_MESSAGE, "status": "INTERNAL"}}


def html_error() -> Answer:
    """A 502 page from Google's front end instead of JSON."""
    return html_answer(
        502,
        "Server Error",
        "The server encountered a temporary error and could not complete your request."
        "<p>Please try again in 30 seconds.",
    )


def redirect(base_url: str) -> Answer:
    """A 301 with an HTML body, as a proxy on a wrong path answers."""
    target = f"{base_url}/moved"
    page = (
        '<HTML><HEAD><meta http-equiv="content-type" content="text/html;charset=utf-8">\n'
        "<TITLE>301 Moved</TITLE></HEAD><BODY>\n<H1>301 Moved</H1>\nThe document has moved\n"
        f'<A HREF="{target}">here</A>.\r\n</BODY></HTML>\r\n'
    )
    return Answer(301, page.encode(), HTML_TYPE, (("Location", target),))


def truncated(body: dict[str, Any]) -> bytes:
    """A response's JSON cut off partway, as a connection lost mid-body leaves it."""
    text = json.dumps(body).encode()
    return text[: max(len(text) * 3 // 5, 1)]


def rate_limited(model: str, delay: float, limit: int = 10) -> ApiError:
    """The 429 of a per-minute quota: QuotaFailure, Help and RetryInfo asking for `delay` s."""
    message = (
        f"{_QUOTA_INTRO}* Quota exceeded for metric: {_METRIC.format('paid_tier')}, "
        f"limit: {limit}, "
        f"model: {model}\nPlease retry in {delay:g}s."
    )
    quota = detail("QuotaFailure", violations=[{
        "quotaMetric": _METRIC.format("paid_tier"),
        "quotaId": "GenerateRequestsPerMinutePerProjectPerModel",
        "quotaDimensions": {"location": "global", "model": model}, "quotaValue": str(limit),
    }])  # fmt: skip
    retry = detail("RetryInfo", retryDelay=retry_delay(delay))
    return google_error(429, "RESOURCE_EXHAUSTED", message, [quota, _HELP, retry])


def _no_free_tier(model: str) -> ApiError:
    metric = _METRIC.format("free_tier")
    message = f"{_QUOTA_INTRO}* Quota exceeded for metric: {metric}, limit: 0, model: {model}"
    violations = [
        {"quotaMetric": metric, "quotaId": f"GenerateRequestsPer{span}PerProjectPerModel-FreeTier",
         "quotaDimensions": {"location": "global", "model": model}}
        for span in ("Day", "Minute")
    ]  # fmt: skip
    return google_error(
        429, "RESOURCE_EXHAUSTED", message, [detail("QuotaFailure", violations=violations), _HELP]
    )


def _invalid(fault: str, model: str) -> ApiError:
    # Forced 400s go through the real checks so their wording cannot drift from them.
    info = MODELS[model]  # generate requests reach their fault only with a served model
    try:
        if fault == "400-unknown-field":
            schema.parse({"generationConfig": {"imageConfig": {"outputMimeType": "image/png"}}})
        elif fault == "400-aspect-ratio":
            validate.check_config({"imageConfig": {"aspectRatio": "7:3"}}, info)
        elif fault == "400-candidate-count":
            validate.check_config({"candidateCount": 2}, info)
    except ApiError as error:
        return error
    if fault == "403-file":
        return file_not_found("0000000000ab")
    if fault == "404-model":
        return model_not_found(model)
    return invalid_argument(
        "Image part is missing a thought_signature in content position 2, part position 1."
    )
