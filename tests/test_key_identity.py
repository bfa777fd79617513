"""Images from a fake or proxy server are never reused as the real service's."""

from __future__ import annotations

from storyforge.providers import key_identity


def test_the_default_service_is_just_its_name() -> None:
    assert key_identity("gemini", {}) == "gemini"
    assert key_identity("gemini", {"GEMINI_BASE_URL": ""}) == "gemini"
    default = {"GEMINI_BASE_URL": "https://generativelanguage.googleapis.com/"}
    assert key_identity("gemini", default) == "gemini"
    assert key_identity("cometapi", {"COMETAPI_BASE_URL": "https://api.cometapi.com"}) == "cometapi"
    assert key_identity("sketch", {"GEMINI_BASE_URL": "http://127.0.0.1:1"}) == "sketch"


def test_another_base_url_is_part_of_the_identity() -> None:
    env = {"GEMINI_BASE_URL": "http://127.0.0.1:8765"}
    assert key_identity("gemini", env) == "gemini@http://127.0.0.1:8765"
    comet = {"COMETAPI_BASE_URL": "https://proxy.example/"}
    assert key_identity("cometapi", comet) == "cometapi@https://proxy.example"
