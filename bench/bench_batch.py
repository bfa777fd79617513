"""A 500-panel `build --batch` against the fake server: half the price, and a kill survived.

1. `plan --json` and `plan --batch --json` of the story: the batch estimate is half.
2. `build --batch` as its own process, killed (SIGKILL) once its job exists and before
   any result is downloaded; then the same command again, to the end.
3. From the server's log: jobs created (must be 1), rows submitted (must be 500, so no
   call is paid twice), and what the manifest says was spent against the interactive plan.

The server's jobs run for RUN_S seconds; its pictures are one ready-made image so that
its drawing does not compete with the build for the 2 cores.

Run: .venv/bin/python bench/bench_batch.py [PANELS] [RUN_S]
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _stories import story_yaml
from bench_schedule import plain_png

from storyforge.fakeserver import BatchSettings, FakeGemini, images


def _plan(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def _wait_for_job(receipts: Path, build: subprocess.Popen[bytes]) -> float:
    started = time.monotonic()
    while time.monotonic() - started < 300:
        for path in receipts.glob("*.json") if receipts.is_dir() else ():
            if '"state": "created"' in path.read_text("utf-8"):
                return time.monotonic() - started
        if build.poll() is not None:
            raise SystemExit("the build ended before its job was created")
        time.sleep(0.05)
    raise SystemExit("no job was created within 300 s")


def main() -> None:
    panels = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    run_s = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
    images.sketch_png = plain_png
    images.as_jpeg(plain_png(1024, 1024, "", ()))
    text = story_yaml(
        "Batch bench",
        ["model: gemini-3.1-flash-lite-image", 'aspect_ratio: "1:1"'],
        10,
        panels // 10,
        lambda s, p: f"{{id: s{s}p{p}, prompt: panel {p} of {s}}}",
    )
    text = text.replace("    panels:\n", "    continuity: none\n    panels:\n")  # one wave
    settings = BatchSettings(run_s=run_s)
    with tempfile.TemporaryDirectory() as folder, FakeGemini(batch=settings) as srv:
        story = Path(folder) / "story.yaml"
        story.write_text(text, encoding="utf-8")
        env = {**os.environ, "GEMINI_BASE_URL": srv.base_url, "GEMINI_API_KEY": "fake-key"}
        base = [sys.executable, "-m", "storyforge"]
        interactive = _plan([*base, "plan", str(story), "--provider", "gemini", "--json"], env)
        batch = _plan([*base, "plan", str(story), "--provider", "gemini", "--json", "--batch"], env)
        command = [*base, "build", str(story), "--provider", "gemini", "--batch"]
        started = time.monotonic()
        build = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)  # fmt: skip
        to_job = _wait_for_job(Path(folder) / ".storyforge" / "batches", build)
        build.send_signal(signal.SIGKILL)
        build.wait()
        downloads_before = sum(r["route"] == "download" for r in srv.requests)
        resumed = time.monotonic()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)  # fmt: skip
        ended = time.monotonic()
        creates = [r for r in srv.requests if r["route"] == "batchGenerateContent"]
        manifest = json.loads((Path(folder) / "out" / "manifest.json").read_text("utf-8"))
        rows = srv.batch_rows
    spent = manifest["totals"]["cost_usd"]
    planned = interactive["totals"]["cost_usd"]
    print(f"{panels} panels, jobs run {run_s} s at the fake server")
    print(f"plan: interactive ${planned:.4f}, batch ${batch['totals']['cost_usd']:.4f} "
          f"({batch['totals']['cost_usd'] / planned:.3f} x)")  # fmt: skip
    print(f"spent by the batch build: ${spent:.4f} ({spent / planned:.3f} x the interactive plan)")
    print(f"job created {to_job:.2f} s after the start; killed; downloads before the kill: "
          f"{downloads_before}")  # fmt: skip
    print(
        f"batch creates: {len(creates)} (jobs made: {srv.batches_created}); rows uploaded: {rows}"
    )
    print(f"generated steps: {manifest['totals']['generated']} of {panels}")
    print(f"resumed build: {ended - resumed:.2f} s; whole run from the first start "
          f"{ended - started:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
