"""OUT/contact_sheet.png from a build's results: every panel in story order, with its status."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from storyforge.errors import StoreError
from storyforge.outputs import OutputFile
from storyforge.plan import Plan
from storyforge.render.contact import SheetPanel, render_contact_sheet
from storyforge.results import StepResult

SHEET_NAME = "contact_sheet.png"


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
    path = out / SHEET_NAME
    try:
        render_contact_sheet(plan.title, panels, path)
    except OSError as error:
        raise StoreError(f"cannot write {path}: {error.strerror or error}") from error
    return path
