"""Peak memory of a 1,000-panel build at 1024x1024 (target: under 300 MB resident).

The build runs as its own process against the fake server (gemini provider, loopback
HTTP), 20 scenes of 50 chained panels, so every call after the first of a scene also
sends the previous panel. The server's pictures are swapped for a few ready-made
1024x1024 noise images (about 1 MB each as JPEG, which does not compress away), so the
build moves realistic amounts of bytes without the server drawing a thousand sketches.
Peak RSS is the child's ru_maxrss; the contact sheet of all 1,000 panels is included.

Run: .venv/bin/python bench/bench_memory.py [--scenes 20] [--panels 50] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _stories import story_yaml
from PIL import Image

from storyforge.fakeserver import FakeGemini, images

TARGET_MB = 300
PICTURES = 6


@functools.cache
def noise_png(seed: int, width: int, height: int) -> bytes:
    pixels = random.Random(seed).randbytes(width * height * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(out, "PNG", compress_level=1)
    return out.getvalue()


def picture(
    width: int, height: int, text: str, refs: tuple[tuple[str, bytes], ...], variant: int = 0
) -> bytes:
    del refs, variant
    return noise_png(sum(text.encode()) % PICTURES, width, height)


def story_text(scenes: int, panels: int) -> str:
    header = ["model: gemini-3.1-flash-lite-image", 'aspect_ratio: "1:1"']
    return story_yaml(
        "Memory bench", header, scenes, panels,
        lambda s, p: f"{{id: s{s}-p{p}, prompt: 'shot {p} of scene {s}'}}",
    )  # fmt: skip


def child_peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenes", type=int, default=20)
    parser.add_argument("--panels", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    vars(images)["sketch_png"] = picture  # the fake server draws no sketches here
    for seed in range(PICTURES):
        images.as_jpeg(noise_png(seed, 1024, 1024))
    with tempfile.TemporaryDirectory() as folder, FakeGemini() as srv:
        story = Path(folder) / "story.yaml"
        story.write_text(story_text(args.scenes, args.panels), encoding="utf-8")
        env = {**os.environ, "GEMINI_BASE_URL": srv.base_url, "GEMINI_API_KEY": "fake-key"}
        command = [sys.executable, "-m", "storyforge", "build", str(story), "--provider", "gemini"]
        started = time.perf_counter()
        subprocess.run(
            [*command, "--concurrency", str(args.concurrency)], env=env, check=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        took = time.perf_counter() - started
        calls = sum(r["route"] == "generateContent" for r in srv.requests)
        size = sum(f.stat().st_size for f in (Path(folder) / "out").glob("*.jpg"))
    peak = child_peak_mb()
    print(f"{calls} calls, {size / 1e6:.0f} MB of images in OUT, {took:.1f} s")
    print(f"peak RSS of the build: {peak:.0f} MB (target < {TARGET_MB} MB)")


if __name__ == "__main__":
    main()
