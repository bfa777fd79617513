"""What real answers taught the client: billing 429s, URL-safe images, the last image, who calls."""

from __future__ import annotations

import base64
import platform
from typing import Any

import pytest

from storyforge import __version__
from storyforge.fakeserver import FakeGemini
from storyforge.fakeserver.auth import Mode
from storyforge.providers.base import GenerateRequest
from storyforge.providers.retry import CREDITS_DEPLETED
from tests.fakeserver_support import KEY, MODEL, generate_records, provider_call, tiny_png

REQUEST = GenerateRequest(model=MODEL, text="Mara lights the lamp.", label="p1")
PROVIDERS = pytest.mark.parametrize(
    ("provider", "mode"), [("gemini", "google"), ("cometapi", "comet")], ids=["gemini", "cometapi"]
)


def _answer(*parts: dict[str, Any]) -> dict[str, Any]:
    return {
        "candidates": [
            {"content": {"role": "model", "parts": list(parts)}, "finishReason": "STOP"}
        ],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 1290},
        "modelVersion": MODEL,
    }


def _image(data: bytes, text: str, **extra: Any) -> dict[str, Any]:
    return {"inlineData": {"mimeType": "image/png", "data": text}, **extra}


@PROVIDERS
def test_depleted_prepaid_credits_are_fatal_and_say_to_add_credits(
    provider: str, mode: Mode
) -> None:
    message = (
        "Your prepayment credits are depleted. Please go to AI Studio at "
        "https://ai.studio/projects to manage your project and billing."
    )
    with FakeGemini(mode=mode, api_key=KEY) as server:
        server.replay(
            {"error": {"code": 429, "message": message, "status": "RESOURCE_EXHAUSTED"}}, 429
        )
        outcome = provider_call(provider, server, REQUEST)
        assert len(generate_records(server)) == 1
    assert (outcome.status, outcome.attempts, outcome.fatal) == ("failed", 1, True)
    assert outcome.reason == CREDITS_DEPLETED


@PROVIDERS
def test_a_url_safe_image_is_decoded_exactly(provider: str, mode: Mode) -> None:
    data = next(p for n in range(4, 60) if {"-", "_"} & set(_safe(p := tiny_png((n, 7, 250), n))))
    with FakeGemini(mode=mode, api_key=KEY) as server:
        server.replay(_answer(_image(data, _safe(data).rstrip("="))))
        outcome = provider_call(provider, server, REQUEST)
    assert outcome.status == "generated"
    assert outcome.images[0].data == data


@PROVIDERS
def test_the_last_non_thought_image_is_the_take(provider: str, mode: Mode) -> None:
    draft, sketch, final = tiny_png((1, 1, 1)), tiny_png((2, 2, 2)), tiny_png((3, 3, 3))
    parts = [
        _image(draft, _std(draft), thought=True),
        _image(sketch, _std(sketch)),
        {"text": "Here it is."},
        _image(final, _std(final)),
    ]
    with FakeGemini(mode=mode, api_key=KEY) as server:
        server.replay(_answer(*parts))
        outcome = provider_call(provider, server, REQUEST)
    assert [image.data for image in outcome.images] == [final, sketch]


@PROVIDERS
def test_requests_say_who_is_calling(provider: str, mode: Mode) -> None:
    with FakeGemini(mode=mode, api_key=KEY) as server:
        provider_call(provider, server, REQUEST)
        (record,) = generate_records(server)
    assert record["headers"]["user-agent"] == f"storyforge/{__version__}"
    assert record["headers"]["x-goog-api-client"] == (
        f"storyforge/{__version__} gl-python/{platform.python_version()}"
    )


def _safe(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _std(data: bytes) -> str:
    return base64.b64encode(data).decode()
