"""`story.lock`: per step, the request key, the selected take and its image's sha256.

Committed beside the story. JSON with sorted keys, one step per block, so it diffs
cleanly in git. `picked` marks a take chosen with `storyforge pick`: such a step is
never regenerated silently when its request changes; `plan` shows it as stale.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from storyforge.diagnostics import Diagnostic
from storyforge.errors import StoreError, StoryError
from storyforge.store import nofollow
from storyforge.store.fsutil import atomic_write_text
from storyforge.store.lockmerge import find_conflict
from storyforge.store.lockschema import LOCK_VERSION, LockEntry, LockProblem, locate, parse_lock
from storyforge.store.objects import describe

__all__ = ["LOCK_NAME", "Lock", "LockEntry", "lock_path"]

LOCK_NAME = "story.lock"
MAX_LOCK_BYTES = 64 << 20


def lock_path(story_path: Path) -> Path:
    """`<story>.lock` beside `<story>.yaml`; `story.yaml` keeps its `story.lock`.

    One lock per story: two stories in one folder must not share their selections.
    """
    return story_path.parent / f"{story_path.stem}.lock"


class Lock:
    """The lock file of one story, loaded into memory and saved atomically."""

    def __init__(self, path: Path, entries: dict[str, LockEntry] | None = None) -> None:
        self.path = path
        self.entries: dict[str, LockEntry] = dict(entries or {})
        self._seen: dict[str, LockEntry] = dict(self.entries)  # the file as last read or written

    @classmethod
    def beside(cls, story_path: Path) -> Lock:
        """Load the lock next to a story (empty when there is none)."""
        path = lock_path(story_path)
        return cls(path, _read(path))

    def get(self, step_id: str) -> LockEntry | None:
        """The entry of a step, if any."""
        return self.entries.get(step_id)

    def record(self, step_id: str, entry: LockEntry) -> None:
        """Record a step's resolution (saved by `save`)."""
        self.entries[step_id] = entry

    def retain(self, step_ids: set[str]) -> None:
        """Forget steps the story no longer has."""
        self.entries = {k: v for k, v in self.entries.items() if k in step_ids}

    def to_json(self) -> str:
        """The file's text: stable order, no timestamps."""
        steps = {sid: _fields(self.entries[sid]) for sid in sorted(self.entries)}
        return json.dumps({"storyforge": LOCK_VERSION, "steps": steps}, indent=2) + "\n"

    def save(self) -> None:
        """Write the lock atomically, keeping picks made by another process meanwhile.

        A `storyforge pick` during a long build writes the file; the build's next save
        must not undo it, so a picked entry that changed on disk since this lock last
        read or wrote it wins over the entry in memory.
        """
        try:
            on_disk = _read(self.path)
        except StoryError:
            on_disk = {}  # a damaged file is simply replaced
        for step_id, entry in on_disk.items():
            if entry.picked and entry != self._seen.get(step_id):
                self.entries[step_id] = entry
        self._seen = dict(self.entries)
        try:
            atomic_write_text(self.path, self.to_json())
        except OSError as error:
            raise StoreError(f"cannot write {self.path}: {error.strerror}") from error


def _fields(entry: LockEntry) -> dict[str, object]:
    fields = asdict(entry)
    if not entry.approved:
        del fields["approved"]  # locks written before approvals existed stay byte-identical
    return fields


def read_conflicted(path: Path) -> dict[str, LockEntry] | None:
    """`storyforge lock --resolve`: the merged entries of a conflicted lock, None without one."""
    conflict = find_conflict(nofollow.read_file(path, limit=MAX_LOCK_BYTES).decode("utf-8"))
    return None if conflict is None else conflict.resolved()


def _read(path: Path) -> dict[str, LockEntry]:
    try:
        data = nofollow.read_file(path, limit=MAX_LOCK_BYTES)
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise _problem(path, "", 0, 0, f"cannot be read ({describe(error)})") from error
    try:
        text = data.decode("utf-8")
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        conflict = find_conflict(text)
        if conflict is not None:
            message = conflict.explain(path.name)
            raise StoryError([Diagnostic(str(path), conflict.line, 1, "", message)]) from None
        raise _problem(path, "", error.lineno, error.colno, f"not JSON ({error.msg})") from None
    except (UnicodeDecodeError, RecursionError):
        raise _problem(path, "", 0, 0, "not a JSON text") from None
    try:
        return parse_lock(raw)
    except LockProblem as problem:
        line, column = locate(text, problem.where)
        raise _problem(path, ".".join(problem.where), line, column, str(problem)) from None


def _problem(path: Path, where: str, line: int, column: int, message: str) -> StoryError:
    fix = f"fix it, or delete {path.name} to rebuild the selections from the store"
    return StoryError([Diagnostic(str(path), line, column, where, f"{message}; {fix}")])
