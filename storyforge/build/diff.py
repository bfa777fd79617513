"""`storyforge diff`: two revisions of a story compiled, steps matched by id and classified.

Each step present on both sides is, first that applies: approved but stale (its request
changed under a pick), regenerated (its request changed: the reason names the field or
input), take switched, re-lettered (lettering or layout only: no call), moved, unchanged.
Steps on one side only are added or removed. The cost is what building the head would
take now, predicted from the store and the head's lock as `plan` does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from storyforge.build.diff_fields import lettering_changes, moves, story_changes
from storyforge.build.diff_git import Revision, checkout, repository_prefix, resolve_revision
from storyforge.build.diff_sides import Resolved, Side, is_flagged, load_side
from storyforge.build.status import StepStatus, predict
from storyforge.compile.costs import FREE_PROVIDERS, estimate_call_usd
from storyforge.compile.keys import describe_change
from storyforge.compile.plan import Step
from storyforge.store.objects import Store

Change = Literal[
    "regenerated", "stale", "take-switched", "relettered", "moved", "added", "removed",
    "unchanged",
]  # fmt: skip
CHANGES: tuple[Change, ...] = (
    "regenerated", "stale", "take-switched", "relettered", "moved", "added", "removed",
    "unchanged",
)  # fmt: skip
REFERENCE_PROVIDER = "gemini"  # what a free provider's calls would cost for real


@dataclass(frozen=True, slots=True)
class StepDiff:
    """How one step differs between the sides; images are sha256 of store objects."""

    id: str
    change: Change
    detail: str = ""
    before: str | None = None
    after: str | None = None
    moved: str = ""
    calls: int = 0


@dataclass(frozen=True, slots=True)
class StoryDiff:
    """The whole comparison, in the head's step order and then the removed steps."""

    story: str
    title: str
    base: str
    head: str
    provider: str
    steps: tuple[StepDiff, ...]
    calls: int = 0
    cost_usd: float = 0.0
    reference_usd: float | None = None  # at Gemini's prices, when the provider is free
    counts: Counter[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", Counter(s.change for s in self.steps))

    @property
    def differs(self) -> bool:
        """Whether anything but unchanged steps was found (exit 1, as `git diff`)."""
        return any(s.change != "unchanged" for s in self.steps)


def diff_story(story: Path, base_ref: str, head_ref: str | None, *, provider: str) -> StoryDiff:
    """Compare the story at `base_ref` with `head_ref` (None: the work tree)."""
    folder = story.parent.resolve()
    prefix = repository_prefix(folder)
    store = Store.beside(story)
    base = resolve_revision(folder, base_ref)
    head = resolve_revision(folder, head_ref) if head_ref is not None else None
    old = _load(story, base, prefix=prefix, provider=provider, store=store)
    new = _load(story, head, prefix=prefix, provider=provider, store=store)
    return compare(old, new, provider=provider, store=store, story=str(story))


def _load(
    story: Path, revision: Revision | None, *, prefix: str, provider: str, store: Store
) -> Side:
    if revision is None:
        return load_side("the work tree", story, shown=str(story), provider=provider, store=store)
    shown = f"{revision.ref}:{prefix}{story.name}"
    # The copy is only read while compiling: the side keeps what it needs in memory.
    with checkout(story, revision) as path:
        return load_side(revision.label, path, shown=shown, provider=provider, store=store)


def compare(old: Side, new: Side, *, provider: str, store: Store, story: str) -> StoryDiff:
    """Classify every step of two compiled sides."""
    statuses = predict(new.plan, provider=provider, store=store, lock=new.lock) if new.plan else []
    calls = {s.step.id: s.calls for s in statuses}
    moved = moves(old.story, new.story)
    changes: dict[str, Change] = {}
    rows: list[StepDiff] = []
    for step in new.plan.steps if new.plan else ():
        if step.id in old.steps:
            row = _classify(step, old, new, changes, moved.get(step.id, ""))
        else:
            row = StepDiff(step.id, "added", f"not in {old.label}", None, new.steps[step.id].image)
        row = _with_calls(row, calls.get(step.id, 0))
        changes[step.id] = row.change
        rows.append(row)
    rows += [
        StepDiff(sid, "removed", f"not in {new.label}", _before(old, sid))
        for sid in old.steps
        if sid not in changes
    ]
    plan = new.plan or old.plan
    title = plan.title if plan else ""
    return StoryDiff(
        story, title, old.label, new.label, provider, tuple(rows),
        calls=sum(calls.values()), cost_usd=round(sum(s.cost_usd for s in statuses), 4),
        reference_usd=_reference(statuses, provider),
    )  # fmt: skip


def _with_calls(row: StepDiff, calls: int) -> StepDiff:
    if not calls or row.change not in ("regenerated", "added"):
        return row
    return StepDiff(row.id, row.change, row.detail, row.before, row.after, row.moved, calls)


def _reference(statuses: list[StepStatus], provider: str) -> float | None:
    if provider.split("@")[0] not in FREE_PROVIDERS:
        return None
    total = sum(s.calls * estimate_call_usd(s.step, REFERENCE_PROVIDER) for s in statuses)
    return round(total, 4)


def _classify(step: Step, old: Side, new: Side, changes: dict[str, Change], moved: str) -> StepDiff:
    b, h = old.steps[step.id], new.steps[step.id]
    before, after = _before(old, step.id), h.image
    if _request_changed(step, b, h, changes):
        why = _why(step, old, new)
        entry = new.lock.get(step.id)
        if entry and is_flagged(entry) and entry.key != h.key:
            chose = "picked" if entry.picked else "approved"
            why = (
                f"take {entry.take} was {chose} for an earlier request: {why}; "
                f"pick a take again, or build --force {step.id}"
            )
            return StepDiff(step.id, "stale", why, before, after, moved)
        return StepDiff(step.id, "regenerated", why, before, after if h.key else None, moved)
    after = after or before
    if b.take != h.take:
        return StepDiff(step.id, "take-switched", f"take {b.take} → {h.take}", before, after, moved)
    lettered = lettering_changes(old.story, new.story, step.id)
    if lettered:
        what = f"{', '.join(lettered)} changed; no call"
        return StepDiff(step.id, "relettered", what, before, after, moved)
    if moved:
        return StepDiff(step.id, "moved", moved, before, after, moved)
    return StepDiff(step.id, "unchanged", "", before, after)


def _request_changed(step: Step, b: Resolved, h: Resolved, changes: dict[str, Change]) -> bool:
    if b.key and h.key:
        return b.key != h.key
    # An image not known yet on a side: the request as far as it is known, and whether
    # an input is itself regenerated, tell.
    upstream = (changes.get(ref) in ("regenerated", "added") for ref in step.step_inputs)
    return b.request != h.request or any(upstream)


def _why(step: Step, old: Side, new: Side) -> str:
    h = new.steps[step.id]
    unknown = [ref for ref in step.step_inputs if new.steps[ref].image is None]
    if h.key is None and unknown:
        why = f"input {unknown[0]} will be regenerated"
    else:
        why = describe_change(old.steps[step.id].request, h.request)
    hints = story_changes(old.story, new.story, step.id)
    return why + (f" ({', '.join(hints)})" if hints else "")


def _before(old: Side, step_id: str) -> str | None:
    """The base's image: its lock's selection, else its manifest's, else the store's."""
    entry = old.lock.get(step_id)
    if entry and entry.sha256:
        return entry.sha256
    return old.manifest.get(step_id) or old.steps[step_id].image
