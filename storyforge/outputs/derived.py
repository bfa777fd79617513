"""Derived outputs: files drawn from a build's results, redrawn only when what they show changed.

The contact sheet, lettered pages and the book PDF, the storyboard PDF, the review viewer,
the animatic and the takes page are all derived: no call is made for them, and none of
them re-encodes an image the API sent. Which ones a build makes is set by the story's
`outputs:` (the contact sheet alone when unset, plus `pages` when the story has a `book:`,
`board` when it has a `board:` and `takes` when a panel has several) or by
`build --outputs`.

Each writer is a function `(DerivedContext) -> list[Path]` returning every file it wrote
or kept under OUT, imported only when its output is asked for (so a build without a PDF
never imports the PDF library). A writer keeps what it has drawn in `context.cache`
(`.storyforge/derived/`), keyed by the hash of what it shows (`fingerprint`).
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyforge import __version__
from storyforge.compile.plan import Plan
from storyforge.errors import StoreError, UsageError
from storyforge.outputs.files import OutputFile
from storyforge.outputs.results import StepResult
from storyforge.story.models import Story

DERIVED_DIR = "derived"  # under .storyforge/


@dataclass(frozen=True, slots=True)
class DerivedContext:
    """Everything a derived output may draw from."""

    story: Story
    story_path: Path
    plan: Plan
    results: Mapping[str, StepResult]  # every step's last known state
    files: Mapping[str, tuple[OutputFile, ...]]  # the images under OUT, per step
    out: Path
    cache: Path  # .storyforge/derived/: drawn files kept by the hash of what they show


Writer = Callable[[DerivedContext], list[Path]]

# name -> "module:function", imported on use.
WRITERS: dict[str, str] = {
    "contact_sheet": "storyforge.outputs.sheet:write_sheet_output",
    "pages": "storyforge.outputs.pages:write_pages",
    "board": "storyforge.outputs.board:write_board",
    "viewer": "storyforge.outputs.viewer:write_viewer",
    "animatic": "storyforge.outputs.animatic:write_animatic",
    "takes": "storyforge.outputs.takes:write_takes",
}


def selected_outputs(story: Story, asked: Sequence[str] = ()) -> tuple[str, ...]:
    """The outputs to make: those asked on the command line, else the story's, else defaults."""
    for name in asked:
        if name not in WRITERS:
            known = ", ".join(WRITERS)
            raise UsageError(f"--outputs: unknown output '{name}'; choose from {known}")
    if asked:
        return tuple(dict.fromkeys(asked))
    if story.outputs is not None:
        return tuple(dict.fromkeys(story.outputs))
    defaults = ["contact_sheet"]
    defaults += ["pages"] if story.book is not None else []
    defaults += ["board"] if story.board is not None else []
    # Several takes are there to be compared: their page comes with them.
    several = any(p.takes > 1 for scene in story.scenes for p in scene.panels)
    defaults += ["takes"] if several else []
    return tuple(defaults)


def write_derived(context: DerivedContext, names: Sequence[str]) -> dict[str, list[Path]]:
    """Write each named output; returns the files each wrote, by name."""
    written: dict[str, list[Path]] = {}
    for name in names:
        module, _, function = WRITERS[name].partition(":")
        writer: Writer = getattr(importlib.import_module(module), function)
        try:
            written[name] = writer(context)
        except OSError as error:
            raise StoreError(f"cannot write {name} in {context.out}: {error}") from error
    return written


def fingerprint(*parts: Any) -> str:
    """The sha256 of what an output shows: JSON-able parts, with storyforge's version."""
    data = json.dumps([__version__, *parts], sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def font_files_digest(paths: Sequence[Path]) -> str:
    """The sha256 of font files' bytes, for fingerprints of outputs that draw text."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
