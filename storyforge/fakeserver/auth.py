"""Who may call: Google's key rules (header or ?key=, never Authorization) and CometAPI's."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Literal

from storyforge.fakeserver.envelopes import SERVICE, comet_error, detail, google_error

Mode = Literal["google", "comet"]
SECRET_HEADERS = frozenset({"x-goog-api-key", "authorization"})

_BAD_KEY = "API key not valid. Please pass a valid API key."
_OAUTH = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)
_UNREGISTERED = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)


def presented_keys(headers: Mapping[str, str], query: Mapping[str, str]) -> list[str]:
    """Every credential the request carries, in the order CometAPI looks for one."""
    authorization = headers.get("authorization", "").strip()
    found = [
        headers.get("x-goog-api-key", ""),
        query.get("key", ""),
        authorization.removeprefix("Bearer ").strip(),
        authorization,
    ]
    return [key for key in found if key]


def check(mode: Mode, api_key: str, headers: Mapping[str, str], query: Mapping[str, str]) -> None:
    """Raise the service's ApiError when the request's credentials are missing or wrong."""
    if mode == "comet":
        _check_comet(api_key, headers, query)
    else:
        _check_google(api_key, headers, query)


def _check_google(api_key: str, headers: Mapping[str, str], query: Mapping[str, str]) -> None:
    # Google parses any Authorization header as OAuth, even next to a valid key.
    if "authorization" in headers:
        raise google_error(
            401,
            "UNAUTHENTICATED",
            _OAUTH,
            [detail("ErrorInfo", reason="ACCESS_TOKEN_TYPE_UNSUPPORTED", domain="googleapis.com",
                    metadata={"service": SERVICE})],
        )  # fmt: skip
    key = headers.get("x-goog-api-key") or query.get("key")
    if not key:
        raise google_error(403, "PERMISSION_DENIED", _UNREGISTERED)
    if not _same(key, api_key):
        raise google_error(
            400,
            "INVALID_ARGUMENT",
            _BAD_KEY,
            [
                detail("ErrorInfo", reason="API_KEY_INVALID", domain="googleapis.com",
                       metadata={"service": SERVICE}),
                detail("LocalizedMessage", locale="en-US", message=_BAD_KEY),
            ],
        )  # fmt: skip


def _check_comet(api_key: str, headers: Mapping[str, str], query: Mapping[str, str]) -> None:
    keys = presented_keys(headers, query)
    if not keys:
        raise comet_error(401, "No token provided")
    if not _same(keys[0], api_key):
        raise comet_error(401, "Invalid token")


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
