"""The contact sheet drawn while the build runs: each row as soon as its panels are done.

The build tells `LiveSheet` of every finished step. On one worker thread it shrinks the
step's image into its thumbnail (`sheet_thumbs`) and, once every panel of a row of the
sheet has finished, draws and compresses that row into the band cache (`sheet_bands`).
When the calls are over, the sheet's pages are assembled from those bands and only the
page headers, scene headers and feet are drawn: the sheet costs the build little more
than its last row. A row whose panels end up different (a retried step, another
`--only`) simply misses the cache and is drawn with the rest.

Once the first call is out, the worker also draws the page and scene headers the sheet
will have if every step succeeds at its expected size: those bands wait in the cache,
and a build that ends otherwise draws its own at the end, as before.

This module follows the rows only; the drawing (`sheet_worker`, with Pillow's drawing
and the fonts) is imported on the worker, so it costs nothing before the first request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from threading import Event
from types import ModuleType
from typing import TYPE_CHECKING

from storyforge.compile.plan import Plan
from storyforge.outputs.derived import DERIVED_DIR
from storyforge.outputs.files import OutputFile
from storyforge.outputs.results import StepResult
from storyforge.outputs.sheet_rows import sheet_rows
from storyforge.story.models import Story

if TYPE_CHECKING:
    from storyforge.outputs.sheet_worker import Done

# The first calls' requests go out within milliseconds of each other; the headers are
# drawn after them, so the worker does not take the interpreter from those sends.
PREPARE_AFTER_S = 0.05


class LiveSheet:
    """Thumbnails and finished rows of the contact sheet, made on a worker thread."""

    def __init__(self, plan: Plan, titles: Mapping[str, str | None], out: Path, cache: Path):
        self.plan, self.out, self.cache, self.titles = plan, out, cache, titles
        self.steps = {step.id: step for step in plan.steps}
        self.rows = sheet_rows(plan.steps)
        self.row_of = {step.id: n for n, row in enumerate(self.rows) for step in row}
        self.done: dict[str, Done] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sheet")
        self._pending: list[Future[None]] = []
        self._prepared = False
        self._closing = Event()

    def call_started(self) -> None:
        """At the first call, queue the headers of the sheet the build should end with."""
        if not self._prepared:
            self._prepared = True
            self._submit(self._prepare)

    def finished(self, result: StepResult, files: tuple[OutputFile, ...]) -> None:
        """Queue the step's thumbnail, and its row once the row is complete."""
        step = self.steps[result.step_id]
        self.done[step.id] = (step, result, files)
        row = self.rows[self.row_of[step.id]] if step.id in self.row_of else []
        if not row or not all(s.id in self.done for s in row):
            if result.status != "cached":
                self._submit(lambda: _worker().thumb(files, self.out, self.cache))
        elif any(self.done[s.id][1].status != "cached" for s in row):
            # A row of cached panels was drawn by the build that made them; the sheet
            # needs it again only if it changes, and then finds it kept or draws it.
            entries = [self.done[s.id] for s in row]
            self._submit(lambda: _worker().draw_row(entries, self.out, self.titles, self.cache))

    def close(self) -> None:
        """Wait for what is queued; anything that failed is simply drawn at the end."""
        self._closing.set()  # headers not drawn yet are drawn with the sheet, if needed
        for future in self._pending:
            future.exception()
        self._pool.shutdown()

    def _submit(self, work: Callable[[], None]) -> None:
        self._pending.append(self._pool.submit(work))

    def _prepare(self) -> None:
        if not self._closing.wait(PREPARE_AFTER_S):
            _worker().draw_forecast_headers(
                self.plan.steps, self.plan.title, self.titles, self.out, self.cache,
                self._closing.is_set,
            )  # fmt: skip


def _worker() -> ModuleType:
    # Imported on the worker thread, when it first has something to draw: the drawing
    # loads Pillow's drawing and the fonts, ~10 ms that would otherwise come before the
    # build's first request.
    from storyforge.outputs import sheet_worker

    return sheet_worker


def live_sheet(story: Story, plan: Plan, out: Path, store_root: Path) -> LiveSheet:
    """The live contact sheet of a build, its cache in the store's derived folder."""
    titles = {scene.id: scene.title for scene in story.scenes}
    return LiveSheet(plan, titles, out, store_root / DERIVED_DIR)
