"""Answers shaped like recorded real ones, served over loopback, read exactly by both providers."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from storyforge.capabilities import model_info
from storyforge.fakeserver import FakeGemini
from storyforge.providers import open_provider
from storyforge.providers.base import GenerateRequest, Outcome, ProviderOptions

KEY = "fake-key-fixtures"
FIXTURES = sorted((Path(__file__).parent / "fixtures" / "responses").glob("*.json"))
# (provider, fake server mode, stream): unary Gemini, streaming Gemini, CometAPI (streams).
CASES = [("gemini", "google", False), ("gemini", "google", True), ("cometapi", "comet", None)]


def _load(path: Path) -> dict[str, Any]:
    fixture: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return fixture


def _serve(fixture: dict[str, Any], provider: str, mode: str, stream: bool | None) -> Outcome:
    model = fixture["model"]
    info = model_info(model)
    request = GenerateRequest(
        model=model, text="Mara lights the great lamp.", label="p1",
        image_size=info.default_size if info.image_sizes else None,
    )  # fmt: skip
    with FakeGemini(mode="comet" if mode == "comet" else "google", api_key=KEY) as server:
        for answer in fixture["answers"]:
            server.replay(answer.get("body", answer.get("events")), answer["status"])
        options = ProviderOptions(
            api_key=KEY, base_url=server.base_url, timeout_s=20, stream=stream,
            backoff_initial_s=0.01, backoff_max_s=0.05,
        )  # fmt: skip

        async def run() -> Outcome:
            async with open_provider(provider, options) as opened:
                return await opened.generate(request)

        return asyncio.run(run())


def test_every_kind_of_answer_has_a_fixture() -> None:
    assert len(FIXTURES) >= 13


@pytest.mark.parametrize("case", CASES, ids=["gemini", "gemini-sse", "cometapi"])
@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_the_fixture_is_classified_as_the_service_meant_it(
    path: Path, case: tuple[str, str, bool | None]
) -> None:
    fixture = _load(path)
    expect = fixture["expect"]
    outcome = _serve(fixture, *case)
    got = {
        "status": outcome.status,
        "reason": outcome.reason,
        "text": outcome.text,
        "attempts": outcome.attempts,
        "fatal": outcome.fatal,
        "images": [
            {"sha256": hashlib.sha256(i.data).hexdigest(), "mime_type": i.mime_type}
            for i in outcome.images
        ],
        "model_version": outcome.model_version,
        "usage": asdict(outcome.usage),
    }
    assert got == expect
