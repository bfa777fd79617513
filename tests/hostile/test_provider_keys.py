"""A malformed key is cleaned or refused before any call, and never shown or retried."""

from __future__ import annotations

import pytest

from storyforge.errors import UsageError
from storyforge.fakeserver import FakeGemini
from storyforge.providers import options_from_env
from storyforge.providers.base import GenerateRequest, ProviderOptions
from storyforge.providers.gemini import GeminiProvider
from tests.fakeserver_support import KEY, MODEL, provider_call

REQUEST = GenerateRequest(model=MODEL, text="Mara climbs the stairs.", label="p1")


@pytest.mark.parametrize("padding", ["\r\n", "\n", " ", "\t\r\n"])
def test_a_key_with_a_trailing_line_break_is_stripped_and_works(padding: str) -> None:
    with FakeGemini(api_key=KEY) as server:
        env = {"GEMINI_API_KEY": f"{KEY}{padding}", "GEMINI_BASE_URL": server.base_url}
        options = options_from_env("gemini", env)
        assert options.api_key is not None and options.api_key.get_secret_value() == KEY
        outcome = provider_call("gemini", server, REQUEST, key=options.api_key.get_secret_value())
    assert (outcome.status, outcome.attempts) == ("generated", 1)


@pytest.mark.parametrize(
    ("variable", "key"),
    [("GEMINI_API_KEY", "AIzaSy-first\r\nsecond"), ("GEMINI_API_KEY", "AIzaSy inner space"),
     ("COMETAPI_KEY", "sk-clé-non-ascii"), ("GOOGLE_API_KEY", "AIzaSy\x00nul")],
)  # fmt: skip
def test_a_key_that_cannot_be_a_header_is_a_one_line_error_that_hides_it(
    variable: str, key: str
) -> None:
    provider = "cometapi" if variable == "COMETAPI_KEY" else "gemini"
    with FakeGemini(api_key=KEY) as server:
        env = {variable: key, "GEMINI_BASE_URL": server.base_url}
        with pytest.raises(UsageError) as caught:
            options_from_env(provider, env)
        assert server.requests == []
    message = str(caught.value)
    assert "\n" not in message and key not in message and key.split()[0] not in message
    assert message.startswith(f"{variable} holds characters that cannot be sent in an HTTP header")


def test_a_provider_built_directly_refuses_an_unsendable_key_too() -> None:
    with pytest.raises(UsageError, match="cannot be sent in an HTTP header") as caught:
        GeminiProvider(ProviderOptions(api_key="AIzaSy-x\rY"))
    assert "AIzaSy" not in str(caught.value)
