"""The last guard: a request whose body holds the key is refused and never sent."""

from __future__ import annotations

import pytest

from storyforge.fakeserver import FakeGemini
from storyforge.fakeserver.auth import Mode
from storyforge.providers.base import GenerateRequest
from tests.fakeserver_support import MODEL, generate_records, provider_call

PLAIN_KEY = "AIzaSyFAKE0123456789abcdef"
ESCAPED_KEY = 'AIzaSy"quoted\\slash'  # JSON spells it with escapes: both forms are looked for


@pytest.mark.parametrize("key", [PLAIN_KEY, ESCAPED_KEY], ids=["plain", "json-escaped"])
@pytest.mark.parametrize("provider", ["gemini", "cometapi"])
def test_a_prompt_holding_the_key_is_never_sent(provider: str, key: str) -> None:
    # As a template's {% include ".env" %} would put it there.
    request = GenerateRequest(model=MODEL, text=f"GEMINI_API_KEY={key}\nMara.", label="p1")
    mode: Mode = "comet" if provider == "cometapi" else "google"
    with FakeGemini(mode=mode, api_key=key) as server:
        outcome = provider_call(provider, server, request, key=key)
        assert generate_records(server) == []
    assert (outcome.status, outcome.attempts, outcome.fatal) == ("failed", 1, False)
    assert outcome.reason.startswith("refused to send a request whose body contains the API key")
    assert key not in outcome.reason
