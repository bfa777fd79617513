"""The contact sheet: every panel of a build on printable pages, grouped by scene, with status."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from storyforge.render.contact_draw import draw_band
from storyforge.render.contact_layout import SheetLayout, sheet_layout
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
) -> None:
    """Write the contact sheet PNG to `out_path`, atomically.

    The sheet is drawn one band (title, scene header, row of cells) at a time and streamed
    into the PNG, and each image is opened and shrunk on its own, so memory stays small
    however many panels there are. Raises OSError when the folder cannot be written and
    ValueError when `columns` is below 1.
    """
    layout = sheet_layout(title, panels, columns)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.name}.")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            _write(layout, panels, out)
            out.flush()
            os.fsync(out.fileno())
        temp.chmod(0o644)  # mkstemp's private 0600 would be an odd mode for a shared output
        temp.replace(out_path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def _write(layout: SheetLayout, panels: Sequence[SheetPanel], out: BinaryIO) -> None:
    writer = PngWriter(out, layout.width, layout.height)
    for band in layout.bands:
        writer.write(draw_band(band, layout, panels))
    writer.close()
