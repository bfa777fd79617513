"""OUT/contact_sheet.png from a build's results: every panel in story order, with its status.

Character sheets come first, as their own group, so a turnaround can be checked beside
the panels that follow it. A panel shows as generated whether this build made it or
found it in the store: the sheet shows the story's state, not one run's, so a no-op
rebuild leaves it as it was. Drawing a sheet of a thousand panels takes seconds, so it
is redrawn only when what it shows changed (a fingerprint of its panels: ids, texts,
statuses, image hashes, kept in `OUT/.contact_sheet.sha256` with the page count) or a
page has gone missing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from storyforge import __version__
from storyforge.compile.plan import Plan, Step
from storyforge.errors import StoreError
from storyforge.outputs.derived import DerivedContext
from storyforge.outputs.files import OutputFile, main_image
from storyforge.outputs.results import StepResult
from storyforge.outputs.sheet_pages import page_path, render_contact_sheet
from storyforge.outputs.sheet_rows import CHARACTERS, sheet_order
from storyforge.outputs.sheet_thumbs import thumb_path
from storyforge.render.contact_panel import SheetPanel
from storyforge.store.fsutil import atomic_write_text

SHEET_NAME = "contact_sheet.png"
STAMP_NAME = ".contact_sheet.sha256"


def write_sheet_output(context: DerivedContext) -> list[Path]:
    """The contact sheet as a derived output: its pages under OUT."""
    titles = {scene.id: scene.title for scene in context.story.scenes}
    return write_contact_sheet(
        context.plan, titles, context.results, context.files, context.out, thumbs=context.cache
    )


def write_contact_sheet(
    plan: Plan,
    scene_titles: Mapping[str, str | None],
    results: Mapping[str, StepResult],
    files: Mapping[str, tuple[OutputFile, ...]],
    out: Path,
    *,
    thumbs: Path | None = None,
) -> list[Path]:
    """Draw every built step in story order, sheets first; failures show their reason.

    `thumbs`: the derived cache, whose thumbnails (`sheet_thumbs`) stand in for the images
    and whose bands drawn during the build (`sheet_live`) are used again. Returns every
    page's path, drawn now or kept from an earlier build that showed the same.
    """
    steps = sheet_order(s for s in plan.steps if s.id in results)
    panels = [
        sheet_panel(step, results[step.id], files.get(step.id, ()), out, scene_titles, thumbs)
        for step in steps
    ]
    path, stamp = out / SHEET_NAME, out / STAMP_NAME
    shown = _fingerprint(plan.title, panels, files)
    try:
        pages = _current(path, stamp, shown)
        if pages is None:
            pages = render_contact_sheet(plan.title, panels, path, bands=thumbs)
            atomic_write_text(stamp, f"{shown}\n{len(pages)}\n")
    except OSError as error:
        raise StoreError(f"cannot write {path}: {error.strerror or error}") from error
    return pages


def sheet_panel(
    step: Step,
    result: StepResult,
    files: Sequence[OutputFile],
    out: Path,
    scene_titles: Mapping[str, str | None],
    thumbs: Path | None,
) -> SheetPanel:
    """What the sheet shows of one step."""
    image = main_image(files)
    is_sheet = step.kind == "sheet"
    return SheetPanel(
        step_id=step.id,
        scene_id=CHARACTERS if is_sheet else step.scene or "",
        scene_title="Character sheets" if is_sheet else scene_titles.get(step.scene or ""),
        shot=_shot(step, result),
        caption=step.caption,
        dialogue=step.dialogue,
        # The story's state, as the manifest says it: whether this run made it is not shown.
        status="ok" if result.status in ("generated", "cached") else result.status,
        reason=result.reason,
        image_path=_picture(out, image, thumbs) if image else None,
    )


def _shot(step: Step, result: StepResult) -> str | None:
    """The shot, and which take the sheet shows when the step has several."""
    if step.takes < 2 or result.selected is None:
        return step.shot
    shown = f"take {result.selected} of {step.takes}"
    return f"{step.shot} · {shown}" if step.shot else shown


def _picture(out: Path, image: OutputFile, thumbs: Path | None) -> Path:
    if thumbs is not None and (thumb := thumb_path(thumbs, image.sha256)).is_file():
        return thumb
    return out / image.path


def _current(path: Path, stamp: Path, shown: str) -> list[Path] | None:
    """The pages on disk when they show `shown` and every one is there, else None."""
    try:
        fingerprint, count = stamp.read_text("utf-8").split()
    except (OSError, ValueError):
        return None
    pages = [page_path(path, n) for n in range(1, int(count) + 1)] if count.isdigit() else []
    current = fingerprint == shown and bool(pages) and all(p.is_file() for p in pages)
    return pages if current else None


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
