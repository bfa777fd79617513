"""What the contact sheet shows of one panel: the value every contact_* module draws from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
