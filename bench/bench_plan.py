"""Time load_story + compile_plan + predict (what `storyforge plan` does) on a 5,000-panel story.

Target: under 2 s in total.
Run: .venv/bin/python bench/bench_plan.py [--scenes 100] [--panels 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from PIL import Image

from storyforge.build.status import predict
from storyforge.compile.compiler import compile_plan
from storyforge.store.lock import Lock
from storyforge.store.objects import Store
from storyforge.story.loader import load_story

CHARACTERS = 10
LOCATIONS = 5
SHOTS = ("wide", "medium", "close-up", "over-the-shoulder")


def small_png(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (seed * 23 % 256, seed * 71 % 256, seed * 131 % 256)).save(
        out, "PNG"
    )
    return out.getvalue()


def story_text(scenes: int, panels: int) -> str:
    lines = [
        "storyforge: 1",
        "title: Benchmark",
        "style: ink",
        "vars: {palette: teal and amber}",
        "styles:",
        "  ink:",
        '    prompt: "bold ink linework, {{ vars.palette }} washes"',
        "    references: [refs/style.png]",
        "characters:",
    ]
    for c in range(CHARACTERS):
        lines += [
            f"  c{c}:",
            f"    name: Character {c}",
            f"    description: character number {c} with a distinctive coat",
            f"    references: [refs/c{c}.png]",
            "    sheet: true",
        ]
    lines.append("locations:")
    for loc in range(LOCATIONS):
        lines += [
            f"  l{loc}:",
            f"    description: place number {loc}",
            f"    references: [refs/l{loc}.png]",
        ]
    lines.append("scenes:")
    for s in range(scenes):
        lines += [f"  - id: s{s}", f"    location: l{s % LOCATIONS}", "    panels:"]
        for p in range(panels):
            a, b = (s + p) % CHARACTERS, (s + p + 3) % CHARACTERS
            lines += [
                f"      - id: s{s}-p{p}",
                f"        characters: [c{a}, c{b}]",
                f"        shot: {SHOTS[p % len(SHOTS)]}",
                f'        prompt: "{{{{ c{a}.name }}}} talks to {{{{ c{b}.name }}}}, beat {p}"',
                f"        caption: Scene {s}, panel {p}.",
                f'        dialogue: [{{who: c{a}, text: "Line {p}."}}]',
            ]
    return "\n".join(lines) + "\n"


def write_story(root: Path, scenes: int, panels: int) -> Path:
    refs = root / "refs"
    refs.mkdir(parents=True)
    for n in range(CHARACTERS):
        (refs / f"c{n}.png").write_bytes(small_png(n))
    for n in range(LOCATIONS):
        (refs / f"l{n}.png").write_bytes(small_png(100 + n))
    (refs / "style.png").write_bytes(small_png(999))
    path = root / "story.yaml"
    path.write_text(story_text(scenes, panels), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenes", type=int, default=100)
    parser.add_argument("--panels", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_story(Path(tmp), args.scenes, args.panels)
        best_load = best_compile = best_total = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            loaded = load_story(path)
            loaded_at = time.perf_counter()
            plan = compile_plan(loaded)
            predict(plan, provider="gemini", store=Store.beside(path), lock=Lock.beside(path))
            done = time.perf_counter()
            best_load = min(best_load, loaded_at - start)
            best_compile = min(best_compile, done - loaded_at)
            best_total = min(best_total, done - start)
        size = path.stat().st_size
    print(f"story: {args.scenes * args.panels} panels, {len(plan.steps)} steps, {size:,} bytes")
    print(f"load_story   best of {args.repeat}: {best_load:.3f} s")
    print(f"compile_plan + predict best of {args.repeat}: {best_compile:.3f} s")
    print(f"total        best of {args.repeat}: {best_total:.3f} s (target < 2 s)")


if __name__ == "__main__":
    main()
