"""The adaptive limiter: free until a 429, then the quota the 429 reveals, RetryInfo honoured."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from storyforge.build.limits import BACKOFF, START_WINDOW, Limits, Pacer
from storyforge.build.pipeline import BuildOptions, build
from storyforge.build.progress import Progress
from storyforge.fakeserver import FakeGemini

from .build_support import fake_env, write_story


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_429_pauses_for_its_delay_and_sets_the_rate_it_reveals() -> None:
    clock = Clock()
    pacer = Pacer(Limits(concurrency=16, adaptive=True), clock=clock)

    async def scenario() -> tuple[float, float, float | None]:
        first = await pacer.acquire()
        clock.now += 0.1
        second = await pacer.acquire()
        pacer.release(first, "ok", None)
        pacer.release(second, "quota", 0.4)  # 0.1 s after a start, a token in 0.4 s: 2/s
        return first, second, pacer.rate(clock.now)

    first, second, rate = asyncio.run(scenario())
    assert second - first == pytest.approx(0.1)
    assert rate == pytest.approx(BACKOFF * 2.0)
    assert pacer.paused_until == pytest.approx(clock.now + 0.4)
    assert pacer.window == pytest.approx((START_WINDOW + 1 / START_WINDOW) / 2)


def test_the_rate_creeps_up_after_a_cut() -> None:
    clock = Clock()
    pacer = Pacer(Limits(concurrency=4), clock=clock)
    pacer.base_rate, pacer.cut_at = 2.0, clock.now
    later = pacer.rate(clock.now + 60)
    assert later is not None and 2.0 < later < 2.1


def test_a_429_sent_before_the_last_cut_does_not_cut_again() -> None:
    clock = Clock()
    pacer = Pacer(Limits(concurrency=4), clock=clock)

    async def scenario() -> float | None:
        tickets = []
        for _ in range(3):
            tickets.append(await pacer.acquire())
            clock.now += 0.01
        pacer.release(tickets[1], "quota", 0.5)
        once = pacer.rate(clock.now)
        pacer.release(tickets[2], "quota", 0.5)
        assert pacer.rate(clock.now) == once
        return once

    assert asyncio.run(scenario()) is not None


def test_a_fixed_concurrency_stays_fixed() -> None:
    pacer = Pacer(Limits(concurrency=3))

    async def scenario() -> None:
        ticket = await pacer.acquire()
        pacer.release(ticket, "ok", None)

    asyncio.run(scenario())
    assert pacer.window == 3


def test_a_build_without_concurrency_finds_the_quota(tmp_path: Path) -> None:
    panels = 20  # four times the bucket's burst: a rate not learned would be refused often
    story = write_story(
        tmp_path,
        "storyforge: 1\ntitle: Quota\naspect_ratio: '1:1'\nscenes:\n  - id: s\n"
        "    continuity: none\n    panels:\n"
        + "".join(f"      - {{id: p{n}, prompt: panel {n}}}\n" for n in range(panels)),
    )
    with FakeGemini(quota_rpm=300) as srv:
        options = BuildOptions(
            story=story, provider="gemini", env=fake_env(srv),
            limits=Limits(concurrency=16, adaptive=True),
        )  # fmt: skip
        report = asyncio.run(build(options, Progress(io.StringIO(), live=False)))
        refused = srv.quota_refused
    assert report.exit_code == 0
    # The first window meets the bucket's burst; after that the learned rate holds. The
    # fake answers at once, so on a loaded machine the window can grow by an answer or
    # two before the first 429 is back (up to 6 refused were seen, with 10 panels or 20).
    assert refused <= START_WINDOW + 2
