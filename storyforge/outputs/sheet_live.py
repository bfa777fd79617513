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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import groupby
from pathlib import Path
from threading import Event

from storyforge.compile.plan import Plan, Step
from storyforge.outputs.derived import DERIVED_DIR
from storyforge.outputs.files import OutputFile, main_image
from storyforge.outputs.results import StepResult
from storyforge.outputs.sheet import CHARACTERS, sheet_order, sheet_panel
from storyforge.outputs.sheet_bands import drawn_band
from storyforge.outputs.sheet_thumbs import COLUMNS, make_thumb, thumb_box
from storyforge.render.contact import SheetLayout, sheet_layout
from storyforge.render.contact_layout import PAGE_HEIGHT, PAGE_WIDTH, cell_width, scene_flows
from storyforge.render.thumbs import fit
from storyforge.story.models import Story

Done = tuple[Step, StepResult, tuple[OutputFile, ...]]
# The first calls' requests go out within milliseconds of each other; the headers are
# drawn after them, so the worker does not take the interpreter from those sends.
PREPARE_AFTER_S = 0.05


class LiveSheet:
    """Thumbnails and finished rows of the contact sheet, made on a worker thread."""

    def __init__(self, plan: Plan, titles: Mapping[str, str | None], out: Path, cache: Path):
        self.out, self.cache, self.titles, self.title = out, cache, titles, plan.title
        self.steps = {step.id: step for step in plan.steps}
        ordered = sheet_order(plan.steps)
        # The sheet's rows: each scene's run of panels (sheets first) cut every COLUMNS.
        self.rows: list[list[Step]] = []
        for _, group in groupby(ordered, key=_group):
            members = list(group)
            self.rows += [members[at : at + COLUMNS] for at in range(0, len(members), COLUMNS)]
        self.row_of = {step.id: n for n, row in enumerate(self.rows) for step in row}
        self.done: dict[str, Done] = {}
        self.layout = SheetLayout(PAGE_WIDTH, PAGE_HEIGHT, cell_width(COLUMNS), ())
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sheet")
        self._pending: list[Future[None]] = []
        self._prepared = False
        self._closing = Event()

    def call_started(self) -> None:
        """At the first call, queue the headers of the sheet the build should end with."""
        if not self._prepared:
            self._prepared = True
            self._pending.append(self._pool.submit(self._prepare))

    def finished(self, result: StepResult, files: tuple[OutputFile, ...]) -> None:
        """Queue the step's thumbnail, and its row once the row is complete."""
        step = self.steps[result.step_id]
        self.done[step.id] = (step, result, files)
        row = self.rows[self.row_of[step.id]] if step.id in self.row_of else []
        if not row or not all(s.id in self.done for s in row):
            if result.status != "cached":
                self._pending.append(self._pool.submit(self._thumb, files))
        elif any(self.done[s.id][1].status != "cached" for s in row):
            # A row of cached panels was drawn by the build that made them; the sheet
            # needs it again only if it changes, and then finds it kept or draws it.
            entries = [self.done[s.id] for s in row]
            self._pending.append(self._pool.submit(self._draw_row, entries))

    def close(self) -> None:
        """Wait for what is queued; anything that failed is simply drawn at the end."""
        self._closing.set()  # headers not drawn yet are drawn with the sheet, if needed
        for future in self._pending:
            future.exception()
        self._pool.shutdown()

    def _prepare(self) -> None:
        if self._closing.wait(PREPARE_AFTER_S):
            return
        steps = sheet_order(self.steps.values())
        panels = [
            sheet_panel(step, StepResult(step.id, "generated"), (), self.out, self.titles, None)
            for step in steps
        ]
        sizes = [fit((step.width, step.height), thumb_box()) for step in steps]
        layout = sheet_layout(self.title, panels, COLUMNS, sizes)
        for page in layout.pages:
            for band in page.bands:
                if band.kind in ("title", "header", "scene") and not self._closing.is_set():
                    drawn_band(band, layout, panels, self.cache)

    def _thumb(self, files: Sequence[OutputFile]) -> None:
        image = main_image(files)
        if image is not None:
            make_thumb(self.cache, image.sha256, self.out / image.path)

    def _draw_row(self, entries: Sequence[Done]) -> None:
        for _, _, files in entries:
            self._thumb(files)
        panels = [
            sheet_panel(step, result, files, self.out, self.titles, self.cache)
            for step, result, files in entries
        ]
        (flow,) = scene_flows(panels, COLUMNS)
        drawn_band(flow.rows[0], self.layout, panels, self.cache)


def _group(step: Step) -> str:
    return CHARACTERS if step.kind == "sheet" else step.scene or ""


def live_sheet(story: Story, plan: Plan, out: Path, store_root: Path) -> LiveSheet:
    """The live contact sheet of a build, its cache in the store's derived folder."""
    titles = {scene.id: scene.title for scene in story.scenes}
    return LiveSheet(plan, titles, out, store_root / DERIVED_DIR)
