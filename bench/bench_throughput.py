"""A 10,000-panel build whose throughput must not fall as it goes.

The build runs as its own process against the fake server (gemini provider, plain
pictures, LATENCY seconds per call, --concurrency 16). The server's log gives each
call's arrival; the run is cut into tenths and the steps a minute of each tenth are
printed: a build that re-renders its whole record too often slows down tenth by tenth.
Also printed: the whole command, the peak RSS of the build process, and the time from
the last answer to the command's end (outputs, manifest and contact sheet).

Run: .venv/bin/python bench/bench_throughput.py [PANELS] [LATENCY_S]
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _stories import story_yaml
from bench_schedule import plain_png

from storyforge.fakeserver import FakeGemini, Faults, images


def main() -> None:
    panels = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    latency = float(sys.argv[2]) if len(sys.argv) > 2 else 0.05
    images.sketch_png = plain_png
    images.as_jpeg(plain_png(1024, 1024, "", ()))
    scenes = max(1, panels // 100)
    text = story_yaml("Throughput", ['model: gemini-3.1-flash-lite-image', 'aspect_ratio: "1:1"'],
                      scenes, panels // scenes,
                      lambda s, p: f"{{id: s{s}p{p}, prompt: panel {p} of scene {s}}}")  # fmt: skip
    text = text.replace("    panels:\n", "    continuity: none\n    panels:\n")
    with (
        tempfile.TemporaryDirectory() as folder,
        FakeGemini(faults=Faults(latency_s=latency)) as srv,
    ):
        story = Path(folder) / "story.yaml"
        story.write_text(text, encoding="utf-8")
        env = {**os.environ, "GEMINI_BASE_URL": srv.base_url, "GEMINI_API_KEY": "fake-key"}
        command = [sys.executable, "-m", "storyforge", "build", str(story), "--provider", "gemini",
                   "--concurrency", "16"]  # fmt: skip
        started = time.time()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)  # fmt: skip
        ended = time.time()
        arrivals = sorted(r["t"] for r in srv.requests if r["route"] == "generateContent")
        last_done = max(r["t_done"] for r in srv.requests if r["route"] == "generateContent")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    tenth = len(arrivals) // 10
    rates = []
    for n in range(10):
        chunk = arrivals[n * tenth : (n + 1) * tenth]
        rates.append(60 * (len(chunk) - 1) / max(chunk[-1] - chunk[0], 1e-9))
    print(f"{len(arrivals)} calls, latency {latency} s, --concurrency 16")
    print("steps a minute by tenth of the run: " + ", ".join(f"{r:.0f}" for r in rates))
    print(f"last tenth / first tenth: {rates[-1] / rates[0]:.2f}")
    print(f"first call -> last answer: {last_done - arrivals[0]:.1f} s; whole command "
          f"{ended - started:.1f} s; after the last answer {ended - last_done:.1f} s")  # fmt: skip
    print(f"peak RSS of the build: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
