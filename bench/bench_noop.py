"""Time a no-op rebuild of a 1,000-panel story with the sketch provider (target: under 1 s).

The first build fills the store; its sketches are swapped for tiny ready-made pictures,
since only what the rebuild does matters here. The second build is the first no-op
(the contact sheet shows cached panels as generated, so it is not redrawn). Each
rebuild is timed in-process (load, compile, decide, outputs, manifest, lock, sheet check)
and as the whole `storyforge build` command (adding interpreter start-up).

Run: .venv/bin/python bench/bench_noop.py [--scenes 20] [--panels 50]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _stories import story_yaml
from PIL import Image

from storyforge.build.pipeline import BuildOptions, BuildReport, build
from storyforge.build.progress import Progress
from storyforge.providers import sketch

TARGET_S = 1.0


def tiny_png(spec: object) -> bytes:
    out = io.BytesIO()
    shade = hash(getattr(spec, "title", "")) % 200
    Image.new("RGB", (64, 64), (shade, 120, 200 - shade)).save(out, "PNG")
    return out.getvalue()


def story_text(scenes: int, panels: int) -> str:
    header = [
        'aspect_ratio: "1:1"',
        "characters:",
        "  mara: {name: Mara, description: a keeper in a yellow coat}",
        "  tomas: {name: Tomas, description: a fisherman}",
    ]
    return story_yaml(
        "No-op bench", header, scenes, panels,
        lambda s, p: f"{{id: s{s}-p{p}, characters: [mara], prompt: 'Mara in shot {p} of {s}'}}",
    )  # fmt: skip


def timed_build(story: Path) -> tuple[float, BuildReport]:
    started = time.perf_counter()
    options = BuildOptions(story=story, provider="sketch")
    report = asyncio.run(build(options, Progress(io.StringIO(), live=False)))
    return time.perf_counter() - started, report


def timed_command(story: Path) -> float:
    started = time.perf_counter()
    command = [sys.executable, "-m", "storyforge", "build", str(story), "--provider", "sketch"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenes", type=int, default=20)
    parser.add_argument("--panels", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        story = Path(folder) / "story.yaml"
        story.write_text(story_text(args.scenes, args.panels), encoding="utf-8")
        names = vars(sketch)  # the sketch provider's module globals
        real, names["render_sketch"] = names["render_sketch"], tiny_png
        first, report = timed_build(story)
        names["render_sketch"] = real
        print(f"first build: {len(report.results)} steps, {report.calls} calls in {first:.2f} s")
        second, report = timed_build(story)
        print(f"second build (the first no-op): {second:.3f} s, {report.calls} calls")
        third = min(timed_build(story)[0] for _ in range(3))
        print(f"no-op rebuild, in-process: {third:.3f} s (target < {TARGET_S} s)")
        print(f"no-op rebuild, whole command: {min(timed_command(story) for _ in range(3)):.3f} s")


if __name__ == "__main__":
    main()
