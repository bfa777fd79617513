"""Both HTTP providers against the fake server over loopback: outcomes and attempts per fault."""

from __future__ import annotations

import asyncio
import logging
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest

from storyforge.capabilities import MODELS
from storyforge.fakeserver import FakeGemini, Faults
from storyforge.providers import open_provider
from storyforge.providers.base import GenerateRequest, ImagePart, Outcome, ProviderOptions
from storyforge.providers.gemini import GeminiProvider
from storyforge.providers.retry import QUOTA_EXHAUSTED
from storyforge.providers.wire import inline_size

KEY = "fake-key"
# The smallest output there is (512x512), so the fake server draws quickly; 2.5 where PNG matters.
MODEL, SIZE = "gemini-3.1-flash-image", "512"
PNG_MODEL = "gemini-2.5-flash-image"


@dataclass(frozen=True)
class Case:
    provider: str
    mode: Literal["google", "comet"]
    stream: bool | None = None

    @property
    def key_var(self) -> str:
        return "COMETAPI_KEY" if self.provider == "cometapi" else "GEMINI_API_KEY"


CASES = [
    Case("gemini", "google"),  # unary generateContent
    Case("cometapi", "comet"),  # streams by default
]
# Gemini streaming too, for the tests where the body's framing matters.
WITH_SSE = pytest.mark.parametrize(
    "case",
    [*CASES, Case("gemini", "google", stream=True)],
    ids=["gemini", "cometapi", "gemini-sse"],
    indirect=True,
)


@pytest.fixture(params=CASES, ids=["gemini", "cometapi"])
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def srv(case: Case) -> Iterator[FakeGemini]:
    with FakeGemini(mode=case.mode, api_key=KEY, faults=Faults(retry_delay_s=0.05)) as server:
        yield server


def ask(text: str = "Mara climbs the stairs at dusk.", **kw: Any) -> GenerateRequest:
    values = {"model": MODEL, "image_size": SIZE, "text": text, "label": "panel-1"}
    return GenerateRequest(**(values | kw))


def call(
    case: Case, srv: FakeGemini, *requests: GenerateRequest, budget: int | None = None, **opts: Any
) -> list[Outcome]:
    options = ProviderOptions(
        **(
            {"api_key": KEY, "base_url": srv.base_url, "timeout_s": 20, "stream": case.stream,
             "backoff_initial_s": 0.01, "backoff_max_s": 0.05} | opts
        )
    )  # fmt: skip

    async def run() -> list[Outcome]:
        async with open_provider(case.provider, options) as provider:
            assert isinstance(provider, GeminiProvider)
            if budget is not None:
                provider.inline_budget = budget
            return [await provider.generate(r) for r in requests]

    return asyncio.run(run())


def one(case: Case, srv: FakeGemini, *faults: str, **kw: Any) -> Outcome:
    srv.enqueue(*faults)
    return call(case, srv, ask(), **kw)[0]


def jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from a baseline JPEG's SOF0 segment."""
    at = data.index(b"\xff\xc0")
    height, width = struct.unpack(">HH", data[at + 5 : at + 9])
    return width, height


def generates(srv: FakeGemini, count: int = 1) -> list[dict[str, Any]]:
    """The generate records, once at least `count` are in (the server logs after answering)."""
    for _ in range(200):
        found = [
            r for r in srv.requests if r["route"] in {"generateContent", "streamGenerateContent"}
        ]
        if len(found) >= count:
            return found
        time.sleep(0.01)
    return found


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@WITH_SSE
def test_success_and_the_wire_it_used(case: Case, srv: FakeGemini) -> None:
    outcome = call(case, srv, ask(model=PNG_MODEL, image_size=None))[0]
    assert (outcome.status, outcome.attempts, outcome.reason) == ("generated", 1, "")
    assert [i.mime_type for i in outcome.images] == ["image/png"]
    assert png_size(outcome.images[0].data) == (1024, 1024)
    assert outcome.model_version == PNG_MODEL
    assert outcome.usage.image_tokens == 1290
    assert outcome.cost_usd == pytest.approx(0.039, rel=0.01)
    (record,) = generates(srv)
    expected_route = (
        "generateContent"
        if case.stream is None and case.mode == "google"
        else "streamGenerateContent"
    )
    assert record["route"] == expected_route
    assert record["status"] == 200
    headers = record["headers"]
    if case.mode == "google":
        assert "x-goog-api-key" in headers and "authorization" not in headers
    else:
        assert "authorization" in headers and "x-goog-api-key" not in headers


@WITH_SSE
@pytest.mark.parametrize("fault", ["503", "500", "502", "504", "408", "429", "drop", "html"])
def test_transient_faults_are_retried(case: Case, srv: FakeGemini, fault: str) -> None:
    outcome = one(case, srv, fault)
    assert (outcome.status, outcome.attempts) == ("generated", 2)
    assert [r["fault"] for r in generates(srv, 2)] == [fault, None]


@WITH_SSE
def test_mid_stream_error_is_retried_when_streaming(case: Case, srv: FakeGemini) -> None:
    outcome = one(case, srv, "midstream-error")
    assert (outcome.status, outcome.attempts) == ("generated", 2)


def test_gives_up_after_max_attempts(case: Case, srv: FakeGemini) -> None:
    outcome = one(case, srv, "503", "503", "503", max_attempts=3)
    assert (outcome.status, outcome.attempts, outcome.fatal) == ("failed", 3, False)
    assert outcome.reason.startswith("HTTP 503 UNAVAILABLE: The model is overloaded.")
    assert len(generates(srv, 3)) == 3


@pytest.mark.parametrize(
    ("fault", "status", "reason"),
    [
        ("safety", "blocked", "IMAGE_SAFETY"),
        ("prohibited", "blocked", "PROHIBITED_CONTENT"),
        ("text-only", "blocked", "no image"),
        ("no-image", "blocked", "NO_IMAGE"),
        ("max-tokens", "failed", "no image (finishReason MAX_TOKENS)"),
    ],
)
def test_refusals_are_classified_without_retry(
    case: Case, srv: FakeGemini, fault: str, status: str, reason: str
) -> None:
    outcome = one(case, srv, fault)
    assert (outcome.status, outcome.reason, outcome.attempts, outcome.images) == (
        status,
        reason,
        1,
        (),
    )
    if fault == "text-only":
        assert outcome.text.startswith("I can't create that image")


@WITH_SSE
def test_malformed_body_fails_without_retry(case: Case, srv: FakeGemini) -> None:
    outcome = one(case, srv, "malformed")
    assert (outcome.status, outcome.attempts, outcome.fatal) == ("failed", 1, False)
    assert outcome.reason.startswith("malformed response")
    assert len(generates(srv)) == 1


def test_redirect_fails_naming_the_base_url(case: Case, srv: FakeGemini) -> None:
    outcome = one(case, srv, "redirect")
    assert (outcome.status, outcome.attempts) == ("failed", 1)
    assert outcome.reason == f"HTTP 301: redirected to {srv.base_url}/moved: check the base URL"


@WITH_SSE
def test_multi_image_keeps_both_in_order(case: Case, srv: FakeGemini) -> None:
    outcome = one(case, srv, "multi-image")
    assert outcome.status == "generated"
    assert len(outcome.images) == 2
    assert outcome.images[0].data != outcome.images[1].data
    assert outcome.usage.image_tokens == 2 * 747
    assert outcome.cost_usd == pytest.approx(2 * 0.045, rel=0.01)


def test_jpeg_labelled_png_is_sniffed(case: Case, srv: FakeGemini) -> None:
    srv.enqueue("jpeg-as-png")
    outcome = call(case, srv, ask(model=PNG_MODEL, image_size=None))[0]
    assert [i.mime_type for i in outcome.images] == ["image/jpeg"]
    assert outcome.images[0].data[:3] == b"\xff\xd8\xff"


@WITH_SSE
def test_thoughts_are_dropped_and_the_final_image_kept(case: Case, srv: FakeGemini) -> None:
    srv.enqueue("thought")
    outcome = call(case, srv, ask(modalities=("text", "image")))[0]
    assert outcome.status == "generated"
    # the thought draft is a small PNG; the final answer a 512x512 JPEG
    assert [i.mime_type for i in outcome.images] == ["image/jpeg"]
    assert jpeg_size(outcome.images[0].data) == (512, 512)
    assert "Planning the frame" not in outcome.text


def test_limit_zero_is_fatal_at_once(case: Case, srv: FakeGemini) -> None:
    outcome = one(case, srv, "429-limit0")
    assert (outcome.status, outcome.fatal, outcome.attempts) == ("failed", True, 1)
    assert outcome.reason == QUOTA_EXHAUSTED


def test_unknown_model_is_fatal_and_lists_the_available(case: Case, srv: FakeGemini) -> None:
    outcome = call(case, srv, ask(model="gemini-2.5-flash-image-preview"))[0]
    assert (outcome.status, outcome.fatal, outcome.attempts) == ("failed", True, 1)
    assert outcome.reason.startswith(
        "model 'gemini-2.5-flash-image-preview' is retired or unknown; pick one with --model "
        "(storyforge models lists them); available: gemini-2.5-flash-image, "
    )


def test_refused_key_is_fatal(case: Case, srv: FakeGemini) -> None:
    outcome = call(case, srv, ask(), api_key="wrong-key")[0]
    assert (outcome.status, outcome.fatal, outcome.attempts) == ("failed", True, 1)
    status = 400 if case.mode == "google" else 401
    assert outcome.reason == f"the API key was refused (HTTP {status}): check {case.key_var}"


def test_bad_request_fails_without_retry(case: Case, srv: FakeGemini) -> None:
    outcome = one(case, srv, "400-unknown-field")
    assert (outcome.status, outcome.fatal, outcome.attempts) == ("failed", False, 1)
    assert outcome.reason.startswith("HTTP 400 INVALID_ARGUMENT: Invalid JSON payload received.")


def test_a_silent_server_is_tried_twice_then_the_call_fails(case: Case) -> None:
    with FakeGemini(mode=case.mode, api_key=KEY, faults=Faults(latency_s=1.0)) as server:
        outcome = call(case, server, ask(), timeout_s=0.2, max_attempts=5)[0]
    assert (outcome.status, outcome.attempts) == ("failed", 2)
    assert outcome.reason == (
        "no complete answer within 0.2 s (--timeout), twice: the server does not answer"
    )


def test_list_models(case: Case, srv: FakeGemini) -> None:
    async def run() -> list[str]:
        options = ProviderOptions(api_key=KEY, base_url=srv.base_url)
        async with open_provider(case.provider, options) as provider:
            return [m.id for m in await provider.list_models()]

    ids = asyncio.run(run())
    assert "gemini-2.5-flash-image" in ids and "gemini-nano-banana-2.1" in ids
    assert all("image" in i or i in MODELS for i in ids)


def test_429_waits_at_least_the_servers_retry_delay(case: Case) -> None:
    with FakeGemini(mode=case.mode, api_key=KEY, faults=Faults(retry_delay_s=2.0)) as server:
        server.enqueue("429")
        outcome = call(case, server, ask())[0]
        first, second = generates(server, 2)
    assert (outcome.status, outcome.attempts) == ("generated", 2)
    assert (first["status"], second["status"]) == (429, 200)
    # the backoff alone would wait at most 0.01 s: only RetryInfo explains this gap
    assert second["t"] - first["t_done"] >= 2.0


def uploads_started(srv: FakeGemini) -> int:
    return sum(1 for r in srv.requests if r["route"] == "upload" and "upload_id" not in r["path"])


def parts_sent(record: dict[str, Any]) -> list[str]:
    return [next(iter(p)) for p in record["body"]["contents"][0]["parts"]]


def test_large_inputs_go_through_the_files_api_and_are_reused(case: Case, srv: FakeGemini) -> None:
    big = call(case, srv, ask(model=PNG_MODEL, image_size=None))[0].images[0]
    small = call(case, srv, ask())[0].images[0]
    assert len(big.data) > len(small.data)
    images = (
        ImagePart("Image 1: character sheet", small.data, small.mime_type),
        ImagePart("Image 2: previous panel", big.data, big.mime_type),
    )
    first, second = ask(images=images), ask(text="The next panel.", images=images)
    # just over the budget: only the largest image has to move
    budget = min(inline_size(first), inline_size(second)) - 1

    async def run() -> list[Outcome]:
        options = ProviderOptions(api_key=KEY, base_url=srv.base_url, stream=case.stream)
        async with open_provider(case.provider, options) as provider:
            assert isinstance(provider, GeminiProvider)
            provider.inline_budget = budget
            outcomes = [await provider.generate(first), await provider.generate(second)]
            srv.expire_files()
            return [*outcomes, await provider.generate(first)]

    outcomes = asyncio.run(run())
    assert [(o.status, o.attempts) for o in outcomes] == [
        ("generated", 1),
        ("generated", 1),
        ("generated", 2),
    ]
    records = generates(srv, 6)[2:]
    assert [r["status"] for r in records] == [200, 200, 403, 200]
    expected = ["text", "text", "inlineData", "text", "fileData"]
    assert [parts_sent(r) for r in records] == [expected] * 4
    # one upload served the first two requests; the expired file was uploaded once more
    assert uploads_started(srv) == 2


def test_the_key_appears_in_no_log_error_or_file(
    case: Case, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "sk-storyforge-Secret-0123456789"
    caplog.set_level(logging.DEBUG)
    log_path = tmp_path / "requests.jsonl"
    faults = Faults(retry_delay_s=0.01)
    with FakeGemini(mode=case.mode, api_key=secret, faults=faults, log_path=log_path) as server:
        server.enqueue("503", "drop", "html", "midstream-error")
        outcomes = call(case, server, ask(), api_key=secret, debug_http=True)
        server.enqueue("redirect", "404-model")
        outcomes += call(case, server, ask(), ask(), api_key=secret, debug_http=True)
        outcomes += call(case, server, ask(), api_key=secret + "-wrong", debug_http=True)
        outcomes += call(case, server, ask(), api_key=secret, base_url=server.base_url + "/nowhere")
    assert [o.status for o in outcomes] == ["generated", "failed", "failed", "failed", "failed"]
    http_lines = [r.getMessage() for r in caplog.records if r.name == "storyforge.http"]
    assert any(" -> 503 " in line for line in http_lines)
    assert any(" -> 200 OK" in line for line in http_lines)
    for record in caplog.records:
        assert secret not in record.getMessage()
    for outcome in outcomes:
        assert secret not in outcome.reason and secret not in outcome.text
    for path in tmp_path.rglob("*"):
        assert secret.encode() not in path.read_bytes()


def test_cancellation_propagates(case: Case) -> None:
    with FakeGemini(mode=case.mode, api_key=KEY, faults=Faults(latency_s=1.0)) as server:

        async def run() -> None:
            options = ProviderOptions(api_key=KEY, base_url=server.base_url)
            async with open_provider(case.provider, options) as provider:
                task = asyncio.create_task(provider.generate(ask()))
                await asyncio.sleep(0.1)
                task.cancel()
                await task

        with pytest.raises(asyncio.CancelledError):
            asyncio.run(run())
