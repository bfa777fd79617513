"""The build's record kept as steps finish: OUT files, story.lock and manifest.json.

Outputs are copied the moment a step finishes. The lock and the manifest are rewritten
at most every `every_s` seconds while the build runs (a 1,000-step lock is too large to
fsync after every step) and once more at the end, so a killed build leaves a record of
nearly everything it finished, and the store has all of it regardless. Each save
renders the whole record, so saves are also spaced by `SAVE_SHARE`: a 10,000-step build
spends at most a few per cent of its time on them instead of more and more of it.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from storyforge import __version__
from storyforge.build.lastknown import last_files, last_results, previous_manifest
from storyforge.compile.plan import Plan
from storyforge.errors import StoreError
from storyforge.outputs.files import OutputFile, write_outputs
from storyforge.outputs.manifest import (
    Manifest,
    StoryRef,
    run_of,
    same_state,
    step_record,
    totals_of,
    write_manifest,
)
from storyforge.outputs.prune import prune_out
from storyforge.outputs.results import INTERRUPTED, StepResult
from storyforge.store.lock import Lock
from storyforge.store.objects import Store

MANIFEST_NAME = "manifest.json"
SAVE_SHARE = 20  # the pause between saves is at least this many times the last save's time


class Reporter(Protocol):
    """The progress display, as the build sees it."""

    def start(self, title: str, total: int) -> None:
        """The build of `total` steps begins."""

    def notice(self, text: str) -> None:
        """Show a one-line message."""

    def call_started(self, step_id: str) -> None:
        """A call of a step went out."""

    def step_finished(self, result: StepResult) -> None:
        """A step has its result."""

    def stop(self) -> None:
        """The build is over."""


class LiveOutput(Protocol):
    """An output drawn while the build runs (the live contact sheet)."""

    def call_started(self) -> None:
        """A call went out: there is time to prepare while it is away."""

    def finished(self, result: StepResult, files: tuple[OutputFile, ...]) -> None:
        """A step has its result, and these files in OUT."""


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What the manifest says about the build as a whole."""

    provider: str
    model: str


class Recorder:
    """Listens to the executor and keeps OUT, the lock and the manifest up to date."""

    def __init__(
        self,
        plan: Plan,
        out: Path,
        store: Store,
        lock: Lock,
        reporter: Reporter,
        info: RunInfo,
        *,
        every_s: float = 0.5,
        live: LiveOutput | None = None,
    ) -> None:
        self.plan, self.out, self.store, self.lock = plan, out, store, lock
        self.reporter, self.info, self.every_s = reporter, info, every_s
        self.live = live  # told of each finished step and its files (the live contact sheet)
        self.results: dict[str, StepResult] = {}
        self.files: dict[str, tuple[OutputFile, ...]] = {}
        self.calls = self.saved_calls = 0
        self.started = dt.datetime.now(dt.UTC)
        self.clock = time.monotonic()
        self.last_save = self.clock
        self.save_cost = 0.0  # seconds the last save took
        self.error: StoreError | None = None
        # The story's state as the last build left it: steps this run does not reach keep it.
        before = previous_manifest(out)
        self.prior = last_results(plan, before, store)
        self.prior_files = last_files(before)
        self.derived: dict[str, list[str]] = dict(before.derived) if before else {}
        self.listed_before = _listed(self.prior_files, self.derived)
        self.kept: set[str] = set()  # steps whose record is the last build's, not this run's

    def keep_unselected(self, selection: frozenset[str] | None) -> None:
        """Steps outside `--only` keep their last known state, images and record."""
        for step in self.plan.steps:
            if selection is not None and step.id not in selection and step.id in self.prior:
                self._keep(self.prior[step.id])

    def _keep(self, result: StepResult) -> None:
        self.kept.add(result.step_id)
        self.results[result.step_id] = result
        try:
            self.files[result.step_id] = write_outputs(self.out, self.store, result)
        except StoreError:
            self.files[result.step_id] = self.prior_files.get(result.step_id, ())
        if self.live is not None:
            self.live.finished(result, self.files[result.step_id])

    def call_started(self, step_id: str) -> None:
        """Count the call and pass it on to the display."""
        self.calls += 1
        self.reporter.call_started(step_id)
        if self.live is not None:
            self.live.call_started()

    def step_finished(self, result: StepResult) -> None:
        """Copy the step's images into OUT; save the record when it is due."""
        self.results[result.step_id] = result
        try:
            self.files[result.step_id] = write_outputs(self.out, self.store, result)
        except StoreError as error:
            self.error = self.error or error  # raised by `finish`: the build itself goes on
        if self.live is not None:
            self.live.finished(result, self.files.get(result.step_id, ()))
        self.reporter.step_finished(result)
        # Only calls are worth saving early: anything else a rerun finds again for free.
        pause = max(self.every_s, SAVE_SHARE * self.save_cost)
        if self.calls > self.saved_calls and time.monotonic() - self.last_save >= pause:
            self.save()

    def save(self) -> Manifest:
        """Write the lock and the manifest of what has finished so far."""
        started = time.monotonic()
        self.saved_calls = self.calls
        manifest = self.manifest()
        path = self.out / MANIFEST_NAME
        try:
            self.lock.save()
            # A run that changed nothing leaves the file as it was, its run block included.
            if self.calls or not same_state(path, manifest):
                write_manifest(path, manifest)
        except StoreError as error:
            self.error = self.error or error
        self.last_save = time.monotonic()
        self.save_cost = self.last_save - started
        return manifest

    def finish(self, results: tuple[StepResult, ...], calls: int) -> Manifest:
        """Record the final results (unfinished steps included) and save everything."""
        for result in results:
            if result.reason == INTERRUPTED and result.step_id in self.prior:
                self._keep(self.prior[result.step_id])  # not reached: as it was
            elif result.step_id not in self.results or result.reason != INTERRUPTED:
                self.kept.discard(result.step_id)
                self.results[result.step_id] = result
        self.calls = calls
        self.lock.retain({s.id for s in self.plan.steps})
        manifest = self.save()
        if self.error is not None:
            raise self.error
        return manifest

    def derived_written(self, written: dict[str, list[Path]]) -> list[str]:
        """List the derived outputs' files, save, and remove what OUT no longer holds."""
        # Outputs no longer asked for are no longer listed, so their files go too.
        self.derived = {
            name: sorted(
                p.relative_to(self.out).as_posix() for p in paths if p.is_relative_to(self.out)
            )
            for name, paths in written.items()
        }
        self.save()
        if self.error is not None:
            raise self.error
        return prune_out(self.out, self.listed_before, _listed(self.files, self.derived))

    def manifest(self) -> Manifest:
        """The manifest of the results so far, in plan order."""
        steps = [
            step_record(step, self.results[step.id], self.files.get(step.id, ()))
            for step in self.plan.steps
            if step.id in self.results
        ]
        story_path = os.path.relpath(self.plan.story_path.resolve(), self.out.resolve())
        return Manifest(
            storyforge=__version__,
            story=StoryRef(path=Path(story_path).as_posix(), sha256=self.plan.story_sha256),
            provider=self.info.provider,
            model=self.info.model,
            steps=steps,
            derived={name: list(paths) for name, paths in sorted(self.derived.items())},
            totals=totals_of(steps),
            run=run_of(
                [r for sid, r in self.results.items() if sid not in self.kept],
                started=self.started.isoformat(timespec="seconds"),
                seconds=time.monotonic() - self.clock,
                calls=self.calls,
            ),
        )


def _listed(files: dict[str, tuple[OutputFile, ...]], derived: dict[str, list[str]]) -> set[str]:
    """Every file of OUT a manifest with these files and derived outputs lists."""
    return {f.path for step in files.values() for f in step} | {
        path for paths in derived.values() for path in paths
    }
