"""What the live contact sheet's worker thread draws: thumbnails, finished rows, headers.

Each function here runs on `sheet_live`'s worker, which imports this module only once
the build's first call is out or its first image is in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from storyforge.compile.plan import Step
from storyforge.outputs.files import OutputFile, main_image
from storyforge.outputs.results import StepResult
from storyforge.outputs.sheet import sheet_panel
from storyforge.outputs.sheet_bands import drawn_band
from storyforge.outputs.sheet_rows import COLUMNS, sheet_order
from storyforge.outputs.sheet_thumbs import make_thumb, thumb_box
from storyforge.render.contact import SheetLayout, sheet_layout
from storyforge.render.contact_layout import PAGE_HEIGHT, PAGE_WIDTH, cell_width, scene_flows
from storyforge.render.thumbs import fit

Done = tuple[Step, StepResult, tuple[OutputFile, ...]]
Titles = Mapping[str, str | None]


def thumb(files: Sequence[OutputFile], out: Path, cache: Path) -> None:
    """The thumbnail of a step's image, unless it has one already."""
    image = main_image(files)
    if image is not None:
        make_thumb(cache, image.sha256, out / image.path)


def draw_row(entries: Sequence[Done], out: Path, titles: Titles, cache: Path) -> None:
    """Draw a finished row of the sheet into the band cache, its thumbnails first."""
    for _, _, files in entries:
        thumb(files, out, cache)
    panels = [sheet_panel(step, done, files, out, titles, cache) for step, done, files in entries]
    (flow,) = scene_flows(panels, COLUMNS)
    layout = SheetLayout(PAGE_WIDTH, PAGE_HEIGHT, cell_width(COLUMNS), ())
    drawn_band(flow.rows[0], layout, panels, cache)


def draw_forecast_headers(
    steps: Sequence[Step], title: str, titles: Titles, out: Path, cache: Path,
    stopped: Callable[[], bool],
) -> None:  # fmt: skip
    """Draw the title, page and scene headers of the sheet if every step succeeds.

    Each image is assumed to come at its expected size. The headers wait in the band
    cache; a build that ends otherwise draws its own at the end. `stopped` is asked
    before each band: once the build is over, the sheet draws what is left itself.
    """
    ordered = sheet_order(steps)
    panels = [
        sheet_panel(step, StepResult(step.id, "generated"), (), out, titles, None)
        for step in ordered
    ]
    sizes = [fit((step.width, step.height), thumb_box()) for step in ordered]
    layout = sheet_layout(title, panels, COLUMNS, sizes)
    for page in layout.pages:
        for band in page.bands:
            if band.kind in ("title", "header", "scene") and not stopped():
                drawn_band(band, layout, panels, cache)
