"""Whether a step's output can be reused: the one rule that `plan` predicts and `build` obeys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from storyforge.compile.keys import canonical_request, describe_change, request_key
from storyforge.compile.plan import Step
from storyforge.store.lock import Lock, LockEntry
from storyforge.store.objects import Store

State = Literal["new", "changed", "cached", "stale", "approved", "missing"]


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one step.

    `key` is None while an input is still to be (re)generated: the key is then known only
    at build time. `output_sha` is the selected take's image when it is already known
    (cached or pinned by a pick), so the keys downstream can be predicted.
    """

    step_id: str
    state: State
    key: str | None
    reason: str
    selected: int
    missing: tuple[int, ...]  # take numbers that need a call
    output_sha: str | None


def decide(
    step: Step,
    input_sha: Sequence[str | None],
    *,
    provider: str,
    store: Store,
    lock: Lock,
    force: bool = False,
) -> Decision:
    """Decide a step from its inputs' hashes (None: that input will be regenerated)."""
    entry = lock.get(step.id)
    unknown = [i.ref for i, sha in zip(step.inputs, input_sha, strict=True) if sha is None]
    if not force and entry is not None and entry.sha256:
        kept = _kept(step, entry, input_sha, unknown, provider=provider, store=store)
        if kept is not None:
            return kept
    if unknown:
        state: State = "changed" if entry else "new"
        why = f"input {unknown[0]} will be regenerated" if entry else ""
        return Decision(step.id, state, None, why, 1, tuple(range(1, step.takes + 1)), None)
    shas = [sha for sha in input_sha if sha is not None]
    key = request_key(provider, step, shas)
    selected = entry.take if entry and entry.key == key and entry.take <= step.takes else 1
    if force:
        everything = tuple(range(1, step.takes + 1))
        return Decision(
            step.id, "changed" if entry else "new", key, "forced", selected, everything, None
        )
    entries = {t: store.get_entry(key, t) for t in range(1, step.takes + 1)}
    missing = tuple(t for t, found in entries.items() if found is None)
    chosen = entries[selected]  # each index file read once: plan reads thousands
    output_sha = chosen.outputs[0].sha256 if chosen and chosen.outputs else None
    if not missing:
        return Decision(step.id, "cached", key, "", selected, (), output_sha)
    state, why = _state(entry, key, output_sha, len(missing))
    if state == "changed" and entry:
        why = _why(store, entry.key, provider, step, shas)
    return Decision(step.id, state, key, why, selected, missing, output_sha)


def _kept(
    step: Step,
    entry: LockEntry,
    input_sha: Sequence[str | None],
    unknown: Sequence[str],
    *,
    provider: str,
    store: Store,
) -> Decision | None:
    """A take pinned by a person (picked or approved): kept, or refused when found nowhere.

    A pinned take stays whatever happens upstream, also while an input is still to be
    regenerated, so plan and build agree on it before the build knows the new key. A
    pinned image that is in no store is never silently re-rolled. A take nobody chose
    is the lock's record of the last build only: a damaged store makes it again.
    """
    shas = [sha for sha in input_sha if sha is not None]
    key = None if unknown else request_key(provider, step, shas)
    if not entry.pinned:
        return None  # the lock's record of the last build: reused by key, or made again
    if not store.has_object(entry.sha256 or ""):
        why = f"take {entry.take} is locked but not in the store; --force {step.id} makes it again"
        return Decision(step.id, "missing", key, why, entry.take, (), entry.sha256)
    if key == entry.key:
        return None
    change = (
        f"input {unknown[0]} changed" if unknown else _why(store, entry.key, provider, step, shas)
    )
    if entry.approved:
        why = f"{change}; --force {step.id} or storyforge unapprove {step.id} releases it"
        return Decision(step.id, "approved", key, why, entry.take, (), entry.sha256)
    why = (
        f"take {entry.take} was picked for an earlier request ({change}); "
        f"--force {step.id} regenerates it, or pick a take again"
    )
    return Decision(step.id, "stale", key, why, entry.take, (), entry.sha256)


def _state(entry: LockEntry | None, key: str, output_sha: str | None, n: int) -> tuple[State, str]:
    if entry is None:
        return "new", ""
    if entry.key == key:
        return "new", "not in the store" if output_sha is None else f"{n} more take(s)"
    return "changed", ""


def _why(store: Store, old_key: str, provider: str, step: Step, shas: Sequence[str]) -> str:
    old = store.get_request(old_key)
    if old is None:
        return "request changed"
    return describe_change(old, canonical_request(provider, step, shas))
