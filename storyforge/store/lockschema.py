"""The entries of `story.lock` and the schema every lock read back is checked against.

A lock is committed, so it can come from anyone: each value is checked for its type and
form, and a bad one is reported at its line in the file, never left to fail later.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from storyforge.store.entries import is_hash

LOCK_VERSION = 1
_FIELDS = {"key", "take", "sha256", "picked", "approved"}


@dataclass(frozen=True, slots=True)
class LockEntry:
    """What a step resolved to at the last build (or pick)."""

    key: str
    take: int = 1
    sha256: str | None = None  # None: picked for a request not generated yet
    picked: bool = False
    approved: bool = False  # pinned with `storyforge approve`: kept whatever changes upstream

    @property
    def pinned(self) -> bool:
        """Chosen by a person (picked or approved): never regenerated without --force."""
        return self.picked or self.approved


class LockProblem(ValueError):
    """A value of the lock that is not what the format says; `where` is its JSON path."""

    def __init__(self, where: tuple[str, ...], message: str) -> None:
        self.where = where
        super().__init__(message)


def parse_lock(raw: object) -> dict[str, LockEntry]:
    """The entries of a decoded lock file; LockProblem at the first bad value."""
    if not isinstance(raw, dict):
        raise LockProblem((), f'expected {{"storyforge": {LOCK_VERSION}, "steps": {{…}}}}')
    version = raw.get("storyforge")
    if type(version) is not int or version != LOCK_VERSION:
        raise LockProblem(("storyforge",), f"expected {LOCK_VERSION}, the lock format this reads")
    unknown = sorted(set(raw) - {"storyforge", "steps"})
    if unknown:
        raise LockProblem((unknown[0][:40],), "unknown field")
    steps = raw.get("steps")
    if not isinstance(steps, dict):
        raise LockProblem(("steps",), "expected an object of step ids")
    return {step_id: _entry(step_id, value) for step_id, value in steps.items()}


def _entry(step_id: str, value: object) -> LockEntry:
    where = ("steps", step_id[:80])
    if not isinstance(value, dict):
        raise LockProblem(where, "expected an object with key, take, sha256 and picked")
    unknown = sorted(set(value) - _FIELDS)
    if unknown:
        raise LockProblem((*where, unknown[0][:40]), "unknown field")
    key, take = value.get("key"), value.get("take", 1)
    sha, picked = value.get("sha256"), value.get("picked", False)
    approved = value.get("approved", False)
    if not is_hash(key):
        raise LockProblem((*where, "key"), "expected a request key of 64 lowercase hex digits")
    if type(take) is not int or take < 1:
        raise LockProblem((*where, "take"), "expected a take number of at least 1")
    if sha is not None and not is_hash(sha):
        raise LockProblem((*where, "sha256"), "expected null or 64 lowercase hex digits")
    for name, flag in (("picked", picked), ("approved", approved)):
        if type(flag) is not bool:
            raise LockProblem((*where, name), "expected true or false")
    return LockEntry(str(key), take, sha, picked, approved)


def locate(text: str, where: tuple[str, ...]) -> tuple[int, int]:
    """The 1-based line and column of the JSON path `where` in `text` (0, 0 when unknown)."""
    at, found = 0, -1
    for name in where:
        match = re.compile(re.escape(json.dumps(name)) + r"\s*:").search(text, at)
        if match is None:
            break
        found, at = match.start(), match.end()
    if found < 0:
        return 0, 0
    line = text.count("\n", 0, found) + 1
    return line, found - (text.rfind("\n", 0, found) + 1) + 1
