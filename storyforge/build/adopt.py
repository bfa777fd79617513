"""A fresh clone keeps its picks: images committed in OUT that the lock names go into the store.

`.storyforge/` is not committed, `story.lock` and often `out/` are. An image in OUT whose
sha256 the manifest lists for the request the lock records is exactly the answer that
request got, so it is taken into the store (bytes checked against the hash) with an index
entry, and plan and build find it cached instead of paying to roll it again.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable
from pathlib import Path

from storyforge.build.calls import entry_for_object
from storyforge.build.recorder import MANIFEST_NAME
from storyforge.build.status import StepStatus, missing_takes
from storyforge.errors import UsageError
from storyforge.outputs.manifest import StepRecord, load_manifest
from storyforge.store.lock import Lock
from storyforge.store.objects import Store

MAX_ADOPT_BYTES = 64 << 20  # no image the API sends comes near this


def adopt_out(out: Path, store: Store, lock: Lock) -> int:
    """Take OUT's images of the locked requests into the store; how many were taken."""
    steps = _manifest_steps(out)
    taken, fresh = 0, set[str]()  # fresh: the objects taken from OUT by this call
    for step_id, locked in lock.entries.items():
        record = steps.get(step_id)
        if record is None or record.key != locked.key or locked.sha256 is None:
            continue
        seen: set[int] = set()
        for output in record.outputs:
            if output.take in seen:
                continue  # the extra images of one answer stay with the first
            seen.add(output.take)
            # Only an image taken from OUT gets an index entry: an entry damaged in a store
            # that still has its object is a miss like any other, and made again.
            if _adopt(out, store, output.path, output.sha256):
                taken += 1
                fresh.add(output.sha256)
            if output.sha256 in fresh and store.get_entry(locked.key, output.take) is None:
                store.put_entry(entry_for_object(store, locked.key, output.take, output.sha256))
    return taken


def refuse_lost_takes(statuses: Iterable[StepStatus], story: str) -> None:
    """UsageError (exit 2) naming every locked take found nowhere: never re-rolled silently."""
    lost = missing_takes(statuses)
    if lost:
        raise UsageError(
            f"{story}: {'; '.join(line.removeprefix('? ') for line in lost)} "
            "(copy the lock's out/ or .storyforge/ here, or force the steps to make them again)"
        )


def _manifest_steps(out: Path) -> dict[str, StepRecord]:
    try:
        manifest = load_manifest((out / MANIFEST_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return {}  # no manifest, or not one of ours: nothing to adopt
    return {step.id: step for step in manifest.steps}


def _adopt(out: Path, store: Store, rel: str, sha: str) -> bool:
    if store.has_object(sha):
        return False
    if Path(rel).is_absolute() or ".." in Path(rel).parts:
        return False  # a committed manifest names files inside OUT only
    path = out / rel
    with contextlib.suppress(OSError):
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_ADOPT_BYTES:
            return False
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() == sha:
            store.put_object(data)
            return True
    return False
