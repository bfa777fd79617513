"""Helpers for the compiler's tests: story folders on disk, images, snapshots."""

from __future__ import annotations

import io
import os
import struct
import textwrap
import zlib
from collections.abc import Mapping
from pathlib import Path

import pytest
from PIL import Image

from storyforge.compile.compiler import compile_plan
from storyforge.compile.plan import Plan
from storyforge.errors import StoryError
from storyforge.story.loader import load_story

SNAPSHOTS = Path(__file__).parent / "snapshots"


def png(width: int = 8, height: int = 8, color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A small solid PNG."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg(width: int, height: int, color: tuple[int, int, int] = (30, 90, 160)) -> bytes:
    """A solid JPEG."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", quality=80)
    return out.getvalue()


def bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny PNG whose header claims a huge image (no pixel data worth decoding)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def write_story(root: Path, text: str, files: Mapping[str, bytes | str] | None = None) -> Path:
    """Write story.yaml (dedented) and extra files under `root`; return the story's path."""
    root.mkdir(parents=True, exist_ok=True)
    for name, data in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    story = root / "story.yaml"
    story.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return story


def compile_text(root: Path, text: str, files: Mapping[str, bytes | str] | None = None) -> Plan:
    """Write a story and compile it."""
    return compile_plan(load_story(write_story(root, text, files)))


def compile_errors(
    root: Path, text: str, files: Mapping[str, bytes | str] | None = None
) -> list[str]:
    """Write a story, expect compile_plan to refuse it, and return its diagnostics' lines."""
    story = write_story(root, text, files)
    loaded = load_story(story)
    with pytest.raises(StoryError) as caught:
        compile_plan(loaded)
    return [d.format().replace(str(story), "story.yaml") for d in caught.value.diagnostics]


def assert_snapshot(name: str, text: str) -> None:
    """Compare with tests/snapshots/<name>; STORYFORGE_UPDATE_SNAPSHOTS=1 rewrites it."""
    path = SNAPSHOTS / name
    if os.environ.get("STORYFORGE_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {name}; run with STORYFORGE_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8")
