"""The story's last known state: what the previous manifest says of steps this run does not build.

`build --only`, a failed run and an interrupted one build part of the story; the manifest
and the contact sheet must still describe all of it. A step this run does not reach keeps
its record from OUT/manifest.json, its images read back from the store (or from OUT's own
copies when the store lacks them), so OUT and the manifest stay whole.
"""

from __future__ import annotations

from pathlib import Path

from storyforge.build.calls import entry_for_object
from storyforge.compile.plan import Plan
from storyforge.errors import StoreError
from storyforge.outputs.files import OutputFile
from storyforge.outputs.manifest import Manifest, StepRecord, load_manifest
from storyforge.outputs.results import StepResult
from storyforge.store.objects import Entry, Store

MANIFEST_NAME = "manifest.json"


def previous_manifest(out: Path) -> Manifest | None:
    """OUT/manifest.json as the last build left it; None when absent or not one of ours."""
    try:
        return load_manifest((out / MANIFEST_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def last_results(plan: Plan, manifest: Manifest | None, store: Store) -> dict[str, StepResult]:
    """A result per step of the plan that the manifest records, as that build left it."""
    if manifest is None:
        return {}
    found: dict[str, StepResult] = {}
    for record in manifest.steps:
        if record.id in plan:
            result = _result(plan, record, store)
            if result is not None:
                found[record.id] = result
    return found


def last_files(manifest: Manifest | None) -> dict[str, tuple[OutputFile, ...]]:
    """The files of OUT that the manifest lists, per step."""
    if manifest is None:
        return {}
    return {
        record.id: tuple(
            OutputFile(o.take, o.path, o.sha256, o.width, o.height, o.mime_type)
            for o in record.outputs
        )
        for record in manifest.steps
    }


def _result(plan: Plan, record: StepRecord, store: Store) -> StepResult | None:
    step = plan.step(record.id)
    shas = tuple(i.sha256 for i in record.inputs)
    inputs = shas if len(shas) == len(step.inputs) else ()
    if record.status in ("failed", "blocked", "skipped"):
        return StepResult(record.id, record.status, record.key, reason=record.error or "")
    chosen = [o for o in record.outputs if o.take == record.selected]
    if not record.key or not chosen:
        return None
    takes = _entries(store, record)
    if takes is None:
        return None  # its images are in no store: the step is simply left out
    return StepResult(
        record.id, "cached", key=record.key, selected=record.selected,
        output_sha=chosen[0].sha256, takes=takes, input_sha=inputs,
    )  # fmt: skip


def _entries(store: Store, record: StepRecord) -> tuple[Entry, ...] | None:
    entries: list[Entry] = []
    key = record.key or ""
    for take in sorted({o.take for o in record.outputs}):
        entry = store.get_entry(key, take)
        if entry is None:
            sha = next(o.sha256 for o in record.outputs if o.take == take)
            try:
                entry = entry_for_object(store, key, take, sha)
            except (OSError, StoreError):
                return None
        entries.append(entry)
    return tuple(entries)
