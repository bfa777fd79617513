"""The retry loop, backoff, pricing and the upload cache, without a server."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

import pytest

from storyforge.providers.apierror import ApiError
from storyforge.providers.base import Outcome, Usage
from storyforge.providers.files import UploadCache, UploadedFile, parse_file
from storyforge.providers.pricing import cost_usd, image_rate
from storyforge.providers.retry import Backoff, Verdict, judge, with_retries

FAST = Backoff(0.0, 0.0, random.Random(0))


def test_backoff_is_jittered_exponential_and_respects_the_server() -> None:
    backoff = Backoff(1.0, 8.0, random.Random(1))
    for attempt, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)):
        delays = [backoff.delay(attempt) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling / 2
    assert all(backoff.delay(1, server_wait=21.0) >= 21.0 for _ in range(50))


def run_loop(errors: list[ApiError], max_attempts: int = 5) -> tuple[Outcome, list[ApiError]]:
    seen: list[ApiError] = []

    async def attempt() -> Outcome:
        if errors:
            raise errors.pop(0)
        return Outcome("generated", text="ok")

    async def decide(error: ApiError) -> Verdict:
        seen.append(error)
        return judge(error, key_env_var="GEMINI_API_KEY", model="m")

    return asyncio.run(with_retries(attempt, decide, max_attempts=max_attempts, backoff=FAST)), seen


def test_transient_errors_are_retried_and_attempts_counted() -> None:
    errors = [ApiError("busy", status=503), ApiError("reset", status=0, transport=True)]
    outcome, seen = run_loop(errors)
    assert (outcome.status, outcome.attempts, len(seen)) == ("generated", 3, 2)


def test_gives_up_after_max_attempts() -> None:
    outcome, _ = run_loop([ApiError("busy", status=503, code="UNAVAILABLE") for _ in range(9)], 3)
    assert (outcome.status, outcome.attempts, outcome.fatal) == ("failed", 3, False)
    assert outcome.reason == "HTTP 503 UNAVAILABLE: busy (gave up after 3 attempts)"


def test_hopeless_errors_stop_at_once() -> None:
    outcome, _ = run_loop([ApiError("bad", status=401)])
    assert (outcome.status, outcome.attempts, outcome.fatal) == ("failed", 1, True)
    outcome, _ = run_loop([ApiError("Unknown name", status=400, code="INVALID_ARGUMENT")])
    assert (outcome.attempts, outcome.fatal) == (1, False)


def test_again_retries_at_once_beyond_the_limit() -> None:
    calls = 0

    async def attempt() -> Outcome:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ApiError("file gone", status=403)
        return Outcome("generated")

    async def decide(error: ApiError) -> Verdict:
        return Verdict("again")

    outcome = asyncio.run(with_retries(attempt, decide, max_attempts=1, backoff=FAST))
    assert (outcome.status, outcome.attempts) == ("generated", 2)


def test_cancellation_propagates_while_waiting() -> None:
    async def attempt() -> Outcome:
        raise ApiError("busy", status=503, retry_delay_s=60.0)

    async def decide(error: ApiError) -> Verdict:
        return Verdict("retry")

    async def run() -> None:
        task = asyncio.create_task(with_retries(attempt, decide, max_attempts=5, backoff=FAST))
        await asyncio.sleep(0.01)
        task.cancel()
        await task

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(run())


def test_cost_from_usage() -> None:
    usage = Usage(prompt_tokens=1000, output_tokens=1301, image_tokens=1290, thoughts_tokens=0)
    expected = 0.039 + 11 * 2.5e-6 + 1000 * 0.3e-6
    assert cost_usd(usage, "gemini-2.5-flash-image") == pytest.approx(expected)
    assert image_rate("gemini-3.1-flash-image", "2K") == pytest.approx(0.101 / 1680)
    pro = Usage(prompt_tokens=0, output_tokens=1120, image_tokens=1120, thoughts_tokens=800)
    assert cost_usd(pro, "gemini-3-pro-image", "4K") == pytest.approx(
        1120 * 0.24 / 2000 + 800 * 12e-6
    )
    # no IMAGE breakdown: the returned images are priced by the table, not as text
    bare = Usage(output_tokens=1290)
    assert cost_usd(bare, "gemini-2.5-flash-image", images=1) == pytest.approx(0.039)
    assert cost_usd(Usage(), "gemini-2.5-flash-image", images=1) == pytest.approx(0.039)
    assert cost_usd(Usage(), "gemini-2.5-flash-image") == 0.0


def test_upload_cache_reuses_until_an_hour_is_left() -> None:
    now = dt.datetime(2026, 10, 14, 9, 0, tzinfo=dt.UTC)
    cache = UploadCache(clock=lambda: now)
    far = UploadedFile("files/a", "u", "image/png", now + dt.timedelta(hours=2))
    near = UploadedFile("files/b", "u", "image/png", now + dt.timedelta(minutes=59))
    cache.put("a", far)
    cache.put("b", near)
    assert cache.get("a") == far
    assert cache.get("b") is None
    cache.forget("a")
    assert cache.get("a") is None


def test_parse_file() -> None:
    file = parse_file(
        {"file": {"name": "files/x", "uri": "https://h/v1beta/files/x", "mimeType": "image/png",
                  "expirationTime": "2026-10-16T09:12:44Z"}}
    )  # fmt: skip
    assert file.expires == dt.datetime(2026, 10, 16, 9, 12, 44, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="no file"):
        parse_file({"file": {}})
