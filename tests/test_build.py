from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from storyforge.errors import StoryError, UsageError
from storyforge.fakeserver import FakeGemini, Faults
from storyforge.store.lock import Lock, LockEntry
from storyforge.store.objects import Store

from .build_support import (
    ALL_CALLS,
    STORY,
    generate_calls,
    manifest,
    run_build,
    server,
    write_story,
)

__all__ = ["server"]


def test_a_second_build_makes_no_call(tmp_path: Path, server: FakeGemini) -> None:
    story = write_story(tmp_path)
    report, _ = run_build(story, server)
    assert report.exit_code == 0 and report.calls == ALL_CALLS
    assert len(generate_calls(server)) == ALL_CALLS
    seen = len(server.requests)
    again, log = run_build(story, server)
    assert generate_calls(server, seen) == []
    assert {r.status for r in again.results} == {"cached"}
    assert "  cached     a\n" in log


def test_a_changed_prompt_calls_the_step_and_its_descendants(
    tmp_path: Path, server: FakeGemini
) -> None:
    story = write_story(tmp_path)
    run_build(story, server)
    write_story(tmp_path, STORY.replace("b spiral stairs", "b spiral stairs in the rain"))
    seen = len(server.requests)
    report, _ = run_build(story, server)
    assert len(generate_calls(server, seen)) == 2  # b, and e which chains from it
    status = {r.step_id: r.status for r in report.results}
    assert status == {
        "a": "cached",
        "b": "generated",
        "e": "generated",
        "c": "cached",
        "d": "cached",
    }


def test_picking_another_take_regenerates_exactly_the_descendants(
    tmp_path: Path, server: FakeGemini
) -> None:
    story = write_story(tmp_path)
    first, _ = run_build(story, server)
    by_id = {r.step_id: r for r in first.results}
    a, c = by_id["a"], by_id["c"]
    # The fake server draws the same picture for every seed; a real model does not. Give take
    # 2 of a different picture (c's), as the API would have.
    store = Store.beside(story)
    take2 = dataclasses.replace(c.takes[0], key=a.key or "", take=2)
    store.put_entry(take2)
    sha2 = take2.outputs[0].sha256
    lock = Lock.beside(story)
    lock.record("a", LockEntry(a.key or "", 2, sha2, picked=True))
    lock.save()
    seen = len(server.requests)
    report, _ = run_build(story, server)
    assert len(generate_calls(server, seen)) == 3  # b, e and d: exactly a's descendants
    done = {r.step_id: r.status for r in report.results}
    assert done == {
        "a": "cached",
        "b": "generated",
        "e": "generated",
        "c": "cached",
        "d": "generated",
    }
    assert {s["id"]: s["selected"] for s in manifest(report.out)["steps"]}["a"] == 2
    assert Lock.beside(story).get("a") == LockEntry(a.key or "", 2, sha2, True)
    assert (report.out / "a.jpg").read_bytes() == store.read_object(sha2)
    assert (report.out / "takes" / "a-1.jpg").read_bytes() == store.read_object(a.output_sha or "")


def test_a_failed_branch_skips_its_descendants_and_exits_1(
    tmp_path: Path, server: FakeGemini
) -> None:
    story = write_story(tmp_path)
    server.enqueue("503")  # with concurrency 1 the first call is a's (longest path)
    report, log = run_build(story, server, concurrency=1, retries=0)
    status = {r.step_id: r.status for r in report.results}
    assert status == {
        "a": "failed",
        "b": "skipped",
        "e": "skipped",
        "c": "generated",
        "d": "skipped",
    }
    assert report.exit_code == 1
    reasons = {s["id"]: s["error"] for s in manifest(report.out)["steps"]}
    assert reasons["b"] == reasons["e"] == reasons["d"] == "input a failed"
    assert "FAILED     a: " in log


def test_a_blocked_step_is_blocked_and_asked_again_next_time(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY.replace("c a gull", "c a forbidden gull"))
    with FakeGemini(faults=Faults(block_word="forbidden")) as srv:
        report, _ = run_build(story, srv)
        steps = {s["id"]: s for s in manifest(report.out)["steps"]}
        assert steps["c"]["status"] == "blocked" and steps["c"]["outputs"] == []
        assert report.exit_code == 1
        seen = len(srv.requests)
        again, _ = run_build(story, srv)
        assert len(generate_calls(srv, seen)) == 1
        assert {r.step_id: r.status for r in again.results}["c"] == "blocked"


def test_max_cost_is_never_exceeded(tmp_path: Path, server: FakeGemini) -> None:
    story = write_story(tmp_path)
    report, _ = run_build(story, server, max_cost_usd=0.10)
    done = manifest(report.out)
    assert done["run"]["cost_usd"] <= 0.10
    assert 0 < done["run"]["calls"] < ALL_CALLS
    skipped = [s for s in done["steps"] if s["status"] == "skipped"]
    assert skipped and "--max-cost 0.10 reached" in {s["error"] for s in skipped}
    assert report.exit_code == 1


def test_outputs_are_the_store_objects_byte_for_byte(tmp_path: Path, server: FakeGemini) -> None:
    story = write_story(tmp_path)
    report, _ = run_build(story, server)
    store = Store.beside(story)
    done = manifest(report.out)
    paths = sorted(o["path"] for s in done["steps"] for o in s["outputs"])
    assert paths == ["a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg", "takes/a-2.jpg"]
    for step in done["steps"]:
        for out in step["outputs"]:
            assert (report.out / out["path"]).read_bytes() == store.read_object(out["sha256"])
            assert out["mime_type"] == "image/jpeg" and out["width"] > 0
    assert (report.out / "contact_sheet.png").read_bytes().startswith(b"\x89PNG")


def test_the_extension_follows_the_sniffed_bytes(tmp_path: Path, server: FakeGemini) -> None:
    story = write_story(
        tmp_path, STORY.replace("c a gull", "c a gull\n        model: gemini-2.5-flash-image")
    )
    server.enqueue("jpeg-as-png", "multi-image")
    report, _ = run_build(story, server, concurrency=1, only=("c",))
    (c,) = manifest(report.out)["steps"]
    assert [o["path"] for o in c["outputs"]] == ["c.jpg"]
    assert c["outputs"][0]["mime_type"] == "image/jpeg"
    report, _ = run_build(story, server, force=("c",), only=("c",))
    (c,) = manifest(report.out)["steps"]
    assert [o["path"] for o in c["outputs"]] == ["c.png", "takes/c-1-2.png"]


def test_only_builds_the_steps_and_what_they_need(tmp_path: Path, server: FakeGemini) -> None:
    story = write_story(tmp_path)
    report, _ = run_build(story, server, only=("b",))
    assert [r.step_id for r in report.results] == ["a", "b"]
    assert len(generate_calls(server)) == 3


def test_unknown_ids_are_usage_errors_with_a_suggestion(tmp_path: Path, server: FakeGemini) -> None:
    story = write_story(tmp_path)
    with pytest.raises(
        UsageError, match=r"--only: no step or scene 'bb' in story.yaml \(did you mean 'b'\?\)"
    ):
        run_build(story, server, only=("bb",))
    with pytest.raises(UsageError, match="--force: no step or scene 'x'"):
        run_build(story, server, force=("x",))
    assert generate_calls(server) == []


def test_model_override_replaces_every_steps_model_and_is_checked(
    tmp_path: Path, server: FakeGemini
) -> None:
    story = write_story(
        tmp_path, STORY.replace("c a gull", "c a gull\n        model: gemini-3-pro-image")
    )
    report, _ = run_build(story, server, model="gemini-3.1-flash-image", only=("c",))
    assert {r["model"] for r in generate_calls(server)} == {"gemini-3.1-flash-image"}
    assert manifest(report.out)["model"] == "gemini-3.1-flash-image"
    tall = write_story(tmp_path / "tall", STORY.replace('"1:1"', '"1:4"'))
    run_build(tall, server, model="gemini-3.1-flash-image", only=("c",))
    with pytest.raises(
        StoryError, match="aspect ratio '1:4' is not supported by gemini-3-pro-image"
    ):
        run_build(tall, server, model="gemini-3-pro-image")


def test_with_concurrency_one_the_longest_path_goes_first(
    tmp_path: Path, server: FakeGemini
) -> None:
    story = write_story(tmp_path)
    run_build(story, server, concurrency=1)
    marks = {"lamp on": "a", "spiral": "b", "the sea": "e", "gull": "c", "at night": "d"}
    order = [
        next(step for mark, step in marks.items() if mark in str(r["text"]))
        for r in generate_calls(server)
    ]
    # a leads the longest path (a -> b -> e); then b; then e, c, d in story order.
    assert order == ["a", "a", "b", "e", "c", "d"]
