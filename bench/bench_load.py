"""Time load_story alone on a generated 5,000-panel story (bench_plan.py adds the compiler).

Validating and planning such a story has a budget of 2 s in all; loading should take a
small part of it. Run: .venv/bin/python bench/bench_load.py [PANELS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from storyforge.story.loader import load_story


def story_text(panels: int, per_scene: int = 10) -> str:
    """A story with a cast, places and styles, and `panels` panels using all of them."""
    lines = [
        "storyforge: 1",
        "title: Benchmark",
        'aspect_ratio: "16:9"',
        "style: ink",
        "vars: {palette: teal and amber}",
        "styles:",
        '  ink: {prompt: "bold ink, {{ vars.palette }}"}',
        '  pencil: {prompt: "soft pencil"}',
        "characters:",
    ]
    lines += [f"  c{n}: {{name: C{n}, description: character {n}, sheet: true}}" for n in range(8)]
    lines += ["locations:"] + [f"  l{n}: {{description: place {n}}}" for n in range(6)]
    lines.append("scenes:")
    for s in range(panels // per_scene):
        lines += [f"  - id: s{s}", f"    location: l{s % 6}", "    panels:"]
        for p in range(per_scene):
            n = s * per_scene + p
            lines += [
                f"      - id: p{n}",
                f"        characters: [c{n % 8}, c{(n + 3) % 8}]",
                "        shot: wide",
                f'        prompt: "{{{{ characters[0].name }}}} does thing {n}"',
                f"        caption: Panel {n}.",
                f"        dialogue: [{{who: c{n % 8}, text: 'Line {n}'}}]",
            ]
            if p == per_scene - 1:
                lines += ["        style: pencil", f"        edit: p{n - 1}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    panels = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "story.yaml"
        path.write_text(story_text(panels), encoding="utf-8")
        size = path.stat().st_size
        times = []
        for _ in range(5):
            start = time.perf_counter()
            load_story(path)
            times.append(time.perf_counter() - start)
    print(
        f"{panels} panels ({size / 1e6:.1f} MB): load_story best {min(times):.3f} s, "
        f"median {sorted(times)[2]:.3f} s"
    )


if __name__ == "__main__":
    main()
