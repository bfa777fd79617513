"""What building one step came to: the Results stage between the plan and the outputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from storyforge.store.objects import Entry

StepStatus = Literal["generated", "cached", "failed", "blocked", "skipped"]
STATUSES: tuple[StepStatus, ...] = ("generated", "cached", "failed", "blocked", "skipped")
INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class StepResult:
    """One step after the build: a value, whether it succeeded or not.

    `takes` holds the stored entry of every take known for the step (the picked one
    only, for a stale pick); `output_sha` is the first image of the selected take, the
    input the steps downstream receive. `calls`, `cost_usd` and `attempts` count this
    build's calls only, so a cached step costs nothing.
    """

    step_id: str
    status: StepStatus
    key: str | None = None
    selected: int | None = None
    output_sha: str | None = None
    takes: tuple[Entry, ...] = ()
    input_sha: tuple[str, ...] = ()
    reason: str = ""  # why the step failed, was blocked or skipped
    warning: str = ""  # e.g. a stale pick kept over a changed request
    stale: bool = False
    calls: int = 0
    cost_usd: float = 0.0
    attempts: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the step has an image for the steps that need it."""
        return self.status in ("generated", "cached") and self.output_sha is not None

    @property
    def selected_entry(self) -> Entry | None:
        """The stored entry of the selected take, if any."""
        return next((e for e in self.takes if e.take == self.selected), None)


def skipped(step_id: str, reason: str, input_sha: tuple[str, ...] = ()) -> StepResult:
    """A step that was not attempted, and why."""
    return StepResult(step_id, "skipped", reason=reason, input_sha=input_sha)
