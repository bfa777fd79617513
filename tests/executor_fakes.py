"""An in-test provider with a call log, and helpers to run the executor against it."""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from storyforge.build.calls import InputReader
from storyforge.build.executor import Context, Execution, Limits, execute
from storyforge.compile.plan import Plan
from storyforge.outputs.results import StepResult
from storyforge.providers.base import GeneratedImage, GenerateRequest, ModelListing, Outcome
from storyforge.store.lock import Lock
from storyforge.store.objects import Store


def fake_png(payload: bytes, width: int = 64, height: int = 32) -> bytes:
    """Bytes that sniff as a PNG of the given size, made unique by the payload."""
    return (
        b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + struct.pack(">II", width, height) + payload
    )


@dataclass
class FakeProvider:
    """Answers every call with an image unless told to fail, block or stop everything."""

    name: ClassVar[str] = "fake"
    key_env_var: ClassVar[str | None] = None
    supports_streaming: ClassVar[bool] = False

    fail: set[str] = field(default_factory=set)
    block: set[str] = field(default_factory=set)
    fatal: set[str] = field(default_factory=set)
    delay_s: float = 0.0
    cost_usd: float = 0.04
    calls: list[GenerateRequest] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    extra_images: int = 0

    async def generate(self, request: GenerateRequest) -> Outcome:
        self.calls.append(request)
        number = len(self.calls)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay_s)
        finally:
            self.in_flight -= 1
        step = request.label
        if step in self.fatal:
            return Outcome("failed", reason="HTTP 403 API key not valid", fatal=True)
        if step in self.fail:
            return Outcome("failed", reason="HTTP 503 overloaded", attempts=3)
        if step in self.block:
            return Outcome("blocked", reason="IMAGE_SAFETY")
        payload = f"{step}|{request.text}|{request.seed}|{number}".encode()
        images = [GeneratedImage(fake_png(payload), "image/png")]
        images += [
            GeneratedImage(fake_png(payload + bytes([i])), "image/png")
            for i in range(self.extra_images)
        ]
        return Outcome("generated", images=tuple(images), cost_usd=self.cost_usd, text="ok")

    async def list_models(self) -> list[ModelListing]:
        return []

    def labels(self) -> list[str]:
        return [r.label for r in self.calls]


@dataclass
class Collect:
    """A listener that keeps what it hears."""

    started: list[str] = field(default_factory=list)
    finished: list[StepResult] = field(default_factory=list)

    def call_started(self, step_id: str) -> None:
        self.started.append(step_id)

    def step_finished(self, result: StepResult) -> None:
        self.finished.append(result)


def read_file(root: Path, ref: str) -> tuple[bytes, str]:
    return (root / ref).read_bytes(), "image/png"


def make_context(
    plan: Plan, store: Store, lock: Lock, listener: Collect | None = None, **options: object
) -> Context:
    """An executor context for tests (options: Limits fields, selection, force)."""
    limits = Limits(**{k: v for k, v in options.items() if k in Limits.__slots__})  # type: ignore[arg-type]
    return Context(
        provider_name="gemini",
        store=store,
        lock=lock,
        reader=InputReader(plan.root, store, read_file),
        listener=listener or Collect(),
        limits=limits,
        selection=options.get("selection"),  # type: ignore[arg-type]
        force=options.get("force", frozenset()),  # type: ignore[arg-type]
    )


def run(
    plan: Plan,
    provider: FakeProvider,
    store: Store,
    lock: Lock,
    *,
    listener: Collect | None = None,
    **options: object,
) -> Execution:
    """Execute a plan against the fake provider."""
    context = make_context(plan, store, lock, listener, **options)
    return asyncio.run(execute(plan, provider, context))


def statuses(execution: Execution) -> dict[str, str]:
    return {r.step_id: r.status for r in execution.results}
