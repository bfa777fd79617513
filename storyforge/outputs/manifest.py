"""OUT/manifest.json: what a build made, as pydantic models written with sorted keys.

Everything but the `timings` block depends only on the story, the store and the lock,
so a rebuild with nothing changed rewrites the same bytes outside `timings` and the
file diffs cleanly in git. Steps are in the plan's dependency order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from storyforge.compile.plan import Step
from storyforge.errors import StoreError
from storyforge.outputs.files import OutputFile
from storyforge.outputs.results import STATUSES, StepResult, StepStatus
from storyforge.store.fsutil import atomic_write_text


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
    status: StepStatus
    prompt: str
    inputs: list[InputRecord]
    outputs: list[OutputRecord]
    selected: int | None = Field(description="the selected take; null without an image")
    text: str = Field(description="the model's text with the selected take")
    usage: dict[str, int] = Field(description="token counts of the selected take's call")
    cost_usd: float = Field(description="paid by this build (0 when cached)")
    attempts: int = Field(description="HTTP attempts made by this build")
    error: str | None = Field(description="why the step failed, was blocked or skipped")
    key: str | None = Field(description="request key of the selected image")
    dropped: list[str] = Field(description="automatic inputs left out by the model's limit")


class Totals(_Model):
    """Counts of the build."""

    steps: int
    generated: int
    cached: int
    failed: int
    blocked: int
    skipped: int
    calls: int
    cost_usd: float


class Timings(_Model):
    """The only time-dependent part of the manifest."""

    started: str = Field(description="UTC, ISO 8601")
    seconds: float
    steps: dict[str, float] = Field(description="seconds per step id")


class Manifest(_Model):
    """The whole manifest.json."""

    storyforge: str = Field(description="version of storyforge that wrote it")
    story: StoryRef
    provider: str
    model: str
    steps: list[StepRecord]
    totals: Totals
    timings: Timings


def step_record(step: Step, result: StepResult, outputs: Sequence[OutputFile]) -> StepRecord:
    """The manifest's view of one step's result."""
    chosen = result.selected_entry
    shas = result.input_sha or ("",) * len(step.inputs)
    return StepRecord(
        id=step.id,
        kind=step.kind,
        scene=step.scene,
        status=result.status,
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
        cost_usd=round(result.cost_usd, 6),
        attempts=result.attempts,
        error=result.reason or None,
        key=result.key,
        dropped=list(step.dropped),
    )


def totals_of(steps: Sequence[StepRecord], calls: int) -> Totals:
    """The totals block of a list of steps."""
    count = {status: sum(r.status == status for r in steps) for status in STATUSES}
    return Totals(
        steps=len(steps), calls=calls, cost_usd=round(sum(r.cost_usd for r in steps), 6), **count
    )


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
