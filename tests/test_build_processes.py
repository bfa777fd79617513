"""Builds as processes: killed with SIGKILL, interrupted with SIGINT, or two at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from storyforge.fakeserver import FakeGemini, Faults

from .build_support import (
    fake_env,
    generate_calls,
    index_entries,
    manifest,
    run_build,
    store_problems,
    write_story,
)

PANELS = 12
CONCURRENCY = 3
STORY = (
    "storyforge: 1\ntitle: Many\naspect_ratio: '1:1'\n"
    "scenes:\n  - id: many\n    continuity: none\n    panels:\n"
    + "".join(f"      - id: p{n}\n        prompt: panel number {n}\n" for n in range(PANELS))
)


def _start(story: Path, srv: FakeGemini) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "storyforge", "build", str(story), "--provider", "gemini"]
    return subprocess.Popen(
        [*args, "--concurrency", str(CONCURRENCY)],
        env={**os.environ, **fake_env(srv)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _ok_responses(srv: FakeGemini) -> int:
    return sum(r["status"] == 200 for r in generate_calls(srv))


def _settled_count(srv: FakeGemini, quiet_s: float) -> int:
    """The number of generate requests once none has been logged for `quiet_s` seconds."""
    count, since = len(generate_calls(srv)), time.monotonic()
    while time.monotonic() - since < quiet_s:
        time.sleep(0.05)
        now = len(generate_calls(srv))
        if now != count:
            count, since = now, time.monotonic()
    return count


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def test_a_killed_build_pays_again_at_most_for_the_calls_in_flight(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    store_root = tmp_path / ".storyforge"
    with FakeGemini(faults=Faults(latency_s=0.3)) as srv:
        build = _start(story, srv)
        _wait_for(lambda: _ok_responses(srv) >= 4, "four responses")
        answered_before_kill = _ok_responses(srv)
        build.send_signal(signal.SIGKILL)
        build.communicate(timeout=60)
        assert build.returncode == -signal.SIGKILL
        stored = index_entries(store_root)
        assert store_problems(store_root) == []
        # Requests the dead build had already written may still reach the server: let them
        # all be answered and logged before counting what the rerun pays for.
        before_rerun = _settled_count(srv, quiet_s=0.3 + 0.7)
        report, _ = run_build(story, srv, concurrency=CONCURRENCY)
        paid_again = len(generate_calls(srv)) - before_rerun
    assert report.exit_code == 0
    # Everything stored is reused; of the answers sent before the kill, only those still
    # in flight inside the build (at most one per slot) can be lost.
    assert paid_again == PANELS - stored
    assert paid_again <= PANELS - answered_before_kill + CONCURRENCY


def test_ctrl_c_exits_130_keeps_what_finished_and_a_rerun_reuses_it(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    with FakeGemini(faults=Faults(latency_s=0.3)) as srv:
        build = _start(story, srv)
        _wait_for(lambda: _ok_responses(srv) >= 4, "four responses")
        build.send_signal(signal.SIGINT)
        _, err = build.communicate(timeout=60)
        assert build.returncode == 130, err
        assert "interrupted" in err and "Traceback" not in err
        first = manifest(tmp_path / "out")
        runs = first["run"]["steps"]
        finished = {sid for sid, done in runs.items() if done["result"] == "generated"}
        assert len(finished) >= 3
        assert {s["error"] for s in first["steps"] if s["status"] == "skipped"} == {"interrupted"}
        stored = index_entries(tmp_path / ".storyforge")
        before_rerun = _settled_count(srv, quiet_s=0.3 + 0.7)
        report, _ = run_build(story, srv)
        assert len(generate_calls(srv)) - before_rerun == PANELS - stored
    again = {r.step_id: r.status for r in report.results}
    assert all(again[sid] == "cached" for sid in finished)
    assert report.exit_code == 0


def test_two_builds_at_once_both_succeed_and_leave_a_consistent_store(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    with FakeGemini(faults=Faults(latency_s=0.1)) as srv:
        builds = [_start(story, srv) for _ in range(2)]
        errors = [b.communicate(timeout=100)[1] for b in builds]
    assert [b.returncode for b in builds] == [0, 0], errors
    assert store_problems(tmp_path / ".storyforge") == []
    assert index_entries(tmp_path / ".storyforge") == PANELS
    done = manifest(tmp_path / "out")
    assert {s["status"] for s in done["steps"]} == {"ok"}
    for step in done["steps"]:
        (out,) = step["outputs"]
        assert (tmp_path / "out" / out["path"]).stat().st_size > 0
