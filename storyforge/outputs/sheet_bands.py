"""Contact-sheet bands kept drawn and compressed in `.storyforge/derived/bands/`, by content.

A band (a row of cells, a scene header, a page header or foot) is named by the hash of
everything it shows, so one drawn while the build was running (`sheet_live`) is used as
it is when the sheet's pages are assembled (`render.pngparts`), and only what changed is
drawn at the end. A kept band is checked before use: its file ends with the sha256 of
the rest, and its header must promise exactly the rows of a band of that size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from storyforge.outputs.derived import fingerprint
from storyforge.render.contact import SheetLayout, SheetPanel
from storyforge.render.contact_draw import draw_band
from storyforge.render.contact_layout import Band
from storyforge.render.paint import PAPER
from storyforge.render.pngparts import Part, blank_part, compress_band
from storyforge.store.fsutil import atomic_write, touch

BAND_DIR = "bands"


def band_key(band: Band, width: int, panels: Sequence[SheetPanel]) -> str:
    """The hash of what a band shows (its place on a page and its panels' order aside)."""
    cells = [
        [cell.box, cell.image_box, cell.image, cell.lines, _panel_key(panels[cell.index])]
        for cell in band.cells
    ]
    return fingerprint(
        "band", width, band.kind, band.height, band.heading, band.detail, band.note,
        band.continued, cells,
    )  # fmt: skip


def drawn_band(
    band: Band, layout: SheetLayout, panels: Sequence[SheetPanel], cache: Path | None
) -> Part:
    """The band compressed: from the cache when it holds this content, else drawn now."""
    if band.kind == "footer":  # blank paper below the last row: assembled, never drawn
        return blank_part(layout.width, band.height, PAPER)
    if cache is None:
        return compress_band(draw_band(band, layout, panels))
    path = cache / BAND_DIR / f"{band_key(band, layout.width, panels)}.part"
    kept = _read(path, layout.width, band.height)
    if kept is not None:
        touch(path)  # used: `gc` keeps it
        return kept
    part = compress_band(draw_band(band, layout, panels))
    data = part.to_bytes()
    atomic_write(path, data + hashlib.sha256(data).digest(), durable=False)  # drawn again if lost
    return part


def _read(path: Path, width: int, height: int) -> Part | None:
    # A hash rather than inflating every band again: that would cost as much as the
    # drawing it saves. A damaged or cut file fails the hash and is drawn anew.
    try:
        raw = path.read_bytes()
        data, digest = raw[:-32], raw[-32:]
        if hashlib.sha256(data).digest() != digest:
            return None
        part = Part.from_bytes(data)
    except (OSError, ValueError):
        return None
    return part if part.size == height * (1 + 3 * width) and part.height == height else None


def _panel_key(panel: SheetPanel) -> list[object]:
    image = panel.image_path
    try:
        found = image.stat() if image else None
    except OSError:
        found = None
    file = [str(image), found.st_size, found.st_mtime_ns] if image and found else None
    return [panel.step_id, panel.scene_id, panel.scene_title, panel.shot, panel.caption,
            panel.dialogue, panel.status, panel.reason, file]  # fmt: skip
