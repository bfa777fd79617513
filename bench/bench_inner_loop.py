"""The inner loop: a small build as a whole command, its identical rebuild, a 1,000-panel no-op.

1. 12 panels sharing one reference image, 0.5 s latency, --concurrency 10: two rounds of
   calls, so the command should take at most 1.3 x (2 x 0.5 s + interpreter start-up).
2. The same command again with nothing changed (everything cached): <= 0.5 s.
3. A no-op rebuild of a 1,000-panel story (sketch provider) as a whole command: <= 0.6 s.

Interpreter start-up is `python -c pass` with the same interpreter, best of 5. Each figure
is the best of RUNS runs, with the range.

Run: .venv/bin/python bench/bench_inner_loop.py [RUNS]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from _stories import story_yaml
from bench_schedule import _blank, plain_png

from storyforge.fakeserver import FakeGemini, Faults, images

LATENCY, CONCURRENCY, PANELS, NOOP_PANELS = 0.5, 10, 12, 1000


def timed(command: Sequence[str], env: dict[str, str] | None = None) -> float:
    started = time.monotonic()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    return time.monotonic() - started


def _panel(_scene: int, panel: int) -> str:
    return f"{{id: p{panel}, prompt: mara at the lamp {panel}, characters: [mara]}}"


def small_story(folder: Path) -> Path:
    (folder / "refs").mkdir(parents=True, exist_ok=True)
    (folder / "refs" / "mara.png").write_bytes(_blank(256, 256))
    header = ["model: gemini-3.1-flash-lite-image", 'aspect_ratio: "1:1"', "characters:",
              "  mara:", "    name: Mara", "    description: a lighthouse keeper",
              "    references: [refs/mara.png]", "    sheet: false"]  # fmt: skip
    text = story_yaml("Inner loop", header, 1, PANELS, _panel)
    text = text.replace("  - id: s0\n", "  - id: s0\n    continuity: none\n")
    path = folder / "story.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def noop_story(folder: Path) -> Path:
    text = story_yaml("No-op", ['aspect_ratio: "1:1"'], 20, NOOP_PANELS // 20,
                      lambda s, p: f"{{id: s{s}p{p}, prompt: panel {p} of scene {s}}}")  # fmt: skip
    path = folder / "story.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def span(values: list[float]) -> str:
    return f"best {min(values):.3f} s (range {min(values):.3f}-{max(values):.3f})"


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    python = sys.executable
    start_up = min(timed([python, "-c", "pass"]) for _ in range(5))
    images.sketch_png = plain_png
    images.as_jpeg(plain_png(1024, 1024, "", ()))
    first, again = [], []
    with tempfile.TemporaryDirectory() as tmp, FakeGemini(faults=Faults(latency_s=LATENCY)) as srv:
        env = {**os.environ, "GEMINI_BASE_URL": srv.base_url, "GEMINI_API_KEY": "fake-key"}
        for run in range(runs):
            folder = Path(tmp) / f"run{run}"
            story = small_story(folder)
            command = [python, "-m", "storyforge", "build", str(story), "--provider", "gemini",
                       "--concurrency", str(CONCURRENCY)]  # fmt: skip
            first.append(timed(command, env))
            again.append(timed(command, env))
            shutil.rmtree(folder)
        noop_folder = Path(tmp) / "noop"
        noop_folder.mkdir()
        story = noop_story(noop_folder)
        noop_command = [python, "-m", "storyforge", "build", str(story), "--provider", "sketch"]
        timed(noop_command)
        noop = [timed(noop_command) for _ in range(runs)]
    bound = 1.3 * (2 * LATENCY + start_up)
    print(f"interpreter start-up: {start_up:.3f} s")
    print(f"12 panels, one reference, {LATENCY} s latency, --concurrency {CONCURRENCY}: "
          f"{span(first)}; target <= {bound:.3f} s")  # fmt: skip
    print(f"identical rebuild: {span(again)}; target <= 0.5 s")
    print(f"no-op rebuild of {NOOP_PANELS} panels: {span(noop)}; target <= 0.6 s")


if __name__ == "__main__":
    main()
