"""One side of a diff: a revision's story compiled, its lock, and each step's request and image.

Keys are predicted as `plan` and `build` see them (`build.freshness`): an input's image is
the lock's selection when the lock was made for the same request, else the store's take.
A picked (or approved) take is kept over a changed request, so the steps downstream still
see its image, exactly as the build would.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from storyforge.compile.compiler import compile_plan, load_checked
from storyforge.compile.keys import canonical_request, request_key
from storyforge.compile.plan import Plan, Step
from storyforge.errors import StoryError
from storyforge.store.entries import is_hash
from storyforge.store.lock import Lock, LockEntry
from storyforge.store.objects import Store
from storyforge.story.models import Story

UNKNOWN = "?"  # stands for an input image not made yet, in a request shown for its reasons


@dataclass(frozen=True, slots=True)
class Resolved:
    """A step's request on one side and the image it resolves to."""

    key: str | None  # None: an input's image is not known until it is built
    request: dict[str, Any]  # the canonical request, UNKNOWN for images not known
    take: int
    image: str | None  # sha256 of the selected image, when known
    pinned: bool  # a picked or approved take kept over a request that changed since


@dataclass(frozen=True, slots=True)
class Side:
    """A revision of the story (or the work tree), compiled; empty when the story is absent."""

    label: str
    story: Story | None
    plan: Plan | None
    lock: Lock
    steps: Mapping[str, Resolved]
    manifest: Mapping[str, str]  # step id -> selected image sha256 in OUT/manifest.json


def is_flagged(entry: LockEntry) -> bool:
    """A take a person chose: picked, or approved where the lock has that field."""
    return entry.picked or bool(getattr(entry, "approved", False))


def load_side(label: str, path: Path | None, *, shown: str, provider: str, store: Store) -> Side:
    """Compile the story at `path` (None: absent on this side), naming it `shown` in errors."""
    if path is None:
        return Side(label, None, None, Lock(Path("story.lock")), {}, {})
    try:
        loaded = load_checked(path)
        plan = compile_plan(loaded)
        lock = Lock.beside(path)
    except StoryError as error:
        # A revision is compiled in a temporary folder: name the file as the user knows it.
        raise StoryError(
            [replace(d, file=d.file.replace(str(path), shown)) for d in error.diagnostics]
        ) from None
    steps = resolve(plan, provider=provider, store=store, lock=lock)
    return Side(label, loaded.story, plan, lock, steps, read_manifest(path.parent / "out"))


def resolve(plan: Plan, *, provider: str, store: Store, lock: Lock) -> dict[str, Resolved]:
    """Every step's request and image, in dependency order."""
    images: dict[str, str | None] = {}
    out: dict[str, Resolved] = {}
    for step in plan.steps:
        shas = [i.sha256 if i.source == "file" else images.get(i.ref) for i in step.inputs]
        known = [sha for sha in shas if sha]
        request = canonical_request(provider, step, [sha or UNKNOWN for sha in shas])
        key = request_key(provider, step, known) if len(known) == len(shas) else None
        resolved = _resolved(step, key, request, lock.get(step.id), store)
        images[step.id] = resolved.image
        out[step.id] = resolved
    return out


def _resolved(
    step: Step, key: str | None, request: dict[str, Any], entry: LockEntry | None, store: Store
) -> Resolved:
    if entry and key is not None and entry.key == key and entry.take <= step.takes:
        image = entry.sha256 or _stored(store, key, entry.take)
        return Resolved(key, request, entry.take, image, False)
    if entry and is_flagged(entry) and entry.sha256:
        return Resolved(key, request, entry.take, entry.sha256, True)
    image = _stored(store, key, 1) if key else None
    return Resolved(key, request, 1, image, False)


def _stored(store: Store, key: str, take: int) -> str | None:
    entry = store.get_entry(key, take)
    return entry.outputs[0].sha256 if entry and entry.outputs else None


def read_manifest(out: Path) -> dict[str, str]:
    """Step id -> sha256 of its selected image, from OUT/manifest.json; {} when unusable.

    The manifest may come from anyone's commit, so every value is checked for its form.
    """
    try:
        data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        steps = data["steps"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(steps, list):
        return {}
    found = (_selected(step) for step in steps if isinstance(step, dict))
    return {sid: sha for sid, sha in found if sid and sha}


def _selected(step: dict[str, Any]) -> tuple[str, str]:
    outputs, selected = step.get("outputs"), step.get("selected")
    if not isinstance(outputs, list):
        return "", ""
    for output in outputs:
        if isinstance(output, dict) and output.get("take") == selected:
            sha = output.get("sha256")
            return str(step.get("id") or ""), str(sha) if is_hash(sha) else ""
    return "", ""
