"""Mutated stories: `validate` and `plan` answer 0 or 2, never a traceback, and write nothing.

Each case takes an example story (or a small one written here), applies a few seeded random
mutations — hostile templates, odd paths, planted links and special files, huge values,
NULs, deep nesting — and runs both commands in one fresh process. The subprocess timeout
is a safety net against a hang, not a measure of speed.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SMALL = {
    "storyforge": 1,
    "title": "T",
    "characters": {"mara": {"name": "Mara", "description": "{{ vars.coat }} coat"}},
    "vars": {"coat": "yellow"},
    "scenes": [{"id": "s", "panels": [{"id": "p", "characters": ["mara"], "prompt": "x"}]}],
}
HOSTILE_TEMPLATES = [
    '{% include ".env" ignore missing %}{{ prompt }}',
    '{% include ".git/config" %}',
    '{% extends "../outside.j2" %}',
    '{% include "/etc/passwd" %}',
    "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}",
    '{{ "a".ljust(1000000000) }}',
    '{{ "%1000000000d" % 1 }}',
    '{{ range(99999) | join("x" * 99999) }}',
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "{{ " + "(" * 500 + "1" + ")" * 500 + " }}",
    "{{ ().__class__.__mro__ }}",
    "{{ vars.__init__ }}",
    "{{ x\x00 }}",
    "{% raw %}",
]
ODD_PATHS = [
    "../outside.png", "/etc/passwd", "refs/\x00.png", "refs/loop.png", ".env", ".git/config",
    "refs/" + "a" * 300 + ".png", "refs/fifo.png", "refs/zero.png", "C:\\x.png", "refs/",
    "refs/dir.png", "",
]  # fmt: skip


def _plant(root: Path) -> None:
    """Files a stranger's repository could ship beside its story."""
    (root / "refs").mkdir(exist_ok=True)
    (root / ".env").write_text("GEMINI_API_KEY=the-users-own-key\n")
    (root / ".git").mkdir(exist_ok=True)
    (root / ".git" / "config").write_text("[remote]\n")
    (root.parent / "outside.j2").write_text("outside")
    (root / "refs" / "loop.png").symlink_to("loop2.png")
    (root / "refs" / "loop2.png").symlink_to("loop.png")
    (root / "refs" / "zero.png").symlink_to("/dev/zero")
    (root / "refs" / "dir.png").mkdir()
    os.mkfifo(root / "refs" / "fifo.png")
    (root / "templates").mkdir(exist_ok=True)
    os.mkfifo(root / "templates" / "fifo.j2")
    (root / "templates" / "zero.j2").symlink_to("/dev/zero")


def _panels(story: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for scene in story.get("scenes", []) for p in scene.get("panels", [])]


def _hostile_prompt(rng: random.Random, story: dict[str, Any]) -> None:
    rng.choice(_panels(story))["prompt"] = rng.choice(HOSTILE_TEMPLATES)


def _hostile_override(rng: random.Random, story: dict[str, Any]) -> None:
    name = rng.choice([".env", ".git/config", "templates/fifo.j2", "templates/zero.j2", "x\x00"])
    story["templates"] = {rng.choice(["panel", "sheet", "edit", "fuse"]): name}


def _odd_reference(rng: random.Random, story: dict[str, Any]) -> None:
    panel = rng.choice(_panels(story))
    panel["references"] = [rng.choice(ODD_PATHS) for _ in range(rng.randint(1, 2))]


def _odd_fuse(rng: random.Random, story: dict[str, Any]) -> None:
    rng.choice(_panels(story))["fuse"] = [rng.choice(ODD_PATHS), rng.choice(ODD_PATHS)]


def _huge_value(rng: random.Random, story: dict[str, Any]) -> None:
    panel = rng.choice(_panels(story))
    key, value = rng.choice(
        [("prompt", "a" * 100_001), ("id", "p" * 300), ("takes", 10**30), ("seed", -1),
         ("id", "contact_sheet-3"), ("id", "manifest"), ("caption", "c" * 200_000),
         ("aspect_ratio", "9" * 5000)]
    )  # fmt: skip
    panel[key] = value


def _nul(rng: random.Random, story: dict[str, Any]) -> None:
    target = rng.choice(["title", "prompt", "shot"])
    if target == "title":
        story["title"] = "T\x00itle"
    else:
        rng.choice(_panels(story))[target] = "a\x00b"


def _deep(rng: random.Random, story: dict[str, Any]) -> None:
    depth = rng.choice([50, 99, 150, 400, 5000])
    story.setdefault("vars", {})["deep"] = DEEP  # written as text: nesting YAML itself
    story["vars"]["depth"] = depth


DEEP = "__deep__"
MUTATIONS: list[Callable[[random.Random, dict[str, Any]], None]] = [
    _hostile_prompt, _hostile_override, _odd_reference, _odd_fuse, _huge_value, _nul, _deep,
]  # fmt: skip
DRIVER = """
import sys
from storyforge.cli import main
for argv in (["validate", sys.argv[1]], ["plan", "--provider", "sketch", sys.argv[1]]):
    try:
        main(argv)
    except SystemExit as exit_:
        print("exit", exit_.code, flush=True)
"""


def _base(rng: random.Random, root: Path) -> dict[str, Any]:
    examples = sorted(p for p in EXAMPLES.iterdir() if (p / "story.yaml").is_file())
    choice = rng.choice([*examples, None])
    if choice is None:
        root.mkdir()
        return yaml.safe_load(yaml.safe_dump(SMALL))  # type: ignore[no-any-return]
    shutil.copytree(choice, root)
    return yaml.safe_load((root / "story.yaml").read_text())  # type: ignore[no-any-return]


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.lstat().st_mode, p.lstat().st_mtime_ns)
        for p in root.rglob("*")
    }


@pytest.mark.parametrize("seed", range(16))
def test_a_mutated_story_is_answered_cleanly_and_writes_nothing(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    root = tmp_path / "story"
    story = _base(rng, root)
    _plant(root)
    for mutate in rng.sample(MUTATIONS, rng.randint(1, 3)):
        mutate(rng, story)
    text = yaml.safe_dump(story, allow_unicode=True, width=10**9)
    depth = story.get("vars", {}).get("depth", 0)
    text = text.replace(DEEP, "[" * depth + "leaf" + "]" * depth)
    (root / "story.yaml").write_text(text, encoding="utf-8")
    before = _tree(root)
    env = {k: v for k, v in os.environ.items() if "API_KEY" not in k and "COMETAPI" not in k}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(root / "story.yaml")],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip
    codes = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("exit ")]
    assert codes and set(codes) <= {"0", "2"}, (codes, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    assert "internal error" not in done.stderr, done.stderr[-2000:]
    assert "the-users-own-key" not in done.stdout + done.stderr
    assert _tree(root) == before
