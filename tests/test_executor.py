from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from pathlib import Path

import pytest

from storyforge.build.executor import Execution, execute
from storyforge.compile.plan import Input, Plan
from storyforge.errors import StoreError
from storyforge.outputs.results import StepResult
from storyforge.store.lock import Lock, LockEntry
from storyforge.store.objects import Store

from .conftest import make_plan, make_step, step_input
from .executor_fakes import Collect, FakeProvider, make_context, run, statuses


def _stores(tmp_path: Path) -> tuple[Store, Lock]:
    return Store(tmp_path / ".storyforge"), Lock(tmp_path / "story.lock")


def test_first_build_calls_every_take_and_second_build_none(
    chain_plan: Plan, tmp_path: Path
) -> None:
    store, lock = _stores(tmp_path)
    first = FakeProvider()
    done = run(chain_plan, first, store, lock)
    assert statuses(done) == dict.fromkeys("abcd", "generated")
    assert sorted(first.labels()) == ["a", "b", "c", "c", "d"]
    assert done.calls == 5
    second = FakeProvider()
    again = run(chain_plan, second, store, lock)
    assert second.calls == []
    assert statuses(again) == dict.fromkeys("abcd", "cached")
    assert [r.output_sha for r in again.results] == [r.output_sha for r in done.results]


def test_every_result_is_in_the_store_and_the_lock(chain_plan: Plan, tmp_path: Path) -> None:
    store, lock = _stores(tmp_path)
    done = run(chain_plan, FakeProvider(), store, lock)
    for result in done.results:
        assert result.key is not None and result.output_sha is not None
        entry = store.get_entry(result.key, 1)
        assert entry is not None and entry.outputs[0].sha256 == result.output_sha
        assert entry.outputs[0].mime_type == "image/png"
        assert (entry.outputs[0].width, entry.outputs[0].height) == (64, 32)
        assert store.get_request(result.key) is not None
        assert lock.get(result.step_id) == LockEntry(result.key, 1, result.output_sha, False)
    c = done.results[2]
    assert [e.take for e in c.takes] == [1, 2]


def test_step_inputs_are_sent_as_the_selected_takes_bytes(chain_plan: Plan, tmp_path: Path) -> None:
    store, lock = _stores(tmp_path)
    provider = FakeProvider()
    done = run(chain_plan, provider, store, lock)
    b_request = next(r for r in provider.calls if r.label == "b")
    assert [i.label for i in b_request.images] == ["Image 1: the panel a"]
    assert b_request.images[0].data == store.read_object(done.results[0].output_sha or "")
    assert b_request.hints is not None and b_request.hints.title == "b"


def test_a_changed_prompt_calls_that_step_and_its_descendants(
    chain_plan: Plan, tmp_path: Path
) -> None:
    store, lock = _stores(tmp_path)
    run(chain_plan, FakeProvider(), store, lock)
    steps = list(chain_plan.steps)
    steps[1] = dataclasses.replace(steps[1], prompt="draw b at night")
    provider = FakeProvider()
    done = run(make_plan(tmp_path, *steps), provider, store, lock)
    assert sorted(provider.labels()) == ["b", "c", "c"]
    assert statuses(done) == {"a": "cached", "b": "generated", "c": "generated", "d": "cached"}


def test_picking_another_take_regenerates_exactly_the_descendants(tmp_path: Path) -> None:
    store, lock = _stores(tmp_path)
    plan = make_plan(
        tmp_path,
        make_step("a", takes=2),
        make_step("b", step_input("a")),
        make_step("c", step_input("b")),
        make_step("d"),
    )
    first = run(plan, FakeProvider(), store, lock)
    a = first.results[0]
    lock.record("a", LockEntry(a.key or "", 2, a.takes[1].outputs[0].sha256, picked=True))
    provider = FakeProvider()
    done = run(plan, provider, store, lock)
    assert provider.labels() == ["b", "c"]
    assert done.results[0].selected == 2
    assert done.results[0].output_sha == a.takes[1].outputs[0].sha256
    assert lock.get("a") == LockEntry(a.key or "", 2, a.takes[1].outputs[0].sha256, picked=True)


def test_a_seeded_step_sends_a_different_seed_per_take(tmp_path: Path) -> None:
    store, lock = _stores(tmp_path)
    plan = make_plan(tmp_path, dataclasses.replace(make_step("a", takes=3), seed=7))
    provider = FakeProvider()
    run(plan, provider, store, lock)
    assert sorted(r.seed or 0 for r in provider.calls) == [7, 8, 9]


def test_a_failure_skips_descendants_and_independent_branches_go_on(
    chain_plan: Plan, tmp_path: Path
) -> None:
    store, lock = _stores(tmp_path)
    done = run(chain_plan, FakeProvider(fail={"a"}), store, lock)
    assert statuses(done) == {"a": "failed", "b": "skipped", "c": "skipped", "d": "generated"}
    by_id = {r.step_id: r for r in done.results}
    assert by_id["a"].reason == "HTTP 503 overloaded" and by_id["a"].attempts == 3
    assert by_id["b"].reason == "input a failed"
    assert by_id["c"].reason == "input a failed"
    assert lock.get("a") is None
    provider = FakeProvider()
    run(chain_plan, provider, store, lock)
    assert sorted(provider.labels()) == ["a", "b", "c", "c"]


def test_a_blocked_step_is_blocked_and_never_cached(chain_plan: Plan, tmp_path: Path) -> None:
    store, lock = _stores(tmp_path)
    done = run(chain_plan, FakeProvider(block={"d"}), store, lock)
    assert statuses(done)["d"] == "blocked"
    assert done.results[3].reason == "IMAGE_SAFETY"
    provider = FakeProvider(block={"d"})
    again = run(chain_plan, provider, store, lock)
    assert provider.labels() == ["d"] and statuses(again)["d"] == "blocked"


def test_a_fatal_outcome_stops_starting_calls(chain_plan: Plan, tmp_path: Path) -> None:
    store, lock = _stores(tmp_path)
    provider = FakeProvider(fatal={"a"})
    done = run(chain_plan, provider, store, lock, concurrency=1)
    assert provider.labels() == ["a"]
    assert statuses(done) == {"a": "failed", "b": "skipped", "c": "skipped", "d": "skipped"}
    assert done.results[3].reason == "HTTP 403 API key not valid"


def test_with_concurrency_one_the_longest_path_goes_first(tmp_path: Path) -> None:
    steps = (
        make_step("solo"),
        make_step("x"),
        make_step("root"),
        make_step("mid", step_input("root")),
        make_step("leaf", step_input("mid")),
        make_step("y", step_input("x")),
    )
    plan = dataclasses.replace(
        make_plan(tmp_path, *steps),
        rank={"solo": 0, "x": 1, "root": 2, "mid": 1, "leaf": 0, "y": 0},
    )
    provider = FakeProvider()
    run(plan, provider, *_stores(tmp_path), concurrency=1)
    # root (rank 2) first; then x and mid (rank 1, story order); then rank 0 in story order
    assert provider.labels() == ["root", "x", "mid", "solo", "leaf", "y"]


def test_concurrency_bounds_calls_in_flight(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, *(make_step(f"p{n}") for n in range(12)))
    provider = FakeProvider(delay_s=0.01)
    done = run(plan, provider, *_stores(tmp_path), concurrency=3)
    assert provider.max_in_flight == 3
    assert done.calls == 12


def test_max_cost_is_never_passed(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, *(make_step(f"p{n}") for n in range(6)))
    provider = FakeProvider(cost_usd=0.03)
    done = run(plan, provider, *_stores(tmp_path), max_cost_usd=0.10, concurrency=2)
    assert done.spent_usd <= 0.10
    assert 0 < len(provider.calls) < 6
    skipped = [r for r in done.results if r.status == "skipped"]
    assert skipped and {r.reason for r in skipped} == {"--max-cost 0.10 reached"}


def test_only_builds_the_selection(chain_plan: Plan, tmp_path: Path) -> None:
    provider = FakeProvider()
    done = run(chain_plan, provider, *_stores(tmp_path), selection=chain_plan.ancestors(["b"]))
    assert sorted(provider.labels()) == ["a", "b"]
    assert [r.step_id for r in done.results] == ["a", "b"]


def test_force_regenerates_a_step_and_what_follows_through_keys(
    chain_plan: Plan, tmp_path: Path
) -> None:
    store, lock = _stores(tmp_path)
    run(chain_plan, FakeProvider(), store, lock)
    provider = FakeProvider()
    run(chain_plan, provider, store, lock, force=frozenset({"b"}))
    assert sorted(provider.labels()) == ["b", "c", "c"]


def test_a_stale_pick_is_kept_without_a_call(tmp_path: Path) -> None:
    store, lock = _stores(tmp_path)
    plan = make_plan(tmp_path, make_step("a", takes=2), make_step("b", step_input("a")))
    first = run(plan, FakeProvider(), store, lock)
    a = first.results[0]
    picked = LockEntry(a.key or "", 2, a.takes[1].outputs[0].sha256, picked=True)
    lock.record("a", picked)
    run(plan, FakeProvider(), store, lock)
    changed = make_plan(
        tmp_path, make_step("a", takes=2, prompt="other"), make_step("b", step_input("a"))
    )
    provider, listener = FakeProvider(), Collect()
    done = run(changed, provider, store, lock, listener=listener)
    assert provider.labels() == []
    assert done.results[0].stale and "picked" in done.results[0].warning
    assert done.results[0].output_sha == picked.sha256
    assert lock.get("a") == picked
    assert [r.step_id for r in listener.finished] == ["a", "b"]


def test_extra_images_of_a_response_are_stored(tmp_path: Path) -> None:
    store, lock = _stores(tmp_path)
    plan = make_plan(tmp_path, make_step("a"))
    done = run(plan, FakeProvider(extra_images=2), store, lock)
    outputs = done.results[0].takes[0].outputs
    assert len(outputs) == 3 and all(store.has_object(o.sha256) for o in outputs)


def test_cancelling_keeps_what_finished_and_a_rerun_reuses_it(tmp_path: Path) -> None:
    store, lock = _stores(tmp_path)
    plan = make_plan(tmp_path, *(make_step(f"p{n}") for n in range(8)))
    provider, listener = FakeProvider(delay_s=0.02), Collect()
    context = make_context(plan, store, lock, listener, concurrency=2)

    async def build_then_cancel() -> Execution:
        task = asyncio.create_task(execute(plan, provider, context))
        while len(listener.finished) < 2:
            await asyncio.sleep(0.005)
        task.cancel()
        return await task

    done = asyncio.run(build_then_cancel())
    assert done.interrupted
    generated = [r.step_id for r in done.results if r.status == "generated"]
    assert 2 <= len(generated) < 8
    assert {r.reason for r in done.results if r.status != "generated"} == {"interrupted"}
    unfinished = set(statuses(done)) - set(generated)
    again = FakeProvider()
    run(plan, again, store, lock)
    # Nothing finished is paid for again; an answer that was in and being stored when the
    # build was cancelled (at most one per slot) is kept too, so it is not called again.
    assert set(again.labels()) <= unfinished
    assert len(again.labels()) >= len(unfinished) - 2


def test_a_step_whose_input_file_changed_fails_alone(tmp_path: Path) -> None:
    (tmp_path / "ref.png").write_bytes(b"new bytes")
    ref = Input("ref.png", "a reference", "file", explicit=True, sha256="0" * 64)
    plan = make_plan(tmp_path, make_step("a", ref), make_step("b"))
    provider = FakeProvider()
    done = run(plan, provider, *_stores(tmp_path))
    assert statuses(done) == {"a": "failed", "b": "generated"}
    assert "ref.png changed during the build" in done.results[0].reason
    assert provider.labels() == ["b"]


def test_file_inputs_are_sent_as_read(tmp_path: Path) -> None:
    data = b"reference bytes"
    (tmp_path / "ref.png").write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    ref = Input("ref.png", "a reference", "file", explicit=True, sha256=sha)
    plan = make_plan(tmp_path, make_step("a", ref), make_step("b", ref))
    provider = FakeProvider()
    run(plan, provider, *_stores(tmp_path))
    assert [r.images[0].data for r in provider.calls] == [data, data]


class _Broken(Collect):
    def step_finished(self, result: StepResult) -> None:
        if result.step_id == "b":
            raise StoreError("cannot write out/b.png: No space left on device")
        super().step_finished(result)


def test_an_error_outside_the_calls_stops_the_build_and_is_raised(
    chain_plan: Plan, tmp_path: Path
) -> None:
    with pytest.raises(StoreError, match="No space left"):
        run(chain_plan, FakeProvider(delay_s=0.01), *_stores(tmp_path), listener=_Broken())
