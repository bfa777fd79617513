"""A base URL's password is never shown, and a bad port is a one-line error before any call."""

from __future__ import annotations

import logging

import pytest

from storyforge.errors import UsageError
from storyforge.fakeserver import FakeGemini
from storyforge.providers import key_identity, options_from_env
from storyforge.providers.base import GenerateRequest
from storyforge.providers.checks import redact_url
from tests.fakeserver_support import KEY, MODEL, provider_call

PASSWORD = "s3cr3t-proxy-pass"


def test_redact_url_hides_every_password() -> None:
    text = f"GEMINI_BASE_URL=https://me:{PASSWORD}@proxy.example:8443/v1 and http://a:b@c/"
    shown = redact_url(text)
    assert PASSWORD not in shown and ":b@" not in shown
    assert shown == "GEMINI_BASE_URL=https://me:***@proxy.example:8443/v1 and http://a:***@c/"


def test_the_key_identity_that_plan_shows_and_the_store_keeps_has_no_password() -> None:
    env = {"GEMINI_BASE_URL": f"https://me:{PASSWORD}@proxy.example/"}
    assert key_identity("gemini", env) == "gemini@https://me:***@proxy.example"


def test_debug_http_never_logs_the_password(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="storyforge.http")
    with FakeGemini(api_key=KEY) as server:
        host = server.base_url.removeprefix("http://")
        url = f"http://me:{PASSWORD}@{host}"
        options = options_from_env("gemini", {"GEMINI_API_KEY": KEY, "GEMINI_BASE_URL": url})
        request = GenerateRequest(model=MODEL, text="Mara.", label="p1")
        outcome = provider_call(
            "gemini", server, request, base_url=options.base_url, debug_http=True
        )
    lines = [record.getMessage() for record in caplog.records]
    assert any(f"http://me:***@{host}/v1beta/models/" in line for line in lines)
    assert all(PASSWORD not in line for line in lines)
    assert PASSWORD not in outcome.reason


@pytest.mark.parametrize(
    ("url", "problem"),
    [("http://127.0.0.1:99999", "Port out of range 0-65535"),
     ("http://127.0.0.1:port", "Port could not be cast to integer value"),
     ("127.0.0.1:8765", "it must start with http:// or https://"),
     ("http://127.0.0.1:0", "port 0 cannot be connected to")],
)  # fmt: skip
def test_a_bad_base_url_is_a_one_line_error(url: str, problem: str) -> None:
    with pytest.raises(UsageError) as caught:
        options_from_env("gemini", {"GEMINI_API_KEY": KEY, "GEMINI_BASE_URL": url})
    message = str(caught.value)
    assert message.startswith("GEMINI_BASE_URL is not a usable URL (")
    assert problem in message and "\n" not in message


def test_a_bad_base_url_with_a_password_does_not_show_it() -> None:
    with pytest.raises(UsageError) as caught:
        options_from_env(
            "cometapi", {"COMETAPI_KEY": KEY, "COMETAPI_BASE_URL": f"http://u:{PASSWORD}@h:70000"}
        )
    assert PASSWORD not in str(caught.value)
