"""OUT/manifest.json: what a build made, as pydantic models written with sorted keys.

The file is the story's state: per step `ok|failed|blocked|skipped`, its selected take,
hashes and files, which depend only on the story, the store and the lock. What one run
did (generated or cached, attempts, spend, timings) is apart, in the `run` block, so the
state diffs cleanly in git; a run that changes nothing leaves the file as it was, byte
for byte. Steps are in the plan's dependency order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from storyforge.compile.plan import Step
from storyforge.errors import StoreError
from storyforge.outputs.files import OutputFile
from storyforge.outputs.results import StepResult
from storyforge.store.fsutil import atomic_write_text

State = Literal["ok", "failed", "blocked", "skipped"]
STATES: tuple[State, ...] = ("ok", "failed", "blocked", "skipped")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StoryRef(_Model):
    """The story file the build read."""

    path: str = Field(description="relative to OUT, with '/'")
    sha256: str


class InputRecord(_Model):
    """One input image of a step, in the order it was sent."""

    ref: str = Field(description="a step id or a file path relative to the story folder")
    role: str
    sha256: str = Field(description="of the bytes sent; empty when the input was never built")


class OutputRecord(_Model):
    """One image file under OUT."""

    take: int
    path: str = Field(description="relative to OUT, with '/'")
    sha256: str
    width: int
    height: int
    mime_type: str


class StepRecord(_Model):
    """One step: what it was asked, what it became, and what this build paid for it."""

    id: str
    kind: str
    scene: str | None
    status: State = Field(description="ok: the step has its image (generated or cached)")
    prompt: str
    inputs: list[InputRecord]
    outputs: list[OutputRecord]
    selected: int | None = Field(description="the selected take; null without an image")
    text: str = Field(description="the model's text with the selected take")
    usage: dict[str, int] = Field(description="token counts of the selected take's call")
    error: str | None = Field(description="why the step failed, was blocked or skipped")
    key: str | None = Field(description="request key of the selected image")
    dropped: list[str] = Field(description="automatic inputs left out by the model's limit")


class Totals(_Model):
    """How many steps are in each state."""

    steps: int
    ok: int
    failed: int
    blocked: int
    skipped: int


class StepRun(_Model):
    """What the run did with one step."""

    result: str = Field(description="generated, cached, failed, blocked or skipped")
    attempts: int = Field(description="HTTP attempts made by this run")
    cost_usd: float = Field(description="paid by this run (0 when cached)")
    seconds: float


class Run(_Model):
    """The facts of the run that last changed the manifest: apart from the story's state."""

    started: str = Field(description="UTC, ISO 8601")
    seconds: float
    calls: int
    cost_usd: float
    generated: int
    cached: int
    steps: dict[str, StepRun] = Field(description="the steps this run handled, by id")


class Manifest(_Model):
    """The whole manifest.json."""

    storyforge: str = Field(description="version of storyforge that wrote it")
    story: StoryRef
    provider: str
    model: str
    steps: list[StepRecord]
    derived: dict[str, list[str]] = Field(
        default_factory=dict,
        description="files of each derived output (contact sheet, pages…), relative to OUT",
    )
    totals: Totals
    run: Run


def step_record(step: Step, result: StepResult, outputs: Sequence[OutputFile]) -> StepRecord:
    """The manifest's view of one step's result."""
    chosen = result.selected_entry
    shas = result.input_sha or ("",) * len(step.inputs)
    return StepRecord(
        id=step.id,
        kind=step.kind,
        scene=step.scene,
        status="ok" if result.status in ("generated", "cached") else result.status,
        prompt=step.prompt,
        inputs=[
            InputRecord(ref=i.ref, role=i.role, sha256=sha)
            for i, sha in zip(step.inputs, shas, strict=True)
        ],
        outputs=[
            OutputRecord(
                take=o.take,
                path=o.path,
                sha256=o.sha256,
                width=o.width,
                height=o.height,
                mime_type=o.mime_type,
            )
            for o in outputs
        ],
        selected=result.selected,
        text=chosen.text if chosen else "",
        usage={k: v for k, v in (chosen.usage if chosen else {}).items() if v},
        error=result.reason or None,
        key=result.key,
        dropped=list(step.dropped),
    )


def totals_of(steps: Sequence[StepRecord]) -> Totals:
    """The totals block of a list of steps: how many are in each state."""
    count = {state: sum(r.status == state for r in steps) for state in STATES}
    return Totals(steps=len(steps), **count)


def run_of(results: Sequence[StepResult], *, started: str, seconds: float, calls: int) -> Run:
    """The run block: what this run did with each step it handled, and its spend."""
    return Run(
        started=started, seconds=round(seconds, 3), calls=calls,
        cost_usd=round(sum(r.cost_usd for r in results), 6),
        generated=sum(r.status == "generated" for r in results),
        cached=sum(r.status == "cached" for r in results),
        steps={
            r.step_id: StepRun(
                result=r.status, attempts=r.attempts, cost_usd=round(r.cost_usd, 6),
                seconds=round(r.seconds, 3),
            )
            for r in sorted(results, key=lambda r: r.step_id)
        },
    )  # fmt: skip


def same_state(path: Path, manifest: Manifest) -> bool:
    """Whether the file at `path` records this state already (its run block aside)."""
    try:
        old = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    new = manifest.model_dump(mode="json")
    if not isinstance(old, dict):
        return False
    old.pop("run", None)
    new.pop("run", None)
    return bool(old == new)


def render_manifest(manifest: Manifest) -> str:
    """The file's text: sorted keys, two-space indent, a final newline."""
    return json.dumps(manifest.model_dump(mode="json"), sort_keys=True, indent=2) + "\n"


def write_manifest(path: Path, manifest: Manifest) -> None:
    """Write the manifest atomically."""
    try:
        text = render_manifest(manifest)
        atomic_write_text(path, text, durable=False)  # rewritten from the store at will
    except OSError as error:
        raise StoreError(f"cannot write {path}: {error.strerror or error}") from error


def manifest_schema() -> dict[str, Any]:
    """The JSON Schema of manifest.json, for schemas/manifest.schema.json."""
    schema = Manifest.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "manifest.schema.json"
    schema["title"] = "storyforge build manifest"
    return schema


def load_manifest(text: str) -> Manifest:
    """Parse a manifest.json (pydantic's ValidationError when it is not one)."""
    return Manifest.model_validate_json(text)
