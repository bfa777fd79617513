"""`OUT/takes.png`: every take of the story's multi-take steps side by side, for picking.

Drawn from the images already in OUT (never re-encoding them: the page is a new image),
rewritten only when its bytes change, and absent when no step has more than one take.
"""

from __future__ import annotations

from pathlib import Path

from storyforge.outputs.derived import DerivedContext
from storyforge.render.takes_page import TakesRow, draw_takes_page
from storyforge.store.fsutil import atomic_writer

TAKES_PAGE = "takes.png"


def write_takes(context: DerivedContext) -> list[Path]:
    """Write OUT/takes.png when a step has several takes; the files written or kept."""
    rows = [row for step in context.plan.steps if (row := _row(context, step.id)) is not None]
    if not rows:
        return []
    data = draw_takes_page(rows)
    path = context.out / TAKES_PAGE
    try:
        unchanged = path.read_bytes() == data
    except OSError:
        unchanged = False
    if not unchanged:
        with atomic_writer(path, durable=False) as out:
            out.write(data)
    return [path]


def _row(context: DerivedContext, step_id: str) -> TakesRow | None:
    step = context.plan.step(step_id)
    if step.takes < 2:
        return None
    files = context.files.get(step_id, ())
    firsts = {f.take: context.out / f.path for f in reversed(files)}  # a take's first image
    result = context.results.get(step_id)
    selected = result.selected if result is not None else None
    takes = tuple((take, firsts.get(take)) for take in range(1, step.takes + 1))
    return TakesRow(step_id, selected, takes)
