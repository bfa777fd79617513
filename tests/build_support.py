"""Helpers for the build tests: small stories, builds against the fake server, store checks."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyforge.build.executor import Limits
from storyforge.build.pipeline import BuildOptions, BuildReport, build
from storyforge.build.progress import Progress
from storyforge.cli import main
from storyforge.fakeserver import FakeGemini
from storyforge.store.objects import Entry

# scene one chains a (2 takes) -> b -> e; scene two has an independent c and d editing a.
STORY = """\
storyforge: 1
title: Test story
aspect_ratio: "1:1"
scenes:
  - id: one
    panels:
      - id: a
        prompt: a lamp on a table
        takes: 2
        seed: 11
      - id: b
        prompt: b spiral stairs
      - id: e
        prompt: e the sea at dusk
  - id: two
    continuity: none
    panels:
      - id: c
        prompt: c a gull
      - id: d
        edit: a
        prompt: the same lamp at night
"""
ALL_CALLS = 6  # a twice, b, e, c, d


def write_story(folder: Path, text: str = STORY) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "story.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def server() -> Iterator[FakeGemini]:
    with FakeGemini() as srv:
        yield srv


def run_main(args: list[str]) -> int:
    """Run the CLI in this process, as `storyforge ARGS`; its exit code."""
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert isinstance(stop.value.code, int)
    return stop.value.code


def fake_env(srv: FakeGemini) -> dict[str, str]:
    return {"GEMINI_BASE_URL": srv.base_url, "GEMINI_API_KEY": "fake-key"}


def run_build(story: Path, srv: FakeGemini, **kw: Any) -> tuple[BuildReport, str]:
    """Build `story` with the gemini provider against the fake server; report and progress."""
    limits = Limits(**{k: kw.pop(k) for k in ("concurrency", "rpm", "max_cost_usd") if k in kw})
    options = BuildOptions(story=story, provider="gemini", limits=limits, env=fake_env(srv), **kw)
    stream = io.StringIO()
    report = asyncio.run(build(options, Progress(stream, live=False)))
    return report, stream.getvalue()


def generate_calls(srv: FakeGemini, since: int = 0) -> list[dict[str, Any]]:
    """The generateContent requests the server has seen, after the first `since` requests."""
    return [r for r in srv.requests[since:] if r["route"] == "generateContent"]


def manifest(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "manifest.json").read_text("utf-8"))
    return data


def store_problems(store_root: Path) -> list[str]:
    """Every index entry whose objects are missing or do not hash to their name."""
    problems = []
    for index_file in sorted((store_root / "index").rglob("*.json")):
        entry = Entry.from_json(index_file.read_text("utf-8"))
        for out in entry.outputs:
            obj = store_root / "objects" / out.sha256[:2] / out.sha256[2:]
            if not obj.is_file() or hashlib.sha256(obj.read_bytes()).hexdigest() != out.sha256:
                problems.append(f"{index_file.name}: {out.sha256[:12]}")
    return problems


def index_entries(store_root: Path) -> int:
    return sum(1 for _ in (store_root / "index").rglob("*.json"))
