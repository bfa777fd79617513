"""An answer and its request are freed when the call ends, not when the cycle collector runs.

A build holds only the calls in flight: with each answer and request kept until the
collector's next full sweep, a 1,000-panel build of 1 MB images held ~45 of each.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from storyforge.fakeserver import FakeGemini
from storyforge.providers import open_provider
from storyforge.providers.base import GenerateRequest, ImagePart, ProviderOptions
from storyforge.providers.gemini import GeminiProvider

from .fakeserver_support import tiny_png


@pytest.fixture
def no_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.usefixtures("no_collector")
@pytest.mark.parametrize("stream", [False, True], ids=["unary", "sse"])
def test_nothing_of_a_finished_call_waits_for_the_collector(stream: bool) -> None:
    answers: list[weakref.ref[httpx.Response]] = []

    async def keep(response: httpx.Response) -> None:
        answers.append(weakref.ref(response))
        answers.append(weakref.ref(response.request))  # type: ignore[arg-type]

    async def run(srv: FakeGemini) -> Any:
        options = ProviderOptions(api_key="fake-key", base_url=srv.base_url, stream=stream)
        async with open_provider("gemini", options) as provider:
            assert isinstance(provider, GeminiProvider)
            provider.http.client.event_hooks["response"].append(keep)
            request = GenerateRequest(
                model="gemini-3.1-flash-image", text="a lamp", image_size="512",
                images=(ImagePart("Image 1: the lamp", tiny_png(), "image/png"),),
            )  # fmt: skip
            outcome = await provider.generate(request)
            assert outcome.status == "generated"
            return [ref() is None for ref in answers]

    with FakeGemini() as srv:
        freed = asyncio.run(run(srv))
    assert freed == [True, True]  # the answer and the request it carried
