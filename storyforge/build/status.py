"""`storyforge plan`: what a build would do, why, and what it would cost, with no call made."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from storyforge.build.freshness import Decision, decide
from storyforge.compile.costs import estimate_call_usd
from storyforge.compile.plan import Plan, Step
from storyforge.store.lock import Lock
from storyforge.store.objects import Store

SYMBOLS = {"new": "+", "changed": "~", "cached": "=", "stale": "!", "approved": "!", "missing": "?"}


@dataclass(frozen=True, slots=True)
class StepStatus:
    """The predicted fate of one step."""

    step: Step
    decision: Decision
    calls: int
    cost_usd: float


def predict(
    plan: Plan,
    *,
    provider: str,
    store: Store,
    lock: Lock,
    force: Iterable[str] = (),
    batch: bool = False,
) -> list[StepStatus]:
    """Walk the plan in dependency order and decide every step from the store and the lock.

    A step whose input will be regenerated cannot know its key yet: it is shown as
    changed because of that input, exactly as the build would then find it. `batch`
    prices the calls at the Batch API's rate.
    """
    forced = set(force)
    known: dict[str, str | None] = {}
    out: list[StepStatus] = []
    for step in plan.steps:
        shas = [i.sha256 if i.source == "file" else known.get(i.ref) for i in step.inputs]
        decision = decide(
            step, shas, provider=provider, store=store, lock=lock, force=step.id in forced
        )
        known[step.id] = decision.output_sha
        calls = len(decision.missing)
        price = estimate_call_usd(step, provider, batch=batch)
        out.append(StepStatus(step, decision, calls, calls * price))
    return out


def totals(statuses: Iterable[StepStatus]) -> dict[str, Any]:
    """Counts per state, calls and estimated cost."""
    items = list(statuses)
    counts = {state: sum(s.decision.state == state for s in items) for state in SYMBOLS}
    return {
        **counts,
        "steps": len(items),
        "calls": sum(s.calls for s in items),
        "cost_usd": round(sum(s.cost_usd for s in items), 4),
    }


def format_plan(plan: Plan, statuses: list[StepStatus], *, provider: str) -> str:
    """The human-readable plan: one line per step, dropped inputs, then the totals."""
    models = sorted({s.step.model for s in statuses})
    lines = [f"plan: {plan.title} ({plan.story_path}) with {provider}, {', '.join(models)}"]
    width = max((len(s.step.id) for s in statuses), default=0)
    for s in statuses:
        d = s.decision
        what = d.state + (f": {d.reason}" if d.reason else "")
        cost = (
            f"  {s.calls} call{'s' if s.calls != 1 else ''}, ${s.cost_usd:.3f}" if s.calls else ""
        )
        lines.append(f"  {SYMBOLS[d.state]} {s.step.id:<{width}}  {what}{cost}")
    dropped = [(s.step.id, d) for s in statuses for d in s.step.dropped]
    if dropped:
        lines.append("inputs left out (the model's input image limit):")
        lines += [f"  {sid}: {what}" for sid, what in dropped]
    t = totals(statuses)
    to_build = t["new"] + t["changed"]
    lines.append(
        f"{to_build} of {t['steps']} steps to build: {t['calls']} call"
        f"{'s' if t['calls'] != 1 else ''}, estimated ${t['cost_usd']:.2f}"
        f" ({t['cached']} cached, {t['stale']} stale{_also(t)})"
    )
    return "\n".join(lines)


def _also(t: dict[str, Any]) -> str:
    """The approved and missing counts, when there are any (most plans have neither)."""
    also = [f"{t[state]} {state}" for state in ("approved", "missing") if t[state]]
    return "".join(f", {text}" for text in also)


def missing_takes(statuses: Iterable[StepStatus]) -> list[str]:
    """`? p3 take 2 is locked but not in the store`, one line per such step."""
    return [
        f"? {s.step.id} take {s.decision.selected} is locked but not in the store; "
        f"--force {s.step.id} makes it again"
        for s in statuses
        if s.decision.state == "missing"
    ]


def plan_json(plan: Plan, statuses: list[StepStatus], *, provider: str) -> dict[str, Any]:
    """The plan as JSON data (`plan --json`): stable keys, no timestamps."""
    return {
        "story": {"path": str(plan.story_path), "sha256": plan.story_sha256},
        "provider": provider,
        "steps": [
            {
                "id": s.step.id,
                "kind": s.step.kind,
                "state": s.decision.state,
                "reason": s.decision.reason,
                "key": s.decision.key,
                "selected": s.decision.selected,
                "calls": s.calls,
                "cost_usd": round(s.cost_usd, 4),
                "model": s.step.model,
                "inputs": [{"ref": i.ref, "role": i.role} for i in s.step.inputs],
                "dropped": list(s.step.dropped),
            }
            for s in statuses
        ],
        "totals": totals(statuses),
        "warnings": [w.format() for w in plan.warnings],
    }
