"""Turning a decided step and its calls' ends into a StepResult."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from storyforge.build.calls import entry_for_object
from storyforge.build.freshness import Decision
from storyforge.compile.plan import Step
from storyforge.outputs.results import StepResult, StepStatus
from storyforge.providers.base import Outcome
from storyforge.store.lock import Lock
from storyforge.store.objects import Entry, Store


@dataclass(frozen=True, slots=True)
class TakeEnd:
    """How one call ended: a stored entry, or the status and reason it has none."""

    entry: Entry | None = None
    status: StepStatus = "skipped"
    reason: str = ""
    cost_usd: float = 0.0
    attempts: int = 0


def ended(outcome: Outcome, entry: Entry | None = None) -> TakeEnd:
    """How a call ended with this outcome: stored as `entry`, or without one."""
    reason = "" if entry else outcome.reason
    return TakeEnd(entry, outcome.status, reason, outcome.cost_usd, outcome.attempts)


@dataclass(slots=True)
class Takes:
    """The calls of one step while they run (mutable, owned by the scheduler)."""

    step: Step
    decision: Decision
    input_sha: tuple[str, ...]
    started: float
    waiting: int
    ends: dict[int, TakeEnd] = field(default_factory=dict)
    calls: int = 0

    def add(self, take: int, end: TakeEnd) -> bool:
        """Record a take's end; True when it was the last one awaited."""
        self.ends[take] = end
        self.waiting -= 1
        return self.waiting == 0


def settle(takes: Takes, store: Store) -> StepResult:
    """The result of a step whose calls have all ended.

    Any failed or blocked take fails the step (the takes that did succeed stay in the
    store, so the next build calls only for the missing ones); else any skipped take
    skips it.
    """
    step, decision = takes.step, takes.decision
    ends = takes.ends.values()
    bad = [e for e in ends if e.status in ("failed", "blocked")] or [
        e for e in ends if e.status == "skipped"
    ]
    entries = _entries(store, decision.key or "", step.takes, takes.ends)
    # Takes answered for another build of the story while this one waited cost it nothing.
    made = any(e.status == "generated" for e in ends)
    status: StepStatus = bad[0].status if bad else "generated" if made else "cached"
    chosen = entries.get(decision.selected)
    output_sha = chosen.outputs[0].sha256 if chosen and chosen.outputs and not bad else None
    return StepResult(
        step.id,
        status,
        key=decision.key,
        selected=decision.selected if output_sha else None,
        output_sha=output_sha,
        takes=tuple(entries[t] for t in sorted(entries)),
        input_sha=takes.input_sha,
        reason=bad[0].reason if bad else "",
        calls=takes.calls,
        cost_usd=sum(e.cost_usd for e in ends),
        attempts=sum(e.attempts for e in ends),
        seconds=time.monotonic() - takes.started,
    )


def _entries(store: Store, key: str, count: int, ends: dict[int, TakeEnd]) -> dict[int, Entry]:
    found: dict[int, Entry] = {}
    for take in range(1, count + 1):
        end = ends.get(take)
        entry = end.entry if end is not None else store.get_entry(key, take)
        if entry is not None:
            found[take] = entry
    return found


def cached_result(
    step: Step, decision: Decision, input_sha: tuple[str, ...], store: Store
) -> StepResult:
    """A step whose every take is already in the store."""
    entries = _entries(store, decision.key or "", step.takes, {})
    if decision.output_sha is None:
        return StepResult(step.id, "failed", decision.key, reason="stored entry has no image")
    return StepResult(
        step.id,
        "cached",
        key=decision.key,
        selected=decision.selected,
        output_sha=decision.output_sha,
        takes=tuple(entries[t] for t in sorted(entries)),
        input_sha=input_sha,
    )


def stale_result(
    step: Step, decision: Decision, input_sha: tuple[str, ...], store: Store, lock: Lock
) -> StepResult:
    """A picked take kept although the step's request changed since: no call, a warning."""
    pick = lock.get(step.id)
    sha = decision.output_sha or ""
    key, take = (pick.key, pick.take) if pick else (decision.key or "", decision.selected)
    entry = store.get_entry(key, take) or entry_for_object(store, key, take, sha)
    return StepResult(
        step.id,
        "cached",
        key=key,
        selected=take,
        output_sha=sha,
        takes=(entry,),
        input_sha=input_sha,
        warning=decision.reason,
        stale=True,
    )
