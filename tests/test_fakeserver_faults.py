"""Injected faults: queued, random and word-triggered, on unary, SSE and array answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from storyforge.fakeserver import FakeGemini, Faults
from tests.fakeserver_support import (
    KEY,
    MODEL,
    body,
    client,
    decoded,
    error_of,
    generate,
    parts_of,
    sse_events,
)

STREAM = f"/v1beta/models/{MODEL}:streamGenerateContent"


@pytest.fixture
def server() -> Iterator[FakeGemini]:
    with FakeGemini(api_key=KEY) as srv:
        yield srv


def _faulted(server: FakeGemini, fault: str, **config: Any) -> httpx.Response:
    server.enqueue(fault)
    with client(server) as http:
        return generate(http, body(**config))


def _details(error: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["@type"].rsplit(".", 1)[-1]: d for d in error.get("details", [])}


def test_a_429_carries_its_delay_in_retry_info_and_the_message(server: FakeGemini) -> None:
    answer = _faulted(server, "429")
    assert answer.status_code == 429
    assert "retry-after" not in answer.headers
    error = error_of(answer)
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert "Please retry in 2s." in error["message"]
    details = _details(error)
    assert details["RetryInfo"]["retryDelay"] == "2s"
    violation = details["QuotaFailure"]["violations"][0]
    assert violation["quotaDimensions"]["model"] == MODEL
    assert details["Help"]["links"]


def test_a_fractional_retry_delay_is_spelled_with_milliseconds() -> None:
    with FakeGemini(api_key=KEY, faults=Faults(retry_delay_s=2.5)) as srv:
        error = error_of(_faulted(srv, "429"))
    assert _details(error)["RetryInfo"]["retryDelay"] == "2.500s"
    assert "Please retry in 2.5s." in error["message"]


def test_limit_zero_names_the_free_tier_and_gives_no_retry_delay(server: FakeGemini) -> None:
    error = error_of(_faulted(server, "429-limit0"))
    assert "limit: 0" in error["message"]
    assert "free_tier" in error["message"]
    details = _details(error)
    assert "RetryInfo" not in details
    violations = details["QuotaFailure"]["violations"]
    assert any("PerDay" in v["quotaId"] for v in violations)
    assert all("free_tier" in v["quotaMetric"] for v in violations)


@pytest.mark.parametrize(
    ("fault", "status", "state", "words"),
    [
        ("503", 503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
        ("500", 500, "INTERNAL", "An internal error has occurred"),
        ("502", 502, "UNAVAILABLE", "An internal error has occurred"),
        ("504", 504, "DEADLINE_EXCEEDED", "Deadline expired"),
        ("408", 408, "DEADLINE_EXCEEDED", "timed out"),
        ("400-unknown-field", 400, "INVALID_ARGUMENT", 'Unknown name "outputMimeType"'),
        ("400-aspect-ratio", 400, "INVALID_ARGUMENT", "aspect_ratio must be one of"),
        ("400-candidate-count", 400, "INVALID_ARGUMENT", "Multiple candidates is not enabled"),
        ("400-thought-signature", 400, "INVALID_ARGUMENT", "missing a thought_signature"),
        ("403-file", 403, "PERMISSION_DENIED", "or it may not exist."),
        ("404-model", 404, "NOT_FOUND", "is not found for API version v1beta"),
    ],
)
def test_error_faults(server: FakeGemini, fault: str, status: int, state: str, words: str) -> None:
    answer = _faulted(server, fault)
    assert answer.status_code == status
    assert error_of(answer)["status"] == state
    assert words in error_of(answer)["message"]
    assert server.requests[-1]["fault"] == fault


@pytest.mark.parametrize(
    ("fault", "finish"),
    [("safety", "IMAGE_SAFETY"), ("no-image", "NO_IMAGE"), ("max-tokens", "MAX_TOKENS")],
)
def test_candidate_refusals_have_no_image(server: FakeGemini, fault: str, finish: str) -> None:
    payload = _faulted(server, fault).json()
    candidate = payload["candidates"][0]
    assert candidate["finishReason"] == finish
    assert "parts" not in candidate.get("content", {})
    assert payload["usageMetadata"]["promptTokenCount"] > 0
    assert payload["modelVersion"] == MODEL
    assert payload["responseId"]


def test_max_tokens_keeps_an_empty_model_content(server: FakeGemini) -> None:
    assert _faulted(server, "max-tokens").json()["candidates"][0]["content"] == {"role": "model"}


def test_a_prohibited_prompt_has_a_block_reason_and_no_candidates(server: FakeGemini) -> None:
    payload = _faulted(server, "prohibited").json()
    assert payload["promptFeedback"] == {"blockReason": "PROHIBITED_CONTENT"}
    assert "candidates" not in payload
    assert "usageMetadata" in payload


def test_text_only_is_a_stop_with_only_text(server: FakeGemini) -> None:
    payload = _faulted(server, "text-only").json()
    assert payload["candidates"][0]["finishReason"] == "STOP"
    assert [list(p) for p in parts_of(payload)] == [["text"]]


def test_multi_image_returns_two_different_images(server: FakeGemini) -> None:
    images = [p for p in parts_of(_faulted(server, "multi-image").json()) if "inlineData" in p]
    assert len(images) == 2
    assert decoded(images[0]) != decoded(images[1])


def test_jpeg_as_png_labels_jpeg_bytes_png(server: FakeGemini) -> None:
    picture = parts_of(_faulted(server, "jpeg-as-png").json())[-1]
    assert picture["inlineData"]["mimeType"] == "image/png"
    assert decoded(picture).startswith(b"\xff\xd8\xff")


def test_thought_parts_come_first_and_only_the_final_image_is_signed(server: FakeGemini) -> None:
    payload = _faulted(server, "thought").json()
    thought_text, thought_image, _text, final = parts_of(payload)
    assert thought_text["thought"] is True
    assert thought_image["thought"] is True
    assert "thoughtSignature" not in thought_image
    assert "thought" not in final
    assert final["thoughtSignature"]
    assert decoded(final).startswith(b"\x89PNG")
    assert payload["usageMetadata"]["thoughtsTokenCount"] > 0


def test_malformed_is_a_200_whose_json_is_cut_off(server: FakeGemini) -> None:
    answer = _faulted(server, "malformed")
    assert answer.status_code == 200
    assert answer.content.startswith(b'{"candidates"')
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.content)


def test_drop_closes_the_connection_without_an_answer(server: FakeGemini) -> None:
    server.enqueue("drop")
    with client(server) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            generate(http, body())
        assert generate(http, body()).status_code == 200
    assert [r["status"] for r in server.requests] == [None, 200]
    assert server.requests[0]["fault"] == "drop"


def test_html_is_a_502_page(server: FakeGemini) -> None:
    answer = _faulted(server, "html")
    assert answer.status_code == 502
    assert answer.headers["content-type"].startswith("text/html")
    assert "<title>Error 502" in answer.text


def test_redirect_is_a_301_with_a_location_and_html(server: FakeGemini) -> None:
    answer = _faulted(server, "redirect")
    assert answer.status_code == 301
    assert answer.headers["location"].startswith(server.base_url)
    assert "301 Moved" in answer.text


def test_queued_faults_come_in_order_then_success(server: FakeGemini) -> None:
    server.enqueue("503", "429", "safety")
    with client(server) as http:
        statuses = [generate(http, body()).status_code for _ in range(4)]
        assert http.get("/v1beta/models").status_code == 200  # faults are for generate only
    assert statuses == [503, 429, 200, 200]
    assert [r["fault"] for r in server.requests] == ["503", "429", "safety", None, None]


def test_an_unknown_fault_name_is_refused(server: FakeGemini) -> None:
    with pytest.raises(ValueError, match="unknown fault nope"):
        server.enqueue("nope")


def test_random_faults_follow_their_seed() -> None:
    def run(seed: int) -> list[int]:
        faults = Faults(p429=0.3, p503=0.3, seed=seed, text_only_word="never")
        with FakeGemini(api_key=KEY, faults=faults) as srv, client(srv) as http:
            return [generate(http, body()).status_code for _ in range(8)]

    first = run(7)
    assert first == run(7)
    assert set(first) <= {200, 429, 503}
    assert len(set(first)) > 1


def test_certain_faults_always_happen() -> None:
    with FakeGemini(api_key=KEY, faults=Faults(p500=1.0)) as srv, client(srv) as http:
        assert {generate(http, body()).status_code for _ in range(3)} == {500}


@pytest.mark.parametrize(
    ("faults", "check"),
    [
        (
            Faults(block_word="storm"),
            lambda p: p["candidates"][0]["finishReason"] == "IMAGE_SAFETY",
        ),
        (Faults(prohibit_word="storm"), lambda p: p["promptFeedback"]["blockReason"]),
        (Faults(text_only_word="storm"), lambda p: list(parts_of(p)[0]) == ["text"]),
    ],
)
def test_words_in_the_prompt_trigger_refusals(faults: Faults, check: Any) -> None:
    with FakeGemini(api_key=KEY, faults=faults) as srv, client(srv) as http:
        assert check(generate(http, body("Another STORM over the bay.")).json())
        assert "inlineData" in parts_of(generate(http, body("A calm bay.")).json())[-1]


def test_sse_sends_one_compact_event_per_part_the_image_whole(server: FakeGemini) -> None:
    with client(server) as http:
        answer = http.post(STREAM, params={"alt": "sse"}, json=body())
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert b"[DONE]" not in answer.content
    assert b'{"candidates":[' in answer.content  # compact JSON
    text_event, image_event = sse_events(answer.content)
    assert "finishReason" not in text_event["candidates"][0]
    assert image_event["candidates"][0]["finishReason"] == "STOP"
    picture = image_event["candidates"][0]["content"]["parts"][0]
    assert decoded(picture).startswith(b"\x89PNG")
    assert text_event["responseId"] == image_event["responseId"]
    assert text_event["modelVersion"] == image_event["modelVersion"] == MODEL
    running = [e["usageMetadata"]["totalTokenCount"] for e in (text_event, image_event)]
    assert running[0] < running[1]
    assert server.requests[-1]["stream"] is True


def test_a_midstream_error_follows_an_ok_event(server: FakeGemini) -> None:
    server.enqueue("midstream-error", "midstream-error")
    with client(server) as http:
        streamed = http.post(STREAM, params={"alt": "sse"}, json=body())
        unary = generate(http, body())
    first, second = sse_events(streamed.content)
    assert streamed.status_code == 200
    assert parts_of(first)[0]["text"]
    assert second["error"]["code"] == 500
    assert unary.status_code == 500


def test_malformed_sse_is_one_cut_off_event(server: FakeGemini) -> None:
    server.enqueue("malformed")
    with client(server) as http:
        raw = http.post(STREAM, params={"alt": "sse"}, json=body()).content
    assert raw.startswith(b"data: {")
    assert raw.endswith(b"\r\n\r\n")
    with pytest.raises(json.JSONDecodeError):
        sse_events(raw)


def test_without_alt_sse_the_stream_is_one_json_array_errors_included(server: FakeGemini) -> None:
    server.enqueue("503")
    with client(server) as http:
        failed = http.post(STREAM, json=body())
        answered = http.post(STREAM, json=body())
    assert failed.status_code == 503
    assert failed.json()[0]["error"]["status"] == "UNAVAILABLE"
    responses = answered.json()
    assert isinstance(responses, list)
    assert responses[-1]["candidates"][0]["finishReason"] == "STOP"
