"""The contact sheet's order and rows: which steps share a row, without drawing anything.

Kept apart from the drawing so the build can follow the sheet's rows from its first step
without loading Pillow's drawing and the fonts (`sheet_live`).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from storyforge.compile.plan import Step

CHARACTERS = "Characters"  # the group of character sheets; no scene id has capitals
COLUMNS = 3  # the contact sheet's columns


def sheet_order(steps: Iterable[Step]) -> list[Step]:
    """Steps in the sheet's order: character sheets first, then the story's order."""
    return sorted(steps, key=lambda s: (s.kind != "sheet", s.line, s.column))


def sheet_rows(steps: Iterable[Step], columns: int = COLUMNS) -> list[list[Step]]:
    """The sheet's rows: each scene's run of steps (sheets first) cut every `columns`."""
    rows: list[list[Step]] = []
    for _, group in groupby(sheet_order(steps), key=_group):
        members = list(group)
        rows += [members[at : at + columns] for at in range(0, len(members), columns)]
    return rows


def _group(step: Step) -> str:
    return CHARACTERS if step.kind == "sheet" else step.scene or ""
