"""Throughput at the quota: 200 panels against a 120 rpm token bucket, no --concurrency given.

The fake server answers generate requests after LATENCY seconds and refuses those past
its `quota_rpm` token bucket (burst: one second's worth) with 429 and RetryInfo. The
build runs as its own process with no --concurrency, so the adaptive limiter has to find
the quota itself. The quota bound is PANELS / (rpm / 60): no client can be faster. The
time is read from the server's log, first request's arrival to last response.

Run: .venv/bin/python bench/bench_quota.py [PANELS] [RPM] [LATENCY_S]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_schedule import plain_png

from storyforge.fakeserver import FakeGemini, Faults, images

TARGET_RATIO, TARGET_REFUSED = 1.05, 0.02


def story_text(panels: int) -> str:
    lines = ["storyforge: 1", "title: Quota bench", "model: gemini-3.1-flash-lite-image",
             'aspect_ratio: "1:1"', "scenes:", "  - id: loose", "    continuity: none",
             "    panels:"]  # fmt: skip
    lines += [f"      - {{id: p{n}, prompt: loose panel {n}}}" for n in range(panels)]
    return "\n".join(lines) + "\n"


def main() -> None:
    panels = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rpm = float(sys.argv[2]) if len(sys.argv) > 2 else 120.0
    latency = float(sys.argv[3]) if len(sys.argv) > 3 else 0.2
    images.sketch_png = plain_png  # the server's drawing would compete for the 2 cores
    images.as_jpeg(plain_png(1024, 1024, "", ()))
    with (
        tempfile.TemporaryDirectory() as folder,
        FakeGemini(faults=Faults(latency_s=latency), quota_rpm=rpm) as srv,
    ):
        story = Path(folder) / "story.yaml"
        story.write_text(story_text(panels), encoding="utf-8")
        env = {**os.environ, "GEMINI_BASE_URL": srv.base_url, "GEMINI_API_KEY": "fake-key"}
        command = [sys.executable, "-m", "storyforge", "build", str(story), "--provider", "gemini"]
        started = time.monotonic()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)  # fmt: skip
        wall = time.monotonic() - started
        calls = [r for r in srv.requests if r["route"] == "generateContent"]
    refused = sum(r["status"] == 429 for r in calls)
    span = max(r["t_done"] for r in calls) - min(r["t"] for r in calls)
    bound = panels / (rpm / 60)
    ratio = span / bound
    share = refused / len(calls)
    print(f"{panels} panels, quota {rpm:g} rpm, latency {latency} s, no --concurrency")
    print(f"requests: {len(calls)}, answered 429: {refused} ({share:.1%}, target < 2 %)")
    print(f"first request -> last response: {span:.2f} s; quota bound {bound:.2f} s")
    verdict = "OK" if ratio <= TARGET_RATIO and share < TARGET_REFUSED else "OVER"
    print(f"ratio: {ratio:.3f} (target <= {TARGET_RATIO}) {verdict}")
    print(f"whole command: {wall:.2f} s")
    if os.environ.get("BENCH_TIMELINE"):
        t0 = min(r["t"] for r in calls)
        for r in sorted(calls, key=lambda r: r["t"]):
            print(f"  {r['t'] - t0:7.3f} {r['t_done'] - t0:7.3f} {r['status']}")


if __name__ == "__main__":
    main()
