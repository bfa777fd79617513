"""What Google's SDK does all the time, answered as the service answers it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from storyforge.fakeserver import FakeGemini
from tests.fakeserver_support import (
    G3,
    KEY,
    MODEL,
    body,
    client,
    error_of,
    generate,
    image,
    parts_of,
    sse_events,
    tiny_png,
)


@pytest.fixture
def server() -> Iterator[FakeGemini]:
    with FakeGemini(api_key=KEY) as srv:
        yield srv


@pytest.mark.parametrize("version", ["v1", "v1beta"])
def test_both_api_versions_are_routed(server: FakeGemini, version: str) -> None:
    with client(server) as http:
        answer = http.post(f"/{version}/models/{MODEL}:generateContent", json=body())
        assert answer.status_code == 200, answer.text[:200]
        assert http.get(f"/{version}/models").json()["models"]
        assert http.get(f"/{version}/models/{MODEL}").json()["name"] == f"models/{MODEL}"
        assert http.get(f"/{version}/files").status_code == 200
        missing = http.get(f"/{version}/models/gemini-9-image")
    assert error_of(missing)["message"].startswith(
        f"models/gemini-9-image is not found for API version {version},"
    )


def test_upload_chunks_need_no_key_but_the_start_does(server: FakeGemini) -> None:
    start_headers = {
        "X-Goog-Upload-Protocol": "resumable", "X-Goog-Upload-Command": "start",
        "X-Goog-Upload-Header-Content-Type": "image/png",
    }  # fmt: skip
    with client(server) as http:
        start = http.post("/upload/v1/files", json={"file": {}}, headers=start_headers)
        url = start.headers["x-goog-upload-url"]
        assert url.startswith(f"{server.base_url}/upload/v1/files?upload_id=")
    with httpx.Client(timeout=30) as anonymous:
        refused = anonymous.post(f"{server.base_url}/upload/v1beta/files", headers=start_headers)
        chunk = anonymous.post(
            url,
            content=tiny_png(),
            headers={"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"},
        )
    assert refused.status_code == 403
    assert chunk.status_code == 200, chunk.text[:200]
    assert chunk.headers["x-goog-upload-status"] == "final"
    assert chunk.json()["file"]["state"] == "ACTIVE"


def test_count_tokens_counts_as_the_answers_do(server: FakeGemini) -> None:
    request = body("Mara climbs the stairs at dusk, wide shot.", image(tiny_png()))
    with client(server) as http:
        counted = http.post(
            f"/v1/models/{MODEL}:countTokens", json={"contents": request["contents"]}
        )
        wrapped = http.post(
            f"/v1beta/models/{MODEL}:countTokens", json={"generateContentRequest": request}
        )
        usage = generate(http, request).json()["usageMetadata"]
        empty = http.post(f"/v1beta/models/{MODEL}:countTokens", json={})
    assert counted.json() == wrapped.json()
    assert counted.json()["totalTokens"] == usage["promptTokenCount"]
    assert [d["modality"] for d in counted.json()["promptTokensDetails"]] == ["TEXT", "IMAGE"]
    assert error_of(empty)["message"] == "Request has empty input."


def test_gemini3_labels_its_jpeg_as_jpeg_unless_the_fault_says_otherwise(
    server: FakeGemini,
) -> None:
    with client(server) as http:
        plain = parts_of(generate(http, body(), G3).json())[-1]
        server.enqueue("jpeg-as-png")
        mislabelled = parts_of(generate(http, body(), G3).json())[-1]
    assert plain["inlineData"]["mimeType"] == "image/jpeg"
    assert mislabelled["inlineData"]["mimeType"] == "image/png"


def test_no_image_keeps_an_empty_content_and_usage_names_the_tier(server: FakeGemini) -> None:
    with client(server) as http:
        server.enqueue("no-image")
        refused = generate(http, body()).json()
        plain = generate(http, body()).json()
    assert refused["candidates"][0]["content"] == {}
    assert refused["usageMetadata"]["serviceTier"] == "standard"
    assert plain["usageMetadata"]["serviceTier"] == "standard"


def test_a_replayed_answer_is_sent_as_recorded_for_each_endpoint(server: FakeGemini) -> None:
    recorded: dict[str, Any] = {
        "candidates": [{"finishReason": "IMAGE_OTHER", "index": 0}],
        "modelVersion": MODEL,
    }
    events: list[dict[str, Any]] = [
        {"candidates": [{"content": {"parts": [{"text": "a"}]}}]},
        recorded,
    ]
    with client(server) as http:
        server.replay(recorded)
        server.replay(events)
        server.replay({"error": {"code": 429, "message": "slow down", "status": "X"}}, 429)
        unary = generate(http, body())
        stream = http.post(f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse", json=body())
        limited = generate(http, body())
        after = generate(http, body())
    assert unary.json() == recorded
    assert sse_events(stream.content) == events
    assert (limited.status_code, error_of(limited)["message"]) == (429, "slow down")
    assert after.status_code == 200 and "candidates" in after.json()
    assert [r["fault"] for r in server.requests] == ["replay", "replay", "replay", None]
