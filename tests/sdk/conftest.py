"""Google's own SDK pointed at the fake server over loopback, at each API version it calls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from google import genai
from google.genai import types

from storyforge.fakeserver import FakeGemini, Faults

KEY = "fake-key-sdk"
VERSIONS = ["v1", "v1beta"]  # the SDK's default since 3.0, and the one storyforge calls


@pytest.fixture(scope="module")
def server() -> Iterator[FakeGemini]:
    # Retry delays and slow drips kept short so fault tests stay quick; nothing else is set.
    with FakeGemini(api_key=KEY, faults=Faults(retry_delay_s=0.01, drip_s=0.0001)) as srv:
        yield srv


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sdk(server: FakeGemini, version: str) -> Iterator[genai.Client]:
    """The SDK as a user sets it up for a proxy: only the base URL and API version differ."""
    options = types.HttpOptions(base_url=server.base_url, api_version=version)
    client = genai.Client(api_key=KEY, http_options=options)
    try:
        yield client
    finally:
        client.close()
