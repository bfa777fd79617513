"""The contact sheet: every panel of a build on printable pages, grouped by scene, with status.

Pages are A4 at 200 dpi (1654x2339 px) and every page has that size, a one-page sheet
too, so a sheet prints the same at any length and pages never have to be scaled apart.
Page 1 is the path asked for (`OUT/contact_sheet.png`); pages 2 and on sit beside it as
`contact_sheet-2.png`, `contact_sheet-3.png`, …, and pages left from an earlier, longer
sheet are removed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from storyforge.fsutil import atomic_writer
from storyforge.render.contact_draw import draw_band
from storyforge.render.contact_pages import Page, SheetLayout, sheet_layout
from storyforge.render.pngstream import PngWriter


@dataclass(frozen=True, slots=True)
class SheetPanel:
    """One panel as the contact sheet shows it."""

    step_id: str
    scene_id: str
    scene_title: str | None
    shot: str | None
    caption: str | None
    dialogue: tuple[tuple[str, str], ...]  # (speaker name, text)
    status: str  # generated | cached | failed | blocked | skipped | pending
    reason: str = ""  # why failed, blocked or skipped
    image_path: Path | None = None  # the saved output (PNG, JPEG or WEBP), None when there is none


def render_contact_sheet(
    title: str, panels: Sequence[SheetPanel], out_path: Path, *, columns: int = 3
) -> list[Path]:
    """Write the contact sheet's pages as PNG files, each atomically; returns their paths.

    Each page is drawn one band (header, scene header, row of cells) at a time and
    streamed into its PNG, and each image is opened and shrunk on its own, so memory stays
    small however many panels there are. Raises OSError when the folder cannot be written
    and ValueError when `columns` is below 1.
    """
    layout = sheet_layout(title, panels, columns)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for page in layout.pages:
        path = page_path(out_path, page.number)
        with atomic_writer(path) as out:
            _write(layout, page, panels, out)
        paths.append(path)
    _remove_stale_pages(out_path, len(paths))
    return paths


def page_path(out_path: Path, number: int) -> Path:
    """Where page `number` (from 1) of the sheet at `out_path` goes: `<stem>-<number><suffix>`."""
    if number == 1:
        return out_path
    return out_path.with_name(f"{out_path.stem}-{number}{out_path.suffix}")


def _remove_stale_pages(out_path: Path, count: int) -> None:
    # Only names this module writes: `<stem>-N<suffix>` with N written without leading zeros.
    pattern = re.compile(rf"{re.escape(out_path.stem)}-([1-9][0-9]*){re.escape(out_path.suffix)}")
    for path in out_path.parent.iterdir():
        found = pattern.fullmatch(path.name)
        if found and int(found[1]) > count:
            path.unlink(missing_ok=True)


def _write(layout: SheetLayout, page: Page, panels: Sequence[SheetPanel], out: BinaryIO) -> None:
    writer = PngWriter(out, layout.width, layout.height)
    for band in page.bands:
        writer.write(draw_band(band, layout, panels))
    writer.close()
