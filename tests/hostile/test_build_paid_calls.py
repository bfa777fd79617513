"""Paid calls are never thrown away: the store is probed first, shared calls are made once."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

from storyforge.fakeserver import Faults

from .store_support import build, build_process, generate_calls, read_json, server

PANELS = 6
STORY = (
    "storyforge: 1\ntitle: Many\naspect_ratio: '1:1'\n"
    "scenes:\n  - id: many\n    continuity: none\n    panels:\n"
    + "".join(f"      - id: p{n}\n        prompt: panel number {n}\n" for n in range(PANELS))
)


def _story(tmp_path: Path, text: str = STORY) -> Path:
    story = tmp_path / "story.yaml"
    story.write_text(text)
    return story


def test_an_unwritable_store_is_refused_before_any_call(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    story = _story(tmp_path)
    (tmp_path / ".storyforge").mkdir()
    # A file where the index folder goes: no write can succeed there, even as root.
    (tmp_path / ".storyforge" / "index").write_text("not a folder\n")
    with server() as srv:
        code, _, err = build(story, srv, capsys, monkeypatch)
        assert generate_calls(srv) == []
    assert code == 2
    (line,) = err.strip().splitlines()
    assert line.startswith("storyforge: ") and ".storyforge" in line and "writable" in line


def test_two_builds_at_once_pay_for_each_call_once(tmp_path: Path) -> None:
    story = _story(tmp_path)
    # Slow answers, so that both builds decide every step before the first answer lands.
    with server(faults=Faults(latency_s=0.5)) as srv:
        builds = [build_process(story, srv, "--concurrency", "3") for _ in range(2)]
        errors = [b.communicate(timeout=120)[1] for b in builds]
        answered = [r for r in generate_calls(srv) if r["status"] == 200]
    assert [b.returncode for b in builds] == [0, 0], errors
    assert len(answered) == PANELS
    bodies = [json.dumps(r["body"], sort_keys=True) for r in answered]
    assert len(set(bodies)) == PANELS  # no request was sent twice
    manifest = read_json(tmp_path / "out" / "manifest.json")
    assert {s["status"] for s in manifest["steps"]} == {"ok"}


def test_sigterm_saves_the_lock_and_manifest_like_ctrl_c(tmp_path: Path) -> None:
    text = STORY + "".join(f"      - id: q{n}\n        prompt: more {n}\n" for n in range(6))
    story = _story(tmp_path, text)
    with server(faults=Faults(latency_s=0.3)) as srv:
        process = build_process(story, srv, "--concurrency", "2")
        deadline = time.monotonic() + 60
        while sum(r["status"] == 200 for r in generate_calls(srv)) < 3:
            assert time.monotonic() < deadline, "the build made no progress"
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    assert "Traceback" not in err
    manifest = read_json(tmp_path / "out" / "manifest.json")
    runs = manifest["run"]["steps"]
    finished = {sid for sid, done in runs.items() if done["result"] == "generated"}
    assert len(finished) >= 2
    assert {s["error"] for s in manifest["steps"] if s["status"] == "skipped"} == {"interrupted"}
    assert finished <= set(read_json(tmp_path / "story.lock")["steps"])
