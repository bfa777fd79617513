"""Helpers for the hostile store, OUT and build tests: a story, its store, canaries outside it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from storyforge.cli import main
from storyforge.fakeserver import FakeGemini

KEY = "hostile-key-7c1e5a9d"
CANARY = b"CANARY-4f1d2b7e-outside-the-story"
STORY = (
    "storyforge: 1\ntitle: Hostile\naspect_ratio: '1:1'\n"
    "scenes:\n  - id: s\n    continuity: none\n    panels:\n"
    "      - {id: p1, prompt: a lamp}\n"
    "      - {id: p2, prompt: a gull, takes: 2, seed: 5}\n"
)


def server(**options: Any) -> FakeGemini:
    """A fake Gemini server that takes this module's key."""
    return FakeGemini(api_key=KEY, **options)


def env(srv: FakeGemini) -> dict[str, str]:
    return {"GEMINI_BASE_URL": srv.base_url, "GEMINI_API_KEY": KEY}


def canary_png() -> bytes:
    """A valid PNG whose bytes carry the canary string (in a text chunk)."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("canary", CANARY.decode())
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def canary_jpeg() -> bytes:
    """A valid JPEG whose bytes carry the canary string (in a comment)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 8), (30, 200, 30)).save(out, "JPEG", comment=CANARY)
    return out.getvalue()


def plant_canaries(outside: Path) -> dict[str, Path]:
    """Files outside the story folder a hostile store may point at."""
    outside.mkdir(parents=True, exist_ok=True)
    files = {"png": outside / "private.png", "jpg": outside / "private.jpg"}
    files["png"].write_bytes(canary_png())
    files["jpg"].write_bytes(canary_jpeg())
    (outside / "notes.txt").write_bytes(CANARY + b"\n")
    files["txt"] = outside / "notes.txt"
    return files


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(
    story: Path, srv: FakeGemini, capsys: pytest.CaptureFixture[str], monkeypatch: Any, *args: str
) -> tuple[int, str, str]:
    """`storyforge build STORY --provider gemini …` in this process: exit code, stdout, stderr."""
    for name, value in env(srv).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as done:
        main(["build", str(story), "--provider", "gemini", *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def build_process(story: Path, srv: FakeGemini, *args: str) -> subprocess.Popen[str]:
    """`storyforge build` as a process of its own against the fake server."""
    command = [sys.executable, "-m", "storyforge", "build", str(story), "--provider", "gemini"]
    return subprocess.Popen(
        [*command, *args],
        env={**os.environ, **env(srv)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def generate_calls(srv: FakeGemini) -> list[dict[str, Any]]:
    return [r for r in srv.requests if r["route"] == "generateContent"]


def sent_image_hashes(records: list[dict[str, Any]]) -> set[str]:
    """The sha256 of every image these logged requests carried (the log keeps hashes)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            blob = value.get("inlineData") or value.get("inline_data")
            if isinstance(blob, dict) and isinstance(blob.get("data"), dict):
                found.add(blob["data"]["sha256"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for record in records:
        walk(record.get("body"))
    return found


def files_under(folder: Path) -> dict[str, bytes]:
    """Every regular file below `folder` (links not followed) and its bytes."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


def entry_files(store: Path) -> list[Path]:
    return sorted((store / "index").rglob("*.json"))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def manifest_steps(out: Path) -> dict[str, dict[str, Any]]:
    """Each step's record, with `status` as the run block tells it (generated, cached…)."""
    data = read_json(out / "manifest.json")
    runs = data["run"]["steps"]
    return {
        s["id"]: {**s, "status": runs.get(s["id"], {}).get("result", s["status"])}
        for s in data["steps"]
    }
