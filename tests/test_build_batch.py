"""`build --batch` against the fake server: waves as jobs, half price, resumed after a kill."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storyforge.build.executor import Limits
from storyforge.build.pipeline import BuildOptions, BuildReport, build
from storyforge.build.progress import Progress
from storyforge.errors import UsageError
from storyforge.fakeserver import BatchSettings, FakeGemini

from .build_support import fake_env, index_entries, manifest, run_build, store_problems, write_story

PANELS = 6
# Two waves: a chain of two (the second waits for the first), and four loose panels.
STORY = (
    "storyforge: 1\ntitle: Batch\nmodel: gemini-nano-banana-2.1\naspect_ratio: '1:1'\n"
    "scenes:\n  - id: chain\n    panels:\n"
    "      - {id: c0, prompt: chain zero}\n      - {id: c1, prompt: chain one}\n"
    "  - id: loose\n    continuity: none\n    panels:\n"
    + "".join(f"      - {{id: p{n}, prompt: loose panel {n}}}\n" for n in range(PANELS - 2))
)
BATCH = Limits(concurrency=1_000_000, batch=True)


def batch_build(story: Path, srv: FakeGemini, provider: str = "gemini") -> BuildReport:
    options = BuildOptions(story=story, provider=provider, limits=BATCH, env=fake_env(srv))
    return asyncio.run(build(options, Progress(io.StringIO(), live=False)))


def creates(srv: FakeGemini) -> int:
    return sum(r["route"] == "batchGenerateContent" and r["status"] == 200 for r in srv.requests)


def test_each_wave_is_one_job_at_half_the_interactive_price(tmp_path: Path) -> None:
    story = write_story(tmp_path / "batch", STORY)
    with FakeGemini(batch=BatchSettings(run_s=0.2)) as srv:
        report = batch_build(story, srv)
        interactive, _ = run_build(write_story(tmp_path / "plain", STORY), srv)
        assert creates(srv) == 2  # wave one: c0 and the loose panels; wave two: c1
        assert not any(r["route"] == "generateContent" for r in srv.requests[: creates(srv)])
    assert report.exit_code == 0 and all(r.status == "generated" for r in report.results)
    assert report.spent_usd == pytest.approx(interactive.spent_usd / 2)
    assert store_problems(tmp_path / "batch" / ".storyforge") == []
    assert not (tmp_path / "batch" / ".storyforge" / "batches").exists() or not list(
        (tmp_path / "batch" / ".storyforge" / "batches").iterdir()
    )


def test_a_rebuild_after_a_batch_build_is_all_cached(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    with FakeGemini(batch=BatchSettings(run_s=0.1)) as srv:
        batch_build(story, srv)
        again = batch_build(story, srv)
        assert creates(srv) == 2
    assert {r.status for r in again.results} == {"cached"}


def test_failed_rows_fail_their_steps_and_only_they_are_submitted_again(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    with FakeGemini(batch=BatchSettings(run_s=0.1, row_error_every=3)) as srv:
        first = batch_build(story, srv)
        failed = {r.step_id for r in first.results if r.status == "failed"}
        assert failed and first.exit_code == 1
        assert all("batch row failed: code 13" in r.reason for r in first.results
                   if r.step_id in failed)  # fmt: skip
        srv_rows = len(srv.requests)
        second = batch_build(story, srv)
        uploads = [r for r in srv.requests[srv_rows:] if r["route"] == "upload"]
    assert {r.step_id for r in second.results if r.status == "generated"} >= failed - {"c1"}
    assert uploads


def test_an_ambiguous_create_in_a_build_makes_no_second_job(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    with FakeGemini(batch=BatchSettings(run_s=0.1)) as srv:
        srv.enqueue_batch("drop-after-create")
        report = batch_build(story, srv)
        assert srv.batches_created == 2  # one per wave, the dropped answer found by listing
    assert report.exit_code == 0


def test_batch_needs_the_gemini_provider(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    with FakeGemini() as srv, pytest.raises(UsageError, match="--batch needs the gemini"):
        batch_build(story, srv, provider="sketch")


def test_plan_prices_batch_calls_at_half(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    env = {**os.environ, "GEMINI_API_KEY": "fake-key"}
    command = [sys.executable, "-m", "storyforge", "plan", str(story), "--json"]
    plain = json.loads(subprocess.run(command, env=env, capture_output=True, check=True).stdout)
    batch = json.loads(
        subprocess.run([*command, "--batch"], env=env, capture_output=True, check=True).stdout
    )
    assert batch["totals"]["cost_usd"] == pytest.approx(plain["totals"]["cost_usd"] / 2, abs=1e-3)


def _receipts(store_root: Path) -> list[dict[str, object]]:
    folder = store_root / "batches"
    return (
        [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
        if folder.is_dir()
        else []
    )


def test_a_build_killed_between_create_and_download_resumes_the_same_job(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    store_root = tmp_path / ".storyforge"
    with FakeGemini(batch=BatchSettings(run_s=3.0)) as srv:
        args = [sys.executable, "-m", "storyforge", "build", str(story), "--provider", "gemini"]
        build = subprocess.Popen(
            [*args, "--batch"], env={**os.environ, **fake_env(srv)},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not any(r.get("state") == "created" for r in _receipts(store_root)):
            assert time.monotonic() < deadline and build.poll() is None, "no job was created"
            time.sleep(0.02)
        build.send_signal(signal.SIGKILL)
        build.communicate(timeout=60)
        assert index_entries(store_root) == 0  # killed before any result came back
        rows_before = srv.batch_rows
        (receipt,) = _receipts(store_root)
        report = batch_build(story, srv)
        # The first wave's job was resumed, not made again; only the second wave is new.
        assert srv.batches_created == 2
        creates = [r for r in srv.requests if r["route"] == "batchGenerateContent"]
        assert len(creates) == 2
        assert srv.batch_rows == PANELS and rows_before == PANELS - 1  # no row sent twice
    assert report.exit_code == 0
    assert index_entries(store_root) == PANELS  # every call paid once, every answer kept
    assert manifest(tmp_path / "out")["run"]["generated"] == PANELS
    assert receipt["name"] and not _receipts(store_root)
