"""A `story.lock` left with git's conflict markers: which steps conflict, and a resolution.

A merge of two branches that picked different takes leaves both versions in the file.
Each side is read back on its own; steps on which they agree are kept, and the steps on
which they differ are named so the user can choose again with `storyforge pick`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from storyforge.store.lockschema import LockEntry, LockProblem, parse_lock

_OURS, _BASE, _SPLIT, _THEIRS = "<<<<<<<", "|||||||", "=======", ">>>>>>>"


@dataclass(frozen=True, slots=True)
class Conflict:
    """Both sides of a conflicted lock, and where the first marker is."""

    line: int
    ours: dict[str, LockEntry]
    theirs: dict[str, LockEntry]

    @property
    def steps(self) -> tuple[str, ...]:
        """The steps whose entries differ between the two sides, sorted."""
        ids = self.ours.keys() | self.theirs.keys()
        return tuple(sorted(s for s in ids if self.ours.get(s) != self.theirs.get(s)))

    def resolved(self) -> dict[str, LockEntry]:
        """Every entry both sides agree on, and ours where they differ (the user re-picks)."""
        return {**self.theirs, **self.ours}

    def explain(self, name: str) -> str:
        """One line: which steps conflict and the commands that settle it."""
        shown = ", ".join(f"{s} ({self._takes(s)})" for s in self.steps[:5])
        more = f" and {len(self.steps) - 5} more" if len(self.steps) > 5 else ""
        return (
            f"merge conflict in {name}: {shown or 'no step differs'}{more}; run "
            f"`storyforge lock --resolve` to keep the entries both sides agree on and ours "
            f"for the rest, then `storyforge pick STEP TAKE` where you want theirs"
        )

    def _takes(self, step_id: str) -> str:
        ours, theirs = self.ours.get(step_id), self.theirs.get(step_id)
        return (
            f"ours take {ours.take if ours else '-'}, theirs take {theirs.take if theirs else '-'}"
        )


def find_conflict(text: str) -> Conflict | None:
    """The two sides of a lock holding conflict markers; None when it has none or is unreadable."""
    lines = text.splitlines(keepends=True)
    starts = [n for n, line in enumerate(lines) if line.startswith(_OURS)]
    if not starts:
        return None
    ours, theirs, side = [], [], "both"
    for line in lines:
        mark = line[:7]
        if mark in (_OURS, _BASE, _SPLIT, _THEIRS):
            side = {_OURS: "ours", _BASE: "base", _SPLIT: "theirs", _THEIRS: "both"}[mark]
            continue
        if side in ("both", "ours"):
            ours.append(line)
        if side in ("both", "theirs"):
            theirs.append(line)
    try:
        return Conflict(starts[0] + 1, _parse("".join(ours)), _parse("".join(theirs)))
    except (ValueError, LockProblem, RecursionError):
        return None


def _parse(text: str) -> dict[str, LockEntry]:
    # git cuts inside the JSON, so a side may miss a comma where its block was cut.
    try:
        return parse_lock(json.loads(text))
    except json.JSONDecodeError:
        return parse_lock(json.loads(_mend(text)))


def _mend(text: str) -> str:
    """Add the commas a cut between two entries lost (a `}` line followed by a `"id":` line)."""
    lines = text.splitlines()
    for n in range(len(lines) - 1):
        nxt = lines[n + 1].lstrip()
        if lines[n].rstrip().endswith("}") and nxt.startswith('"'):
            lines[n] = lines[n].rstrip() + ","
        if lines[n].rstrip().endswith("},") and nxt.startswith("}"):
            lines[n] = lines[n].rstrip()[:-1]
    return "\n".join(lines)
