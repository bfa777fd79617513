"""A slow-drip or silent server cannot hold a call: one total deadline per request, two tries."""

from __future__ import annotations

import pytest

from storyforge.fakeserver import FakeGemini, Faults
from storyforge.providers.base import GenerateRequest, ProviderOptions
from storyforge.providers.gemini import MAX_DEADLINES
from tests.fakeserver_support import KEY, MODEL, generate_records, provider_call

REQUEST = GenerateRequest(model=MODEL, text="Mara climbs the stairs.", label="p1")


@pytest.mark.parametrize(
    ("provider", "mode", "stream"),
    [("gemini", "google", False), ("gemini", "google", True), ("cometapi", "comet", None)],
    ids=["gemini", "gemini-sse", "cometapi"],
)
def test_a_server_sending_one_byte_a_second_trips_the_deadline(
    provider: str, mode: str, stream: bool | None
) -> None:
    # Every read gets a byte within a second, so a per-read timeout would never fire.
    faults = Faults(drip_s=1.0)
    with FakeGemini(
        mode="comet" if mode == "comet" else "google", api_key=KEY, faults=faults
    ) as srv:
        srv.enqueue("slow-drip", "slow-drip", "slow-drip")
        outcome = provider_call(provider, srv, REQUEST, timeout_s=1.5, stream=stream)
        records = generate_records(srv)
    assert (outcome.status, outcome.attempts, outcome.images) == ("failed", 2, ())
    assert outcome.reason == (
        "no complete answer within 1.5 s (--timeout), twice: the server does not answer"
    )
    assert [r["fault"] for r in records] == ["slow-drip", "slow-drip"]


def test_the_defaults_bound_a_silent_servers_hold_on_a_call() -> None:
    # 300 s x 5 attempts held a call for 25 minutes; now 180 s, at most twice: 6 minutes.
    defaults = ProviderOptions()
    assert defaults.timeout_s == 180.0
    assert defaults.timeout_s * MAX_DEADLINES <= 6 * 60
