"""`story.lock`: per step, the request key, the selected take and its image's sha256.

Committed beside the story. JSON with sorted keys, one step per block, so it diffs
cleanly in git. `picked` marks a take chosen with `storyforge pick`: such a step is
never regenerated silently when its request changes; `plan` shows it as stale.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from storyforge.errors import StoreError
from storyforge.store.fsutil import atomic_write_text

LOCK_NAME = "story.lock"
LOCK_VERSION = 1


@dataclass(frozen=True, slots=True)
class LockEntry:
    """What a step resolved to at the last build (or pick)."""

    key: str
    take: int = 1
    sha256: str | None = None  # None: picked for a request not generated yet
    picked: bool = False


class Lock:
    """The lock file of one story, loaded into memory and saved atomically."""

    def __init__(self, path: Path, entries: dict[str, LockEntry] | None = None) -> None:
        self.path = path
        self.entries: dict[str, LockEntry] = dict(entries or {})
        self._seen: dict[str, LockEntry] = dict(self.entries)  # the file as last read or written

    @classmethod
    def beside(cls, story_path: Path) -> Lock:
        """Load the lock next to a story (empty when there is none)."""
        path = story_path.parent / LOCK_NAME
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
        steps = {sid: asdict(self.entries[sid]) for sid in sorted(self.entries)}
        return json.dumps({"storyforge": LOCK_VERSION, "steps": steps}, indent=2) + "\n"

    def save(self) -> None:
        """Write the lock atomically, keeping picks made by another process meanwhile.

        A `storyforge pick` during a long build writes the file; the build's next save
        must not undo it, so a picked entry that changed on disk since this lock last
        read or wrote it wins over the entry in memory.
        """
        try:
            on_disk = _read(self.path)
        except StoreError:
            on_disk = {}  # a damaged file is simply replaced
        for step_id, entry in on_disk.items():
            if entry.picked and entry != self._seen.get(step_id):
                self.entries[step_id] = entry
        self._seen = dict(self.entries)
        try:
            atomic_write_text(self.path, self.to_json())
        except OSError as error:
            raise StoreError(f"cannot write {self.path}: {error.strerror}") from error


def _read(path: Path) -> dict[str, LockEntry]:
    try:
        raw = json.loads(path.read_text("utf-8"))
        if not isinstance(raw, dict) or raw.get("storyforge") != LOCK_VERSION:
            raise ValueError(f"expected {{'storyforge': {LOCK_VERSION}, 'steps': {{…}}}}")
        return {sid: LockEntry(**value) for sid, value in raw["steps"].items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise StoreError(
            f"{path}: not a valid storyforge lock file ({error}); "
            "delete it to rebuild the selections from the store"
        ) from error
