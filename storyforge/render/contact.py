"""Drawing one contact-sheet page: its bands streamed into a PNG, one band at a time.

Pages are A4 at 200 dpi (1654x2339 px) and every page has that size, a one-page sheet
too, so a sheet prints the same at any length and pages never have to be scaled apart.
Where the pages are written is `storyforge.outputs.sheet_pages`' job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import BinaryIO

from storyforge.render.contact_draw import draw_band
from storyforge.render.contact_pages import Page, SheetLayout, sheet_layout
from storyforge.render.contact_panel import SheetPanel
from storyforge.render.pngstream import PngWriter

__all__ = ["Page", "SheetLayout", "SheetPanel", "sheet_layout", "write_page"]


def write_page(
    layout: SheetLayout, page: Page, panels: Sequence[SheetPanel], out: BinaryIO
) -> None:
    """Stream one page of the sheet into `out` as a PNG."""
    writer = PngWriter(out, layout.width, layout.height)
    for band in page.bands:
        writer.write(draw_band(band, layout, panels))
    writer.close()
