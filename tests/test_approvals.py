"""Approvals, fresh clones, one lock per story and merged locks, against the fake server."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from storyforge.build.status import StepStatus, format_plan, predict
from storyforge.compile.compiler import compile_plan, load_checked
from storyforge.errors import StoryError, UsageError
from storyforge.fakeserver import FakeGemini
from storyforge.providers import key_identity
from storyforge.store.lock import Lock, LockEntry
from storyforge.store.objects import Store

from .build_support import (
    STORY,
    fake_env,
    generate_calls,
    run_build,
    run_main,
    server,
    write_story,
)

__all__ = ["server"]


def _plan(story: Path, srv: FakeGemini, force: tuple[str, ...] = ()) -> list[StepStatus]:
    plan = compile_plan(load_checked(story))
    identity = key_identity("gemini", fake_env(srv))
    store, lock = Store.beside(story), Lock.beside(story)
    return predict(plan, provider=identity, store=store, lock=lock, force=force)


def test_approved_steps_survive_an_upstream_edit_with_no_call(
    tmp_path: Path, server: FakeGemini, capsys: pytest.CaptureFixture[str]
) -> None:
    story = write_story(tmp_path)
    first, _ = run_build(story, server)
    assert run_main(["approve", "one", "--story", str(story)]) == 0  # a scene id: a, b, e
    assert "approved 3 steps: a, b, e" in capsys.readouterr().out
    story.write_text(STORY.replace("b spiral stairs", "b spiral stairs at night"), "utf-8")
    statuses = {s.step.id: s for s in _plan(story, server)}
    b = statuses["b"]
    assert (b.decision.state, b.calls, b.cost_usd) == ("approved", 0, 0.0)
    assert b.decision.reason.startswith("prompt changed; --force b or storyforge unapprove b")
    # e follows b, which is kept: e is cached, not shown as regenerated.
    assert statuses["e"].decision.state == "approved" or statuses["e"].calls == 0
    seen = len(server.requests)
    report, _ = run_build(story, server)
    assert generate_calls(server, seen) == []
    by_id = {r.step_id: r for r in report.results}
    assert by_id["b"].output_sha == {r.step_id: r for r in first.results}["b"].output_sha


def test_an_approval_holds_while_an_input_is_regenerated(
    tmp_path: Path, server: FakeGemini
) -> None:
    story = write_story(tmp_path)
    run_build(story, server)
    assert run_main(["approve", "b", "e", "--story", str(story)]) == 0
    story.write_text(STORY.replace("a lamp on a table", "a lamp on a chair"), "utf-8")
    statuses = {s.step.id: s for s in _plan(story, server)}
    assert statuses["b"].decision.state == "approved"
    assert statuses["b"].decision.reason.startswith("input a changed")
    text = format_plan(compile_plan(load_checked(story)), list(statuses.values()), provider="x")
    assert "! b  approved: input a changed" in text
    planned = sum(s.calls for s in statuses.values())
    seen = len(server.requests)
    run_build(story, server)
    assert len(generate_calls(server, seen)) == planned == 3  # a's two takes and d
    # A pick works whatever happens upstream.
    assert run_main(["pick", "b", "1", "--story", str(story)]) == 0
    assert {s.step.id: s.decision.state for s in _plan(story, server)}["b"] == "approved"
    assert run_main(["unapprove", "b", "e", "--story", str(story)]) == 0
    assert {s.step.id: s.decision.state for s in _plan(story, server)}["b"] == "changed"


def test_force_releases_an_approval(tmp_path: Path, server: FakeGemini) -> None:
    story = write_story(tmp_path)
    run_build(story, server)
    assert run_main(["approve", "--all", "--story", str(story)]) == 0
    story.write_text(STORY.replace("c a gull", "c two gulls"), "utf-8")
    assert {s.step.id: s.calls for s in _plan(story, server, force=("c",))}["c"] == 1
    seen = len(server.requests)
    run_build(story, server, force=("c",))
    assert len(generate_calls(server, seen)) == 1
    entry = Lock.beside(story).get("c")
    assert entry is not None and not entry.approved


def test_pick_without_a_key_is_for_the_real_provider(
    tmp_path: Path, server: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = write_story(tmp_path)
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GEMINI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    plan = compile_plan(load_checked(story))
    assert run_main(["pick", "c", "1", "--story", str(story)]) == 0
    entry = Lock.beside(story).get("c")
    expected = predict(
        plan, provider="gemini", store=Store.beside(story), lock=Lock(tmp_path / "x")
    )
    assert entry is not None and entry.key == expected[3].decision.key


def test_a_fresh_clone_with_out_and_lock_makes_no_call(
    tmp_path: Path,
    server: FakeGemini,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    story = write_story(tmp_path / "work")
    run_build(story, server)
    assert run_main(["pick", "a", "2", "--story", str(story)]) == 0
    run_build(story, server)
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in ("story.yaml", "story.lock", "out"):
        copy = shutil.copytree if name == "out" else shutil.copy2
        copy(tmp_path / "work" / name, clone / name)
    cloned = clone / "story.yaml"
    for name, value in fake_env(server).items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    assert run_main(["plan", str(cloned), "--json"]) == 0
    planned = json.loads(capsys.readouterr().out)
    assert planned["totals"]["calls"] == 0
    assert {s["state"] for s in planned["steps"]} == {"cached"}
    seen = len(server.requests)
    report, _ = run_build(cloned, server)
    assert generate_calls(server, seen) == []
    assert {r.step_id: r.selected for r in report.results}["a"] == 2


def test_a_locked_take_found_nowhere_is_refused_unless_forced(
    tmp_path: Path, server: FakeGemini
) -> None:
    story = write_story(tmp_path / "work")
    run_build(story, server)
    assert run_main(["pick", "a", "2", "--story", str(story)]) == 0
    shutil.rmtree(tmp_path / "work" / ".storyforge")
    shutil.rmtree(tmp_path / "work" / "out")
    statuses = {s.step.id: s for s in _plan(story, server)}
    assert statuses["a"].decision.state == "missing"
    assert statuses["a"].calls == 0
    # A take nobody chose is the last build's record only: made again, as a damaged store's.
    assert statuses["c"].decision.state == "new"
    assert statuses["c"].decision.reason == "not in the store"
    seen = len(server.requests)
    with pytest.raises(UsageError, match=r"a take 2 is locked but not in the store; --force a"):
        run_build(story, server)
    assert generate_calls(server, seen) == []
    report, _ = run_build(story, server, force=("a",))
    assert report.exit_code == 0


def test_two_stories_in_one_folder_keep_their_own_locks(tmp_path: Path, server: FakeGemini) -> None:
    first = write_story(tmp_path)
    second = tmp_path / "other.yaml"
    second.write_text(STORY.replace("Test story", "Other story"), "utf-8")
    run_build(first, server)
    assert run_main(["pick", "a", "2", "--story", str(first)]) == 0
    run_build(second, server, out=tmp_path / "out-other")
    assert (tmp_path / "other.lock").is_file()
    entry = Lock.beside(first).get("a")
    assert entry is not None and (entry.take, entry.picked) == (2, True)


def test_a_merged_lock_names_the_conflicting_steps_and_resolves(
    tmp_path: Path, server: FakeGemini, capsys: pytest.CaptureFixture[str]
) -> None:
    story = write_story(tmp_path)
    run_build(story, server)
    path = tmp_path / "story.lock"
    ours = path.read_text("utf-8")
    data = json.loads(ours)
    data["steps"]["a"]["take"], data["steps"]["a"]["picked"] = 2, True
    theirs = json.dumps(data, indent=2) + "\n"
    merged = _conflicted(ours, theirs)
    path.write_text(merged, "utf-8")
    with pytest.raises(StoryError) as caught:
        Lock.beside(story)
    message = caught.value.diagnostics[0].format()
    assert "merge conflict in story.lock: a (ours take 1, theirs take 2)" in message
    assert "storyforge lock --resolve" in message and "storyforge pick STEP TAKE" in message
    assert run_main(["lock", "--resolve", "--story", str(story)]) == 0
    assert Lock.beside(story).entries == Lock(path, json_entries(ours)).entries


def _conflicted(ours: str, theirs: str) -> str:
    """What git writes: common lines, then both versions of the lines that differ."""
    a, b = ours.splitlines(keepends=True), theirs.splitlines(keepends=True)
    head = next(n for n, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)
    tail = next(n for n, (x, y) in enumerate(zip(a[::-1], b[::-1], strict=False)) if x != y)
    return "".join(
        [*a[:head], "<<<<<<< HEAD\n", *a[head : len(a) - tail], "=======\n",
         *b[head : len(b) - tail], ">>>>>>> theirs\n", *a[len(a) - tail :]]
    )  # fmt: skip


def json_entries(text: str) -> dict[str, LockEntry]:
    from storyforge.store.lockschema import parse_lock

    return parse_lock(json.loads(text))
