from __future__ import annotations

from pathlib import Path

from storyforge.build.freshness import decide
from storyforge.build.status import format_plan, plan_json, predict
from storyforge.compile.keys import canonical_request, request_key
from storyforge.compile.plan import Plan
from storyforge.store.lock import Lock, LockEntry
from storyforge.store.objects import Entry, Store, StoredOutput

from .conftest import make_plan, make_step, step_input


def _build(plan: Plan, store: Store, lock: Lock, provider: str = "sketch") -> None:
    """Simulate a build: store every missing take and record the lock."""
    known: dict[str, str] = {}
    for step in plan.steps:
        shas = [known[i.ref] for i in step.inputs]
        key = request_key(provider, step, shas)
        store.put_request(key, canonical_request(provider, step, shas))
        for take in range(1, step.takes + 1):
            if store.get_entry(key, take) is None:
                sha = store.put_object(f"{key}-{take}".encode())
                out = StoredOutput(sha, "image/png", 1, 1, 10)
                store.put_entry(Entry(key=key, take=take, outputs=(out,)))
        old = lock.get(step.id)
        take = old.take if old and old.key == key else 1
        entry = store.get_entry(key, take)
        assert entry is not None
        known[step.id] = entry.outputs[0].sha256
        lock.record(step.id, LockEntry(key, take, known[step.id], old.picked if old else False))


def _states(plan: Plan, store: Store, lock: Lock, **kw: object) -> dict[str, str]:
    res = predict(plan, provider="sketch", store=store, lock=lock, **kw)  # type: ignore[arg-type]
    return {s.step.id: s.decision.state for s in res}


def test_fresh_story_is_all_new(chain_plan: Plan, tmp_path: Path) -> None:
    store, lock = Store(tmp_path / "st"), Lock(tmp_path / "story.lock")
    res = predict(chain_plan, provider="gemini", store=store, lock=lock)
    assert [s.decision.state for s in res] == ["new"] * 4
    assert [s.calls for s in res] == [1, 1, 2, 1]
    assert res[1].decision.reason == ""  # never built: just "new", whatever its inputs
    assert all(s.cost_usd > 0.039 for s in res)


def test_rebuild_with_nothing_changed_is_all_cached(chain_plan: Plan, tmp_path: Path) -> None:
    store, lock = Store(tmp_path / "st"), Lock(tmp_path / "story.lock")
    _build(chain_plan, store, lock)
    res = predict(chain_plan, provider="sketch", store=store, lock=lock)
    assert {s.decision.state for s in res} == {"cached"}
    assert sum(s.calls for s in res) == 0


def test_a_changed_prompt_changes_that_step_and_what_follows(
    chain_plan: Plan, tmp_path: Path
) -> None:
    store, lock = Store(tmp_path / "st"), Lock(tmp_path / "story.lock")
    _build(chain_plan, store, lock)
    steps = list(chain_plan.steps)
    steps[1] = make_step("b", step_input("a"), prompt="draw b at night")
    plan = make_plan(tmp_path, *steps)
    res = {s.step.id: s for s in predict(plan, provider="sketch", store=store, lock=lock)}
    assert {k: v.decision.state for k, v in res.items()} == {
        "a": "cached", "b": "changed", "c": "changed", "d": "cached",
    }  # fmt: skip
    assert res["b"].decision.reason == "prompt changed"
    assert res["c"].decision.reason == "input b will be regenerated"


def test_a_picked_take_is_stale_not_regenerated(chain_plan: Plan, tmp_path: Path) -> None:
    store, lock = Store(tmp_path / "st"), Lock(tmp_path / "story.lock")
    _build(chain_plan, store, lock)
    c = lock.get("c")
    assert c is not None
    entry = store.get_entry(c.key, 2)
    assert entry is not None
    lock.record("c", LockEntry(c.key, 2, entry.outputs[0].sha256, picked=True))
    assert _states(chain_plan, store, lock)["c"] == "cached"
    steps = list(chain_plan.steps)
    steps[2] = make_step("c", step_input("b"), prompt="draw c bigger", takes=2)
    plan = make_plan(tmp_path, *steps)
    res = {s.step.id: s for s in predict(plan, provider="sketch", store=store, lock=lock)}
    assert res["c"].decision.state == "stale"
    assert res["c"].calls == 0
    assert res["c"].decision.output_sha == entry.outputs[0].sha256
    assert "take 2 was picked for an earlier request (prompt changed)" in res["c"].decision.reason
    assert _states(plan, store, lock, force=["c"])["c"] == "changed"


def test_switching_provider_explains_itself(chain_plan: Plan, tmp_path: Path) -> None:
    store, lock = Store(tmp_path / "st"), Lock(tmp_path / "story.lock")
    _build(chain_plan, store, lock)
    step = chain_plan.step("a")
    d = decide(step, [], provider="gemini", store=store, lock=lock)
    assert (d.state, d.reason) == ("changed", "provider sketch -> gemini")


def test_more_takes_keep_the_selected_one(tmp_path: Path) -> None:
    store, lock = Store(tmp_path / "st"), Lock(tmp_path / "story.lock")
    plan = make_plan(tmp_path, make_step("a"), make_step("b", step_input("a")))
    _build(plan, store, lock)
    plan2 = make_plan(tmp_path, make_step("a", takes=3), make_step("b", step_input("a")))
    res = predict(plan2, provider="sketch", store=store, lock=lock)
    assert [(s.decision.state, s.calls) for s in res] == [("new", 2), ("cached", 0)]
    assert res[0].decision.reason == "2 more take(s)"


def test_plan_text_and_json(chain_plan: Plan, tmp_path: Path) -> None:
    store, lock = Store(tmp_path / "st"), Lock(tmp_path / "story.lock")
    res = predict(chain_plan, provider="sketch", store=store, lock=lock)
    text = format_plan(chain_plan, res, provider="sketch")
    assert text.splitlines()[1:] == [
        "  + a  new  1 call, $0.000",
        "  + b  new  1 call, $0.000",
        "  + c  new  2 calls, $0.000",
        "  + d  new  1 call, $0.000",
        "4 of 4 steps to build: 5 calls, estimated $0.00 (0 cached, 0 stale)",
    ]
    data = plan_json(chain_plan, res, provider="sketch")
    assert data["totals"] == {
        "new": 4, "changed": 0, "cached": 0, "stale": 0, "approved": 0, "missing": 0,
        "steps": 4, "calls": 5, "cost_usd": 0.0,
    }  # fmt: skip
