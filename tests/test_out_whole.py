"""OUT and the manifest describe the whole story: --only, failed runs and removed panels."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from storyforge.fakeserver import FakeGemini

from .build_support import STORY, manifest, run_build, server, write_story

__all__ = ["server"]


def _by_id(out: Path) -> dict[str, dict[str, object]]:
    return {s["id"]: s for s in manifest(out)["steps"]}


def test_only_keeps_every_other_steps_record_and_the_whole_sheet(
    tmp_path: Path, server: FakeGemini
) -> None:
    story = write_story(tmp_path)
    first, _ = run_build(story, server)
    before = _by_id(first.out)
    story.write_text(STORY.replace("c a gull", "c two gulls"), "utf-8")
    report, _ = run_build(story, server, only=("c",))
    after = _by_id(report.out)
    assert list(after) == list(before)  # all five steps, in plan order
    for sid in ("a", "b", "e", "d"):
        assert after[sid] == before[sid]
    assert after["c"]["key"] != before["c"]["key"]
    assert manifest(report.out)["run"]["steps"].keys() == {"c"}
    assert manifest(report.out)["derived"]["contact_sheet"] == ["contact_sheet.png"]


def test_a_failed_run_leaves_no_older_image_posing_as_current(
    tmp_path: Path, server: FakeGemini
) -> None:
    story = write_story(tmp_path)
    first, _ = run_build(story, server)
    assert (first.out / "c.jpg").is_file()
    story.write_text(STORY.replace("c a gull", "c two gulls"), "utf-8")
    server.enqueue("503")
    report, _ = run_build(story, server, only=("c",), retries=0)
    assert report.exit_code == 1
    steps = _by_id(report.out)
    assert steps["c"]["status"] == "failed" and steps["c"]["outputs"] == []
    assert not (report.out / "c.jpg").exists()  # the old gull is not shown as the new one
    assert {sid: s["status"] for sid, s in steps.items() if sid != "c"} == dict.fromkeys(
        ("a", "b", "e", "d"), "ok"
    )
    assert (report.out / "a.jpg").is_file() and (report.out / "contact_sheet.png").is_file()


def test_out_holds_exactly_what_the_manifest_lists(tmp_path: Path, server: FakeGemini) -> None:
    story = write_story(tmp_path)
    first, _ = run_build(story, server)
    mine = first.out / "notes.txt"
    mine.write_text("the artist's own file", "utf-8")
    story.write_text(
        STORY.replace("      - id: e\n        prompt: e the sea at dusk\n", ""), "utf-8"
    )
    report, _ = run_build(story, server)
    assert not (report.out / "e.jpg").exists()
    assert mine.read_text("utf-8") == "the artist's own file"  # never touched
    data = manifest(report.out)
    listed = {o["path"] for s in data["steps"] for o in s["outputs"]}
    listed |= {p for paths in data["derived"].values() for p in paths}
    # Dot files are the outputs' own fingerprints (`.contact_sheet.sha256`), not outputs.
    present = {
        p.relative_to(report.out).as_posix()
        for p in report.out.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    assert present - listed == {"manifest.json", "notes.txt"}
    assert listed <= present


def test_a_committed_manifest_cannot_make_a_build_remove_or_read_outside_out(
    tmp_path: Path, server: FakeGemini
) -> None:
    story = write_story(tmp_path / "story")
    first, _ = run_build(story, server)
    secret = tmp_path / "secret.txt"
    secret.write_text("keep me", "utf-8")
    (first.out / "link.jpg").symlink_to(secret)
    data = manifest(first.out)
    c = next(s for s in data["steps"] if s["id"] == "c")
    for path in ("../../secret.txt", str(secret), "link.jpg"):
        c["outputs"].append({**c["outputs"][0], "take": 1, "path": path})
    (first.out / "manifest.json").write_text(json.dumps(data), "utf-8")
    shutil.rmtree(tmp_path / "story" / ".storyforge")  # adoption reads the listed paths
    story.write_text(STORY.replace("      - id: c\n        prompt: c a gull\n", ""), "utf-8")
    report, _ = run_build(story, server, force=("a",))
    assert report.exit_code == 0
    assert secret.read_text("utf-8") == "keep me"
    assert (report.out / "link.jpg").is_symlink()  # not storyforge's to remove
