"""The fake server checks generate bodies like the service: field names, values, models, images."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from storyforge.fakeserver import FakeGemini
from tests.fakeserver_support import (
    G3,
    KEY,
    MODEL,
    b64,
    body,
    client,
    decoded,
    error_of,
    generate,
    image,
    parts_of,
    png_size,
    tiny_png,
)

PNG64 = b64(tiny_png())


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with FakeGemini(api_key=KEY) as srv, client(srv) as http_client:
        yield http_client


def _bad(http: httpx.Client, request: dict[str, Any], model: str = MODEL) -> dict[str, Any]:
    answer = generate(http, request, model)
    assert answer.status_code == 400, answer.text[:300]
    error = error_of(answer)
    assert error["status"] == "INVALID_ARGUMENT"
    return error


def test_an_unknown_field_is_named_with_its_snake_case_parent(http: httpx.Client) -> None:
    error = _bad(http, body(imageConfig={"aspectRatio": "1:1", "outputMimeType": "image/png"}))
    message = (
        'Invalid JSON payload received. Unknown name "outputMimeType" at '
        "'generation_config.image_config': Cannot find field."
    )
    assert error["message"] == message
    assert error["details"] == [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [
                {"field": "generation_config.image_config", "description": message}
            ],
        }
    ]


def test_every_unknown_name_is_reported_once(http: httpx.Client) -> None:
    request = {**body(), "n": 1, "size": "1024x1024"}
    error = _bad(http, request)
    violations = error["details"][0]["fieldViolations"]
    assert [v["description"] for v in violations] == [
        'Invalid JSON payload received. Unknown name "n": Cannot find field.',
        'Invalid JSON payload received. Unknown name "size": Cannot find field.',
    ]


def test_snake_case_names_and_any_case_enums_are_accepted(http: httpx.Client) -> None:
    request = {
        "contents": [{"role": "user", "parts": [
            {"text": "Mara, close-up."},
            {"inline_data": {"mime_type": "image/png", "data": b64(tiny_png())}},
        ]}],
        "generation_config": {"response_modalities": ["Image", "text"],
                              "image_config": {"aspect_ratio": "3:4"}},
        "system_instruction": {"parts": {"text": "Draw storyboards."}},
    }  # fmt: skip
    answer = generate(http, request)
    assert answer.status_code == 200, answer.text[:300]
    assert len(parts_of(answer.json())) == 2


@pytest.mark.parametrize(
    ("config", "model", "words"),
    [
        ({"candidateCount": 2}, MODEL, f"Multiple candidates is not enabled for models/{MODEL}"),
        ({"imageConfig": {"aspectRatio": "7:3"}}, MODEL,
         "* GenerateContentRequest.generation_config.image_config.aspect_ratio: aspect_ratio "
         "must be one of '1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', or "
         "'21:9'.\n"),
        ({"imageConfig": {"aspectRatio": "7:3"}}, G3, "'1:1', '1:4', '1:8', '2:3', '3:2', '3:4', "
         "'4:1', '4:3', '4:5', '5:4', '8:1', '9:16', '16:9', or '21:9'."),
        ({"imageConfig": {"aspectRatio": "1:4"}}, MODEL, "aspect_ratio must be one of"),
        ({"imageConfig": {"imageSize": "1k"}}, G3,
         "* GenerateContentRequest.generation_config.image_config.image_size: image_size must be "
         "one of '1K', '2K', or '4K'.\n"),
        ({"imageConfig": {"imageSize": "512"}}, G3, "image_size must be one of"),
        ({"thinkingConfig": {"thinkingLevel": "minimal"}}, MODEL, "Thinking is not enabled"),
        ({"thinkingConfig": {"thinkingLevel": "low"}}, G3, "Thinking level LOW is not supported"),
        ({"thinkingConfig": {"thinkingLevel": "high", "thinkingBudget": 512}}, G3,
         "You can only set only one of thinking budget and thinking level."),
        ({"responseModalities": ["TEXT"]}, G3, "does not support the requested response"),
        ({"responseModalities": ["AUDIO"]}, MODEL, "does not support the requested response"),
        ({"responseModalities": ["PICTURE"]}, MODEL, "Invalid value at "
         "'generation_config.response_modalities[0]'"),
        ({"seed": "abc"}, MODEL, "Invalid value at 'generation_config.seed' (TYPE_INT32)"),
    ],
)  # fmt: skip
def test_generation_config_rules(
    http: httpx.Client, config: dict[str, Any], model: str, words: str
) -> None:
    message = _bad(http, body(**config), model)["message"]
    assert message == words if words.startswith("*") else words in message


@pytest.mark.parametrize(
    "config",
    [{"imageConfig": {"aspectRatio": "1:1", "imageSize": "2K"}}, {"responseModalities": ["TEXT"]}],
    ids=["image-size", "text-only"],
)
def test_gemini_2_5_ignores_what_it_cannot_do_and_answers_text_and_an_image(
    http: httpx.Client, config: dict[str, Any]
) -> None:
    answer = generate(http, body(**config))
    assert answer.status_code == 200, answer.text[:300]
    text, picture = parts_of(answer.json())
    assert text["text"]
    assert png_size(decoded(picture)) == (1024, 1024)  # 2K ignored: 2.5 has one size


@pytest.mark.parametrize(
    "name",
    ["mediaResolution", "responseMimeType", "responseSchema", "responseJsonSchema",
     "responseFormat", "presencePenalty", "frequencyPenalty", "logprobs", "responseLogprobs",
     "speechConfig", "enableEnhancedCivicAnswers"],
)  # fmt: skip
def test_real_generation_config_fields_are_accepted(http: httpx.Client, name: str) -> None:
    values: dict[str, Any] = {
        "mediaResolution": "MEDIA_RESOLUTION_LOW", "responseMimeType": "text/plain",
        "responseSchema": {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}},
        "responseJsonSchema": {"type": "object"}, "responseFormat": {}, "presencePenalty": 0.5,
        "frequencyPenalty": 0.5, "logprobs": 2, "responseLogprobs": True,
        "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}},
        "enableEnhancedCivicAnswers": False,
    }  # fmt: skip
    answer = generate(http, body(**{name: values[name]}))
    assert answer.status_code == 200, answer.text[:300]


def test_real_part_and_request_fields_are_accepted(http: httpx.Client) -> None:
    request = body(
        "Mara.", {"text": "a note", "mediaResolution": {"level": "MEDIA_RESOLUTION_HIGH"}}
    )
    request["contents"] += [
        {"role": "model", "parts": [{"functionCall": {"name": "draw", "args": {"x": 1}}}]},
        {"role": "user", "parts": [
            {"functionResponse": {"name": "draw", "response": {}}},
            {"text": "clip", "videoMetadata": {"fps": 1}},
        ]},
    ]  # fmt: skip
    request |= {"serviceTier": "standard", "store": False}
    answer = generate(http, request)
    assert answer.status_code == 200, answer.text[:300]


def test_url_safe_base64_is_accepted_as_the_sdk_sends_it(http: httpx.Client) -> None:
    data = next(p for n in range(4, 40) if _url_safe_chars(p := tiny_png((n, 250, 3), n)))
    url_safe = base64.urlsafe_b64encode(data).decode().rstrip("=")
    part = {"inlineData": {"mimeType": "image/png", "data": url_safe}}
    answer = generate(http, body("Mara.", part))
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["usageMetadata"]["promptTokensDetails"][1]["modality"] == "IMAGE"


def _url_safe_chars(data: bytes) -> bool:
    return bool(set(base64.urlsafe_b64encode(data).decode()) & {"-", "_"})


@pytest.mark.parametrize("model", ["gemini-9-ultra-image", "gemini-3-pro-image-preview"])
def test_unknown_and_retired_models_are_not_found(http: httpx.Client, model: str) -> None:
    answer = generate(http, body(), model)
    assert answer.status_code == 404
    assert error_of(answer)["message"] == (
        f"models/{model} is not found for API version v1beta, or is not supported for "
        "generateContent. Call ListModels to see the list of available models and their "
        "supported methods."
    )


@pytest.mark.parametrize(
    ("part", "words"),
    [
        ({"inlineData": {"mimeType": "image/png", "data": "not base64!"}}, "Base64 decoding"),
        ({"inlineData": {"mimeType": "image/png", "data": f"data:image/png;base64,{PNG64}"}},
         "Base64 decoding failed for \"data:image/png"),
        (image(tiny_png(), "image/jpg"), "Unsupported MIME type: image/jpg"),
        ({"inlineData": {"mimeType": "image/png", "data": b64(b"just text")}},
         "Unable to process input image"),
        ({"text": "a", "inlineData": {"mimeType": "image/png", "data": b64(tiny_png())}},
         "Oneof field 'data' is already set"),
        ({}, "required oneof field 'data' must have one initialized field"),
    ],
)  # fmt: skip
def test_part_rules(http: httpx.Client, part: dict[str, Any], words: str) -> None:
    assert words in _bad(http, body("Mara.", part))["message"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"{not json", "Invalid JSON payload received."),
        (b'{"generationConfig": {}}', "Request has empty input."),
        (b'{"contents": []}', "Request has empty input."),
        (b'{"contents": [{"parts": []}]}', "contents.parts must not be empty"),
        (b'{"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}', "valid role"),
        (b'{"contents": [{"parts": [{"text": ["x"]}]}]}', "Proto field is not repeating"),
    ],
)
def test_body_rules(http: httpx.Client, content: bytes, words: str) -> None:
    answer = http.post(f"/v1beta/models/{MODEL}:generateContent", content=content)
    assert answer.status_code == 400
    assert words in error_of(answer)["message"]


def test_a_gemini3_model_turn_needs_its_thought_signatures(http: httpx.Client) -> None:
    request = body("Now make it night.")
    request["contents"][:0] = [
        {"role": "user", "parts": [{"text": "A lighthouse."}]},
        {"role": "model", "parts": [image(tiny_png())]},
    ]
    error = _bad(http, request, G3)
    assert error["message"] == (
        "Image part is missing a thought_signature in content position 2, part position 1."
    )


def test_too_low_a_token_cap_ends_in_max_tokens_without_an_image(http: httpx.Client) -> None:
    candidate = generate(http, body(maxOutputTokens=100)).json()["candidates"][0]
    assert candidate["finishReason"] == "MAX_TOKENS"
    assert candidate["content"] == {"role": "model"}


def test_a_rejected_request_leaves_the_queued_fault_for_the_next() -> None:
    with FakeGemini(api_key=KEY) as srv, client(srv) as http:
        srv.enqueue("503")
        assert generate(http, body(candidateCount=3)).status_code == 400
        assert generate(http, body()).status_code == 503
        assert generate(http, body()).status_code == 200
