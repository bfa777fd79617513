"""The contact sheet's page files: page 1 at the path asked for, pages 2 and on beside it.

Page 1 is the path asked for (`OUT/contact_sheet.png`); pages 2 and on sit beside it as
`contact_sheet-2.png`, `contact_sheet-3.png`, …, and pages left from an earlier, longer
sheet are removed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from storyforge.outputs.sheet_bands import drawn_band
from storyforge.render.contact import SheetPanel, sheet_layout, write_page
from storyforge.render.pngparts import write_png
from storyforge.store.fsutil import atomic_writer


def render_contact_sheet(
    title: str,
    panels: Sequence[SheetPanel],
    out_path: Path,
    *,
    columns: int = 3,
    bands: Path | None = None,
) -> list[Path]:
    """Write the contact sheet's pages as PNG files, each atomically; returns their paths.

    Each page is drawn one band (header, scene header, row of cells) at a time and
    streamed into its PNG, and each image is opened and shrunk on its own, so memory stays
    small however many panels there are. With `bands` (the derived cache), each band is
    taken from there when it was drawn before (`sheet_bands`), and the page assembled
    from the bands. Raises OSError when the folder cannot be written and ValueError when
    `columns` is below 1.
    """
    layout = sheet_layout(title, panels, columns)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for page in layout.pages:
        path = page_path(out_path, page.number)
        with atomic_writer(path) as out:
            if bands is None:
                write_page(layout, page, panels, out)
            else:
                parts = (drawn_band(band, layout, panels, bands) for band in page.bands)
                write_png(out, layout.width, layout.height, parts)
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
