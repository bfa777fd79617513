"""`storyforge pick`: select which take of a step the story uses, recorded in story.lock."""

from __future__ import annotations

from dataclasses import dataclass

from storyforge.build.status import predict
from storyforge.compile.plan import Plan
from storyforge.diagnostics import did_you_mean
from storyforge.errors import UsageError
from storyforge.store.lock import Lock, LockEntry
from storyforge.store.objects import Store


@dataclass(frozen=True, slots=True)
class PickResult:
    """What a pick changed."""

    step_id: str
    take: int
    generated: bool  # the take exists in the store already
    downstream: tuple[str, ...]  # steps whose inputs change with the pick


def pick(
    plan: Plan, step_id: str, take: int, *, provider: str, store: Store, lock: Lock
) -> PickResult:
    """Record take `take` of `step_id` for the step's current request, and save the lock.

    A take not generated yet is recorded too: the next build makes it and selects it.
    """
    if step_id not in plan:
        ids = [s.id for s in plan.steps]
        raise UsageError(f"no step '{step_id}' in {plan.story_path}{did_you_mean(step_id, ids)}")
    step = plan.step(step_id)
    if not 1 <= take <= step.takes:
        raise UsageError(
            f"{step_id} has {step.takes} take{'s' if step.takes != 1 else ''}; "
            f"pick one from 1 to {step.takes} (or raise `takes:` in the story)"
        )
    status = {s.step.id: s for s in predict(plan, provider=provider, store=store, lock=lock)}
    decision = status[step_id].decision
    if decision.key is None:
        raise UsageError(
            f"{step_id} cannot be picked yet: {decision.reason}; run storyforge build first"
        )
    entry = store.get_entry(decision.key, take)
    sha = entry.outputs[0].sha256 if entry and entry.outputs else None
    lock.record(step_id, LockEntry(decision.key, take, sha, picked=True))
    lock.save()
    downstream = tuple(s.id for s in plan.steps if s.id in plan.descendants([step_id]) - {step_id})
    return PickResult(step_id, take, sha is not None, downstream)
