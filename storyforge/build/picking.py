"""`storyforge pick`, `approve` and `unapprove`: choose and pin takes, recorded in the lock.

A pick or an approval pins a take: no later build regenerates it because something
upstream changed (plan shows it with `!`); `--force STEP` or `unapprove` releases it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

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
    """Record take `take` of `step_id`, pinned, and save the lock.

    The take is that of the request the step was last built for when the store has it
    (whatever the next build will do upstream), else that of its current request; a
    take not generated yet is recorded too: the next build makes it and selects it.
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
    key = _key_for(plan, step_id, take, provider=provider, store=store, lock=lock)
    entry = store.get_entry(key, take)
    sha = entry.outputs[0].sha256 if entry and entry.outputs else None
    old = lock.get(step_id)
    lock.record(step_id, LockEntry(key, take, sha, True, bool(old and old.approved)))
    lock.save()
    downstream = tuple(s.id for s in plan.steps if s.id in plan.descendants([step_id]) - {step_id})
    return PickResult(step_id, take, sha is not None, downstream)


def _key_for(
    plan: Plan, step_id: str, take: int, *, provider: str, store: Store, lock: Lock
) -> str:
    old = lock.get(step_id)
    if old is not None and store.get_entry(old.key, take) is not None:
        return old.key  # the takes the user has seen in OUT
    status = {s.step.id: s for s in predict(plan, provider=provider, store=store, lock=lock)}
    key = status[step_id].decision.key or (old.key if old else None)
    if key is None:
        raise UsageError(
            f"{step_id} was never built, so it has no takes yet; run storyforge build first"
        )
    return key


def approve(step_ids: Iterable[str], *, lock: Lock) -> tuple[list[str], list[str]]:
    """Pin each step's selected take; (approved, not built yet). Saves the lock."""
    done, unbuilt = [], []
    for step_id in step_ids:
        entry = lock.get(step_id)
        if entry is None or entry.sha256 is None:
            unbuilt.append(step_id)
            continue
        lock.record(step_id, replace(entry, approved=True))
        done.append(step_id)
    lock.save()
    return done, unbuilt


def unapprove(step_ids: Iterable[str], *, lock: Lock) -> list[str]:
    """Release each step's pin (approval and pick); the steps released. Saves the lock."""
    released = []
    for step_id in step_ids:
        entry = lock.get(step_id)
        if entry is not None and entry.pinned:
            lock.record(step_id, replace(entry, approved=False, picked=False))
            released.append(step_id)
    lock.save()
    return released
