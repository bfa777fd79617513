"""Request bodies and response classification of the generateContent wire format."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from storyforge.providers.base import GenerateRequest, ImagePart, Usage
from storyforge.providers.wire import (
    FileRef,
    b64_size,
    build_body,
    choose_uploads,
    classify,
    inline_size,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 40


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def request(**kw: Any) -> GenerateRequest:
    values: dict[str, Any] = {"model": "gemini-2.5-flash-image", "text": "Mara climbs."}
    return GenerateRequest(**(values | kw))


def test_body_is_one_user_turn_with_labelled_images() -> None:
    images = (
        ImagePart("Image 1: sheet", PNG, "image/png"),
        ImagePart("Image 2: prev", JPEG, "image/png"),
    )
    body = build_body(request(images=images, modalities=("text", "image"), aspect_ratio="16:9"))
    assert body == {
        "contents": [
            {
                "role": "user",
                "parts": [
                    {"text": "Mara climbs."},
                    {"text": "Image 1: sheet"},
                    {"inlineData": {"mimeType": "image/png", "data": b64(PNG)}},
                    {"text": "Image 2: prev"},
                    # the declared type follows the bytes, not the label it came with
                    {"inlineData": {"mimeType": "image/jpeg", "data": b64(JPEG)}},
                ],
            }
        ],
        "generationConfig": {
            "responseModalities": ["TEXT", "IMAGE"],
            "imageConfig": {"aspectRatio": "16:9"},
        },
    }


def test_config_sends_size_only_for_models_with_sizes() -> None:
    assert build_body(request())["generationConfig"] == {
        "responseModalities": ["IMAGE"],
        "imageConfig": {"aspectRatio": "1:1"},
    }
    config = build_body(request(model="gemini-3-pro-image", image_size="2K"))["generationConfig"]
    assert config["imageConfig"] == {"aspectRatio": "1:1", "imageSize": "2K"}
    config = build_body(request(model="gemini-nano-banana-2.1"))["generationConfig"]
    assert config["imageConfig"]["imageSize"] == "1K"
    assert (
        "imageSize"
        not in build_body(request(model="mystery-image", image_size="2K"))["generationConfig"][
            "imageConfig"
        ]
    )


def test_config_sends_seed_and_temperature_only_when_set_and_never_refused_fields() -> None:
    config = build_body(request(seed=7, temperature=0.5))["generationConfig"]
    assert config["seed"] == 7
    assert config["temperature"] == 0.5
    for model in ("gemini-2.5-flash-image", "gemini-3.1-flash-image", "gemini-nano-banana-2.1"):
        config = build_body(request(model=model))["generationConfig"]
        assert set(config) == {"responseModalities", "imageConfig"}
        assert set(config["imageConfig"]) <= {"aspectRatio", "imageSize"}


def test_file_refs_replace_inline_data() -> None:
    images = (ImagePart("Image 1: a", PNG, "image/png"), ImagePart("Image 2: b", PNG, "image/png"))
    files = [None, FileRef("http://x/v1beta/files/abc", "image/png")]
    parts = build_body(request(images=images), files)["contents"][0]["parts"]
    assert "inlineData" in parts[2]
    assert parts[4] == {
        "fileData": {"mimeType": "image/png", "fileUri": "http://x/v1beta/files/abc"}
    }


def test_largest_images_go_to_files_until_under_budget() -> None:
    images = tuple(
        ImagePart(f"Image {i}", PNG + b"\x00" * size, "image/png")
        for i, size in enumerate((3000, 9000, 6000, 100))
    )
    req = request(images=images)
    assert b64_size(3) == 4 and b64_size(4) == 8
    assert choose_uploads(req, inline_size(req)) == frozenset()
    assert choose_uploads(req, inline_size(req) - 1) == {1}
    assert choose_uploads(req, inline_size(req) - 13000) == {1, 2}
    assert choose_uploads(req, 0) == {0, 1, 2, 3}


def response(parts: list[Any] | None, finish: str | None = "STOP", **kw: Any) -> Any:
    candidate: dict[str, Any] = {"index": 0}
    if parts is not None:
        candidate["content"] = {"role": "model", "parts": parts}
    if finish:
        candidate["finishReason"] = finish
    return {"candidates": [candidate], "modelVersion": "v-1", **kw}


def test_image_is_generated_with_text_usage_and_sniffed_type() -> None:
    usage = {
        "promptTokenCount": 14,
        "candidatesTokenCount": 1301,
        "thoughtsTokenCount": 5,
        "totalTokenCount": 1320,
        "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 1290}],
    }
    parts = [{"text": "Here:"}, {"inlineData": {"mimeType": "image/png", "data": b64(JPEG)}}]
    outcome = classify(response(parts, usageMetadata=usage))
    assert outcome.status == "generated"
    assert outcome.images[0].data == JPEG
    assert outcome.images[0].mime_type == "image/jpeg"
    assert outcome.text == "Here:"
    assert outcome.model_version == "v-1"
    assert outcome.usage == Usage(14, 1301, 1290, 5, 1320)


def test_thought_parts_are_skipped_and_the_last_image_is_the_take() -> None:
    parts = [
        {"text": "drafting", "thought": True},
        {"inlineData": {"mimeType": "image/png", "data": b64(PNG + b"draft")}, "thought": True},
        {"inline_data": {"mime_type": "image/png", "data": b64(PNG + b"one")}},
        {"text": "and"},
        {"inlineData": {"mimeType": "image/jpeg", "data": b64(JPEG + b"two")}},
    ]
    outcome = classify(response(parts))
    # PROTOCOL.md §3: the final image is the last non-thought one; the build takes images[0].
    assert [i.data for i in outcome.images] == [JPEG + b"two", PNG + b"one"]
    assert outcome.text == "and"


@pytest.mark.parametrize(
    ("payload", "status", "reason"),
    [
        (
            {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}},
            "blocked",
            "PROHIBITED_CONTENT",
        ),
        (response(None, "IMAGE_SAFETY"), "blocked", "IMAGE_SAFETY"),
        (response([], "IMAGE_OTHER"), "blocked", "IMAGE_OTHER"),
        (response([{"text": "no"}], "NO_IMAGE"), "blocked", "NO_IMAGE"),
        (response(None, "SAFETY"), "blocked", "SAFETY"),
        (response(None, "PROHIBITED_CONTENT"), "blocked", "PROHIBITED_CONTENT"),
        (response(None, "BLOCKLIST"), "blocked", "BLOCKLIST"),
        (response(None, "SPII"), "blocked", "SPII"),
        (response(None, "RECITATION"), "blocked", "RECITATION"),
        (response([{"text": "I drew it in words"}], "STOP"), "blocked", "no image"),
        (response(None, "MAX_TOKENS"), "failed", "no image (finishReason MAX_TOKENS)"),
        (response(None, "OTHER"), "failed", "no image (finishReason OTHER)"),
        (
            response(None, "MALFORMED_RESPONSE"),
            "failed",
            "no image (finishReason MALFORMED_RESPONSE)",
        ),
        ({"candidates": []}, "failed", "no candidates in the response"),
        ({}, "failed", "no candidates in the response"),
        ([1, 2], "failed", "malformed response: not a JSON object"),
    ],
)
def test_classification_table(payload: Any, status: str, reason: str) -> None:
    outcome = classify(payload)
    assert (outcome.status, outcome.reason) == (status, reason)
    assert outcome.images == ()


def test_blocked_keeps_model_text_and_image_beats_block_reasons() -> None:
    assert classify(response([{"text": "cannot"}], "IMAGE_SAFETY")).text == "cannot"
    parts = [{"inlineData": {"mimeType": "image/png", "data": b64(PNG)}}]
    assert classify(response(parts, "SAFETY")).status == "generated"


@pytest.mark.parametrize("data", ["abcde", "ab!c", "iVBO+w-_", "iVBO\nRw==", "=abc"])
def test_bad_base64_fails(data: str) -> None:
    outcome = classify(response([{"inlineData": {"mimeType": "image/png", "data": data}}]))
    assert outcome.status == "failed"
    assert "base64" in outcome.reason


@pytest.mark.parametrize("padded", [True, False])
def test_url_safe_base64_decodes_exactly(padded: bool) -> None:
    data = PNG + bytes(range(256))  # every byte value: the URL-safe characters must appear
    text = base64.urlsafe_b64encode(data).decode()
    assert {"-", "_"} <= set(text)
    part = {"inlineData": {"mimeType": "image/png", "data": text if padded else text.rstrip("=")}}
    assert classify(response([part])).images[0].data == data


def test_odd_shapes_fail_or_read_as_zero_instead_of_raising() -> None:
    assert (
        classify({"candidates": [{"content": {"parts": "text"}, "finishReason": "STOP"}]}).status
        == "blocked"
    )
    outcome = classify({"candidates": [{"content": [], "finishReason": 3}]})
    assert outcome.status == "failed"
    parts = [{"inlineData": {"mimeType": "image/png", "data": b64(PNG)}}]
    odd_usage = {"promptTokenCount": None, "candidatesTokensDetails": "IMAGE"}
    outcome = classify(response(parts, usageMetadata=odd_usage))
    assert (outcome.status, outcome.usage) == ("generated", Usage())
    outcome = classify({"candidates": [{"content": {"parts": [{"inlineData": {"data": 5}}]}}]})
    assert outcome.status == "failed"
    assert outcome.reason == "malformed response: bad base64 image data"
