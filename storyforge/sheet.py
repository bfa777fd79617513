"""OUT/contact_sheet.png from a build's results: every panel in story order, with its status.

Drawing a sheet of a thousand panels takes seconds, so the sheet is redrawn only when
what it shows changed: a fingerprint of its panels (ids, texts, statuses, image hashes)
is kept beside it in `OUT/.contact_sheet.sha256`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from storyforge import __version__
from storyforge.errors import StoreError
from storyforge.fsutil import atomic_write_text
from storyforge.outputs import OutputFile
from storyforge.plan import Plan
from storyforge.render.contact import SheetPanel, render_contact_sheet
from storyforge.results import StepResult

SHEET_NAME = "contact_sheet.png"
STAMP_NAME = ".contact_sheet.sha256"


def write_contact_sheet(
    plan: Plan,
    scene_titles: Mapping[str, str | None],
    results: Mapping[str, StepResult],
    files: Mapping[str, tuple[OutputFile, ...]],
    out: Path,
) -> Path:
    """Draw every built non-sheet step in story order; failures show their reason."""
    steps = sorted(
        (s for s in plan.steps if s.kind != "sheet" and s.id in results),
        key=lambda s: (s.line, s.column),
    )
    panels = []
    for step in steps:
        result = results[step.id]
        image = next((f for f in files.get(step.id, ()) if "/" not in f.path), None)
        panels.append(
            SheetPanel(
                step_id=step.id,
                scene_id=step.scene or "",
                scene_title=scene_titles.get(step.scene or ""),
                shot=step.shot,
                caption=step.caption,
                dialogue=step.dialogue,
                status=result.status,
                reason=result.reason,
                image_path=out / image.path if image else None,
            )
        )
    path, stamp = out / SHEET_NAME, out / STAMP_NAME
    shown = _fingerprint(plan.title, panels, files)
    try:
        if not (path.is_file() and stamp.is_file() and stamp.read_text("utf-8") == shown):
            render_contact_sheet(plan.title, panels, path)
            atomic_write_text(stamp, shown)
    except OSError as error:
        raise StoreError(f"cannot write {path}: {error.strerror or error}") from error
    return path


def _fingerprint(
    title: str, panels: list[SheetPanel], files: Mapping[str, tuple[OutputFile, ...]]
) -> str:
    shas = {sid: [f.sha256 for f in found] for sid, found in files.items()}
    rows = [
        [p.step_id, p.scene_id, p.scene_title, p.shot, p.caption, p.dialogue, p.status, p.reason,
         shas.get(p.step_id, [])]
        for p in panels
    ]  # fmt: skip
    data = json.dumps([__version__, title, rows], sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()
