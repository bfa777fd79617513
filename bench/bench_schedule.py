"""How close the scheduler comes to the ideal: 40 independent panels and a 6-panel chain.

The fake server answers every generate request after LATENCY seconds; with CONCURRENCY
slots the ideal wall time is max(critical path, ceil(work / concurrency)) x latency, and
only a scheduler that starts the chain's next step first (longest path) reaches it. The
build runs as its own process, as a user runs it; the time is read from the server's log,
from the first request's arrival to the last response.

The server's sketches are replaced by one ready-made picture per size: drawing 46 sketches
in the server's threads costs seconds of CPU under one GIL, which would measure the
renderer instead of the schedule.

Run: .venv/bin/python bench/bench_schedule.py [LATENCY_S]
"""

from __future__ import annotations

import functools
import io
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from storyforge.fakeserver import FakeGemini, Faults, images

INDEPENDENT, CHAIN, CONCURRENCY = 40, 6, 8
TARGET = 1.05


def story_text() -> str:
    lines = [
        "storyforge: 1",
        "title: Schedule bench",
        "model: gemini-3.1-flash-lite-image",
        'aspect_ratio: "1:1"',
        "scenes:",
        "  - id: chain",
        "    panels:",
    ]
    lines += [f"      - {{id: c{n}, prompt: chain step {n}}}" for n in range(CHAIN)]
    lines += ["  - id: loose", "    continuity: none", "    panels:"]
    lines += [f"      - {{id: p{n}, prompt: loose panel {n}}}" for n in range(INDEPENDENT)]
    return "\n".join(lines) + "\n"


@functools.cache
def plain_png(
    width: int, height: int, text: str, refs: tuple[tuple[str, bytes], ...], variant: int = 0
) -> bytes:
    del text, refs, variant  # the same picture for every request: only the timing matters here
    return _blank(width, height)


@functools.cache
def _blank(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 190, 170)).save(out, "PNG")
    return out.getvalue()


def main() -> None:
    latency = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
    images.sketch_png = plain_png
    images.as_jpeg(plain_png(1024, 1024, "", ()))  # warm: Pillow's import and the encoding
    with (
        tempfile.TemporaryDirectory() as folder,
        FakeGemini(faults=Faults(latency_s=latency)) as srv,
    ):
        story = Path(folder) / "story.yaml"
        story.write_text(story_text(), encoding="utf-8")
        env = {**os.environ, "GEMINI_BASE_URL": srv.base_url, "GEMINI_API_KEY": "fake-key"}
        command = [sys.executable, "-m", "storyforge", "build", str(story), "--provider", "gemini"]
        started = time.monotonic()
        subprocess.run(
            [*command, "--concurrency", str(CONCURRENCY)], env=env, check=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wall = time.monotonic() - started
        calls = [r for r in srv.requests if r["route"] == "generateContent"]
    span = max(r["t_done"] for r in calls) - min(r["t"] for r in calls)
    service = sorted(r["t_done"] - r["t"] for r in calls)
    work = INDEPENDENT + CHAIN
    bound = max(CHAIN, math.ceil(work / CONCURRENCY)) * latency
    ratio = span / bound
    print(f"calls: {len(calls)} (work {work}), concurrency {CONCURRENCY}, latency {latency} s")
    print(
        f"server time per call: median {service[len(service) // 2]:.3f} s, max {service[-1]:.3f} s"
    )
    print(f"first request -> last response: {span:.3f} s; lower bound {bound:.3f} s")
    print(f"ratio: {ratio:.3f} (target <= {TARGET}) {'OK' if ratio <= TARGET else 'OVER'}")
    print(f"whole command: {wall:.2f} s")
    if os.environ.get("BENCH_TIMELINE"):
        t0 = min(r["t"] for r in calls)
        for r in sorted(calls, key=lambda r: r["t"]):
            label = r["text"][:20] if isinstance(r["text"], str) else ""
            print(f"  {r['t'] - t0:6.3f} {r['t_done'] - t0:6.3f} {label}")


if __name__ == "__main__":
    main()
