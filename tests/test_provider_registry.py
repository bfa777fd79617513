"""Choosing a provider, its options from the environment, and opening it for a build."""

from __future__ import annotations

import asyncio

import pytest

from storyforge.errors import UsageError
from storyforge.providers import SKETCH_NOTICE, open_provider, options_from_env, resolve_provider
from storyforge.providers.base import Provider, ProviderOptions
from storyforge.providers.cometapi import CometApiProvider
from storyforge.providers.gemini import GeminiProvider


def test_auto_picks_gemini_with_a_key_else_sketch_with_a_notice() -> None:
    assert resolve_provider("auto", {"GEMINI_API_KEY": "k"}) == ("gemini", None)
    assert resolve_provider("auto", {"GOOGLE_API_KEY": "k"}) == ("gemini", None)
    assert resolve_provider("auto", {"GEMINI_API_KEY": ""}) == ("sketch", SKETCH_NOTICE)
    assert SKETCH_NOTICE == (
        "no GEMINI_API_KEY set: drawing offline sketches "
        "(set GEMINI_API_KEY to call Gemini; --provider sketch hides this notice)"
    )
    assert resolve_provider("cometapi", {}) == ("cometapi", None)


def test_unknown_provider_is_a_usage_error_with_a_suggestion() -> None:
    with pytest.raises(UsageError, match=r"unknown provider 'gemeni' \(did you mean 'gemini'\?\)"):
        resolve_provider("gemeni", {})


def test_options_from_env() -> None:
    options = options_from_env("gemini", {"GOOGLE_API_KEY": "g", "GEMINI_BASE_URL": "http://h"})
    assert options.api_key is not None and options.api_key.get_secret_value() == "g"
    assert options.base_url == "http://h"
    options = options_from_env(
        "gemini", {"GEMINI_API_KEY": "a", "GOOGLE_API_KEY": "g"}, timeout_s=9, stream=None
    )
    assert options.api_key is not None and options.api_key.get_secret_value() == "a"
    assert options.base_url == "https://generativelanguage.googleapis.com"
    assert (options.timeout_s, options.stream) == (9, None)
    options = options_from_env("cometapi", {"COMETAPI_KEY": "c"})
    assert options.base_url == "https://api.cometapi.com"
    assert options_from_env("sketch", {}).api_key is None


def test_missing_key_names_the_fix() -> None:
    with pytest.raises(UsageError) as caught:
        options_from_env("gemini", {"COMETAPI_KEY": "c"})
    assert str(caught.value) == (
        "set GEMINI_API_KEY (or GOOGLE_API_KEY), or pass --provider sketch to draw offline previews"
    )
    with pytest.raises(UsageError, match="set COMETAPI_KEY"):
        options_from_env("cometapi", {"GEMINI_API_KEY": "g"})


def test_open_provider_shares_one_client_and_closes_it() -> None:
    async def run() -> None:
        options = ProviderOptions(api_key="k", base_url="http://127.0.0.1:9")
        async with open_provider("cometapi", options) as provider:
            assert isinstance(provider, CometApiProvider)
            client = provider.http.client
            assert not client.is_closed
            assert provider.http.auth == {"Authorization": "Bearer k"}
            assert provider.stream is True
        assert client.is_closed
        async with open_provider("gemini", options) as provider:
            assert isinstance(provider, GeminiProvider)
            assert provider.http.auth == {"x-goog-api-key": "k"}
            assert provider.stream is False

    asyncio.run(run())


def test_registry_lists_the_three_providers() -> None:
    from storyforge.providers import PROVIDERS

    assert set(PROVIDERS) == {"gemini", "cometapi", "sketch"}
    assert PROVIDERS["gemini"] is GeminiProvider


def test_http_providers_satisfy_the_protocol_and_close_their_own_client() -> None:
    async def run() -> None:
        providers: list[Provider] = [GeminiProvider(), CometApiProvider()]
        for provider in providers:
            assert isinstance(provider, GeminiProvider)
            assert provider.http.base_url in {
                "https://generativelanguage.googleapis.com",
                "https://api.cometapi.com",
            }
            await provider.aclose()
            assert provider.http.client.is_closed

    asyncio.run(run())
