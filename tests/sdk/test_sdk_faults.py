"""Every injected fault, read by the SDK as it reads the real service's answer."""

from __future__ import annotations

import json

import pytest
from google import genai
from google.genai import errors, types

from storyforge.fakeserver import FAULT_NAMES, FakeGemini
from storyforge.fakeserver.faults import BODY_FAULTS, ERROR_FAULTS

MODEL = "gemini-2.5-flash-image"
# Error faults: the HTTP status and google.rpc status the SDK's APIError carries.
ERRORS = {
    "429": (429, "RESOURCE_EXHAUSTED"), "429-limit0": (429, "RESOURCE_EXHAUSTED"),
    "503": (503, "UNAVAILABLE"), "500": (500, "INTERNAL"), "502": (502, "UNAVAILABLE"),
    "504": (504, "DEADLINE_EXCEEDED"), "408": (408, "DEADLINE_EXCEEDED"),
    "400-unknown-field": (400, "INVALID_ARGUMENT"), "400-aspect-ratio": (400, "INVALID_ARGUMENT"),
    "400-candidate-count": (400, "INVALID_ARGUMENT"),
    "400-thought-signature": (400, "INVALID_ARGUMENT"), "403-file": (403, "PERMISSION_DENIED"),
    "404-model": (404, "NOT_FOUND"), "html": (502, "Bad Gateway"),
    "redirect": (404, "Not Found"),  # the SDK follows the 301 to a page that is not there
}  # fmt: skip
# Body faults: (finish reason, prompt block, [(kind, thought) of each part]).
BODIES: dict[str, tuple[str | None, str | None, list[tuple[str, bool]]]] = {
    "safety": ("IMAGE_SAFETY", None, []),
    "prohibited": (None, "PROHIBITED_CONTENT", []),
    "text-only": ("STOP", None, [("text", False)]),
    "no-image": ("NO_IMAGE", None, []),
    "max-tokens": ("MAX_TOKENS", None, []),
    "multi-image": ("STOP", None, [("text", False), ("image/png", False), ("image/png", False)]),
    "jpeg-as-png": ("STOP", None, [("text", False), ("image/png", False)]),
    "thought": ("STOP", None, [("text", True), ("image/png", True), ("text", False),
                               ("image/png", False)]),
    "slow-drip": ("STOP", None, [("text", False), ("image/png", False)]),
}  # fmt: skip


def test_every_fault_has_an_expectation() -> None:
    assert set(ERRORS) | set(BODIES) | {"drop", "malformed", "midstream-error"} == FAULT_NAMES
    assert set(ERRORS) >= ERROR_FAULTS
    assert set(BODIES) >= BODY_FAULTS


@pytest.mark.parametrize("fault", sorted(ERRORS))
def test_error_faults_raise_the_sdks_api_error(
    sdk: genai.Client, server: FakeGemini, fault: str
) -> None:
    server.enqueue(fault)
    with pytest.raises(errors.APIError) as caught:
        sdk.models.generate_content(model=MODEL, contents="A gull.")
    assert (caught.value.code, caught.value.status) == ERRORS[fault]
    if fault == "429":
        details = caught.value.details["error"]["details"]
        assert any(d["@type"].endswith("RetryInfo") for d in details)


@pytest.mark.parametrize("fault", sorted(BODIES))
def test_body_faults_read_as_answers(sdk: genai.Client, server: FakeGemini, fault: str) -> None:
    server.enqueue(fault)
    response = sdk.models.generate_content(model=MODEL, contents="A gull.")
    finish, block, parts = BODIES[fault]
    candidate = response.candidates[0] if response.candidates else None
    assert (candidate.finish_reason if candidate else None) == finish
    assert (response.prompt_feedback.block_reason if response.prompt_feedback else None) == block
    got = [
        (p.inline_data.mime_type if p.inline_data else "text", bool(p.thought))
        for p in (candidate.content.parts or []) if candidate and candidate.content
    ] if candidate and candidate.content else []  # fmt: skip
    assert got == parts
    if fault == "jpeg-as-png":
        blob = response.parts[-1].inline_data if response.parts else None
        assert blob is not None and blob.data is not None and blob.data[:3] == b"\xff\xd8\xff"


def test_a_dropped_connection_is_a_transport_error(sdk: genai.Client, server: FakeGemini) -> None:
    server.enqueue("drop")
    # The SDK's transport is httpx (or its httpx2 fork): the class is named, not imported.
    with pytest.raises(Exception) as caught:
        sdk.models.generate_content(model=MODEL, contents="A gull.")
    assert type(caught.value).__name__ == "RemoteProtocolError"


def test_a_malformed_body_is_a_json_error(sdk: genai.Client, server: FakeGemini) -> None:
    server.enqueue("malformed")
    with pytest.raises(json.JSONDecodeError):
        sdk.models.generate_content(model=MODEL, contents="A gull.")


def test_a_mid_stream_error_ends_the_stream_with_an_api_error(
    sdk: genai.Client, server: FakeGemini
) -> None:
    server.enqueue("midstream-error")
    received: list[types.GenerateContentResponse] = []
    with pytest.raises(errors.ServerError) as caught:
        for chunk in sdk.models.generate_content_stream(model=MODEL, contents="A gull."):
            received.append(chunk)
    assert (caught.value.code, caught.value.status) == (500, "INTERNAL")
    assert len(received) == 1 and received[0].text
