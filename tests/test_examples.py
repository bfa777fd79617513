"""Every example story builds offline with the sketch provider, and rebuilds for free."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from storyforge.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = sorted(p.parent.name for p in EXAMPLES.glob("*/story.yaml"))


def test_there_are_four_examples() -> None:
    assert NAMES == ["lighthouse", "product-shoot", "storyboard", "turnaround"]


def _build(story: Path) -> dict[str, object]:
    with pytest.raises(SystemExit) as exit_:
        main(["build", str(story), "--provider", "sketch"])
    assert exit_.value.code == 0
    manifest: dict[str, object] = json.loads((story.parent / "out" / "manifest.json").read_text())
    return manifest


@pytest.mark.parametrize("name", NAMES)
def test_example_builds_offline_then_rebuilds_with_no_call(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "COMETAPI_KEY"):
        monkeypatch.delenv(var, raising=False)
    folder = tmp_path / name
    shutil.copytree(EXAMPLES / name, folder, ignore=shutil.ignore_patterns("out", ".storyforge"))
    first = _build(folder / "story.yaml")
    totals = first["totals"]
    assert isinstance(totals, dict)
    assert totals["failed"] == totals["blocked"] == totals["skipped"] == 0
    assert first["run"]["generated"] == totals["ok"] == totals["steps"] > 0  # type: ignore[index]
    steps = first["steps"]
    assert isinstance(steps, list)
    for step in steps:
        out = folder / "out" / step["outputs"][0]["path"]
        with Image.open(out) as image:
            assert image.size == (step["outputs"][0]["width"], step["outputs"][0]["height"])
    with Image.open(folder / "out" / "contact_sheet.png") as sheet:
        assert sheet.width >= 1200
    second = _build(folder / "story.yaml")
    # A rebuild with nothing to do leaves the manifest as it was, its run block included.
    assert second == first
