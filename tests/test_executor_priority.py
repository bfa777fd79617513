"""When answers land together: the critical path first, slots handed on, listeners last."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from storyforge.build import executor
from storyforge.build.calls import store_outcome
from storyforge.outputs.results import StepResult
from storyforge.providers.base import GenerateRequest, Outcome
from storyforge.store.lock import Lock
from storyforge.store.objects import Entry, Store

from .conftest import make_plan, make_step, step_input
from .executor_fakes import FakeProvider, run, statuses


def _stores(tmp_path: Path) -> tuple[Store, Lock]:
    return Store(tmp_path / ".storyforge"), Lock(tmp_path / "story.lock")


@dataclass
class _Events:
    """A listener that keeps calls and finishes in one list, in the order it hears them."""

    seen: list[str] = field(default_factory=list)

    def call_started(self, step_id: str) -> None:
        self.seen.append(f"call {step_id}")

    def step_finished(self, result: StepResult) -> None:
        self.seen.append(f"done {result.step_id}")


@dataclass
class _Signalling(FakeProvider):
    """Sets `started[label]` as each call begins."""

    started: dict[str, threading.Event] = field(default_factory=dict)

    async def generate(self, request: GenerateRequest) -> Outcome:
        self.started.setdefault(request.label, threading.Event()).set()
        return await super().generate(request)


def test_a_sinks_slot_goes_to_the_next_call_while_its_answer_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = _Signalling(started={"y": threading.Event()})
    saw_y: list[bool] = []

    def slow_store(*args: Any, **kwargs: Any) -> Entry:
        if args[1].id == "x":  # nothing needs x: y may be called while x is stored
            saw_y.append(provider.started["y"].wait(timeout=10))
        return store_outcome(*args, **kwargs)

    monkeypatch.setattr(executor, "store_outcome", slow_store)
    plan = make_plan(tmp_path, make_step("x"), make_step("y"))
    done = run(plan, provider, *_stores(tmp_path), concurrency=1)
    assert statuses(done) == {"x": "generated", "y": "generated"}
    assert saw_y == [True]
    assert provider.max_in_flight == 1


def test_an_awaited_answer_is_stored_before_its_dependent_is_called(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, make_step("a"), make_step("b", step_input("a")), make_step("x"))
    store, lock = _stores(tmp_path)
    provider = FakeProvider()
    done = run(plan, provider, store, lock, concurrency=1)
    assert statuses(done) == dict.fromkeys("abx", "generated")
    b_request = next(r for r in provider.calls if r.label == "b")
    a_result = done.results[0]
    assert a_result.output_sha is not None
    assert b_request.images[0].data == store.read_object(a_result.output_sha)


def test_the_listener_hears_of_a_step_after_the_calls_it_made_ready(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, make_step("a"), make_step("b", step_input("a")))
    events = _Events()
    done = run(plan, FakeProvider(), *_stores(tmp_path), listener=events)  # type: ignore[arg-type]
    assert statuses(done) == {"a": "generated", "b": "generated"}
    assert events.seen == ["call a", "call b", "done a", "done b"]


def test_every_finished_step_is_told_even_when_the_build_ends_at_once(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, make_step("a"), make_step("b"), make_step("c"))
    events = _Events()
    run(plan, FakeProvider(fail={"b"}), *_stores(tmp_path), listener=events)  # type: ignore[arg-type]
    assert sorted(e for e in events.seen if e.startswith("done")) == ["done a", "done b", "done c"]
