"""The fake server's `quota_rpm`: a token bucket answering 429 with RetryInfo past the quota."""

from __future__ import annotations

import time

import pytest

from storyforge.fakeserver import FakeGemini
from storyforge.fakeserver.quota import TokenBucket
from tests.fakeserver_support import KEY, body, client, error_of, generate


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_refills_at_the_quota_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(120, clock=clock)  # 2 a second, 2 at once
    assert bucket.take() is None and bucket.take() is None
    assert bucket.take() == pytest.approx(0.5)
    clock.now = 0.5
    assert bucket.take() is None
    assert bucket.take() == pytest.approx(0.5)
    clock.now = 10.0
    assert [bucket.take() for _ in range(3)][:2] == [None, None]  # capped at the burst
    assert bucket.refused == 3


def test_a_bucket_needs_a_positive_quota() -> None:
    with pytest.raises(ValueError, match="more than 0"):
        TokenBucket(0)


def test_requests_past_the_quota_get_429_with_retry_info() -> None:
    with FakeGemini(api_key=KEY, quota_rpm=60) as srv, client(srv) as http:
        first = generate(http, body("one"))
        second = generate(http, body("two"))
    assert first.status_code == 200
    assert second.status_code == 429
    error = error_of(second)
    assert error["status"] == "RESOURCE_EXHAUSTED"
    retry = next(d for d in error["details"] if d["@type"].endswith("RetryInfo"))
    assert retry["retryDelay"].endswith("s") and 0 < float(retry["retryDelay"][:-1]) <= 1.0
    quota = next(d for d in error["details"] if d["@type"].endswith("QuotaFailure"))
    assert quota["violations"][0]["quotaValue"] == "60"
    assert "Please retry in" in error["message"]
    assert srv.quota_refused == 1
    assert srv.requests[-1]["fault"] == "quota"


def test_waiting_the_retry_delay_finds_a_token() -> None:
    with FakeGemini(api_key=KEY, quota_rpm=60) as srv, client(srv) as http:
        generate(http, body("first"))
        refused = generate(http, body("second"))
        assert refused.status_code == 429
        retry = next(d for d in error_of(refused)["details"] if d["@type"].endswith("RetryInfo"))
        time.sleep(float(retry["retryDelay"][:-1]))
        after = generate(http, body("after"))
    assert after.status_code == 200


def test_other_routes_are_not_counted() -> None:
    with FakeGemini(api_key=KEY, quota_rpm=60) as srv, client(srv) as http:
        for _ in range(5):
            assert http.get("/v1beta/models").status_code == 200
        assert generate(http, body("one")).status_code == 200
