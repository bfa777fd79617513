"""The build's scheduler: every needed call in dependency order, longest path first, within limits.

Steps become ready the moment their inputs have results. A ready step is decided at
once by `freshness.decide` (the one reuse rule); the takes that need a call wait in a
heap ordered by the step's rank (longest remaining path to a sink), then story order.
All bookkeeping happens synchronously in one place (`_pump`), so whenever a slot is
handed out every ready call is already in the heap and the best one gets it.

When answers land together, the one something waits for goes first: it is stored at
once, in the loop, and its dependents launched before any other answer is looked at.
The listener (OUT copies, progress, record saves) hears of finished steps a loop turn
later, after the calls they made ready have gone out.
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

from storyforge.build.calls import InputReader, call_lease, make_request, store_outcome
from storyforge.build.freshness import Decision, decide
from storyforge.build.limits import Budget, Limits, Pacer, RateLimiter, Slot
from storyforge.build.settle import TakeEnd, Takes, cached_result, ended, settle, stale_result
from storyforge.compile.costs import estimate_call_usd
from storyforge.compile.plan import Plan, Step
from storyforge.outputs.results import INTERRUPTED, StepResult, skipped
from storyforge.providers.base import Provider
from storyforge.store.lock import Lock, LockEntry
from storyforge.store.objects import Store

__all__ = ["Context", "Execution", "Limits", "Listener", "execute"]  # Limits lives in limits.py


class Listener(Protocol):
    """Who hears about the build as it goes (progress display, outputs, lock saves)."""

    def call_started(self, step_id: str) -> None:
        """A call of the step is about to be sent."""

    def step_finished(self, result: StepResult) -> None:
        """The step has its result; its outputs are in the store."""


@dataclass(frozen=True, slots=True)
class Execution:
    """What the scheduler did: one result per selected step, in plan order."""

    results: tuple[StepResult, ...]
    interrupted: bool
    calls: int
    spent_usd: float


@dataclass(frozen=True, slots=True)
class Context:
    """What a run needs besides the plan and the provider."""

    provider_name: str
    store: Store
    lock: Lock
    reader: InputReader
    listener: Listener
    limits: Limits = field(default_factory=Limits)
    selection: frozenset[str] | None = None  # None: every step
    force: frozenset[str] = field(default_factory=frozenset)


async def execute(plan: Plan, provider: Provider, context: Context) -> Execution:
    """Build every selected step; failures are results, Ctrl-C stops and keeps what finished."""
    return await _Scheduler(plan, provider, context).run()


class _Scheduler:
    def __init__(self, plan: Plan, provider: Provider, context: Context) -> None:
        self.plan, self.provider, self.ctx = plan, provider, context
        chosen = context.selection
        self.order = [s.id for s in plan.steps if chosen is None or s.id in chosen]
        self.index = {sid: n for n, sid in enumerate(self.order)}
        self.waiting_on = {sid: len(plan.deps.get(sid, ())) for sid in self.order}
        self.dependents = plan.dependents()
        self.awaited = {s for s in self.order if self.index.keys() & self.dependents.get(s, ())}
        self.results: dict[str, StepResult] = {}
        self.takes: dict[str, Takes] = {}
        self.ready: deque[str] = deque()
        self.heap: list[tuple[tuple[int, int, int], str, int]] = []
        self.free = max(1, context.limits.concurrency)
        self.budget = Budget(context.limits.max_cost_usd)
        self.limiter = RateLimiter(context.limits.rpm)
        self.pacer = Pacer(context.limits)
        if (use_pacer := getattr(provider, "use_pacer", None)) is not None:
            use_pacer(self.pacer)  # its attempts, retries included, learn the quota
        self.stop = ""  # once set, no call starts: the reason given to what is left
        self.calls = 0
        self.tasks: set[asyncio.Task[None]] = set()
        self.pumping = False
        self.all_done = asyncio.Event()
        self.crash: Exception | None = None  # a bug or an unwritable OUT: stop and say why
        self.unheard: list[StepResult] = []  # finished, not yet told to the listener
        self.telling = False

    async def run(self) -> Execution:
        self.ready.extend(sid for sid in self.order if self.waiting_on[sid] == 0)
        self._pump()
        interrupted = False
        try:
            await self.all_done.wait()
        except asyncio.CancelledError:
            interrupted = True
            await self._interrupt()
        self._tell()
        if self.crash is not None:
            await self._cancel_calls()
            raise self.crash
        results = tuple(self.results.get(sid) or skipped(sid, INTERRUPTED) for sid in self.order)
        return Execution(results, interrupted, self.calls, self.budget.spent_usd)

    async def _interrupt(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()  # the cancellation is handled here: what finished is kept
        await self._cancel_calls()
        self._pump()

    async def _cancel_calls(self) -> None:
        self.stop = self.stop or INTERRUPTED
        for call in list(self.tasks):
            call.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def _pump(self) -> None:
        """Decide ready steps, then hand out slots; the only place that moves the build on."""
        if self.pumping:
            return  # called from inside the loop below: the loop picks the new work up
        self.pumping = True
        try:
            while self.ready or (self.heap and (self.free > 0 or self.stop)):
                if self.ready:
                    self._resolve(self.plan.step(self.ready.popleft()))
                else:
                    _, step_id, take = heapq.heappop(self.heap)
                    self._launch(self.takes[step_id], take)
        finally:
            self.pumping = False
        if self.unheard and not self.telling:
            # Queued behind the calls just launched, so those go out first.
            self.telling = True
            asyncio.get_running_loop().call_soon(self._tell)
        if len(self.results) == len(self.order):
            self.all_done.set()

    def _resolve(self, step: Step) -> None:
        started = time.monotonic()
        failed = next((r for r in map(self.results.get, step.step_inputs) if r and not r.ok), None)
        if failed is not None:
            why = failed.reason if failed.status == "skipped" else ""
            self._finish(skipped(step.id, why or f"input {failed.step_id} {failed.status}"))
            return
        input_sha = tuple(
            i.sha256 if i.source == "file" else self.results[i.ref].output_sha or ""
            for i in step.inputs
        )
        decision = decide(
            step,
            input_sha,
            provider=self.ctx.provider_name,
            store=self.ctx.store,
            lock=self.ctx.lock,
            force=step.id in self.ctx.force,
        )
        if decision.state in ("stale", "approved"):
            self._finish(stale_result(step, decision, input_sha, self.ctx.store, self.ctx.lock))
        elif decision.state == "missing":  # the build refuses these up front unless forced
            self._finish(StepResult(step.id, "failed", decision.key, reason=decision.reason))
        elif decision.state == "cached" or not decision.missing:
            self._finish(cached_result(step, decision, input_sha, self.ctx.store))
        else:
            self._queue(step, decision, input_sha, started)

    def _queue(self, step: Step, decision: Decision, input_sha: tuple[str, ...], t: float) -> None:
        self.takes[step.id] = Takes(step, decision, input_sha, t, len(decision.missing))
        rank = self.plan.rank.get(step.id, 0)
        for take in decision.missing:
            heapq.heappush(self.heap, ((-rank, self.index[step.id], take), step.id, take))

    def _launch(self, takes: Takes, take: int) -> None:
        estimate = estimate_call_usd(
            takes.step, self.ctx.provider_name, batch=self.ctx.limits.batch
        )
        if self.stop:
            self._take_done(takes, take, TakeEnd(reason=self.stop))
        elif not self.budget.reserve(estimate):
            self._take_done(takes, take, TakeEnd(reason=self.budget.exhausted_reason))
        else:
            self.free -= 1
            task = asyncio.create_task(self._call(takes, take, estimate))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _call(self, takes: Takes, take: int, estimate: float) -> None:
        slot = Slot(estimate)
        try:
            end = await self._attempt(takes, take, slot)
        except asyncio.CancelledError:
            self._release(slot, 0.0)
            self._end_take(takes, take, TakeEnd(status="skipped", reason=INTERRUPTED))
            raise
        except Exception as error:  # a broken store or input fails this step, not the build
            end = TakeEnd(status="failed", reason=f"{type(error).__name__}: {error}")
        self._release(slot, end.cost_usd)
        self._end_take(takes, take, end)

    def _end_take(self, takes: Takes, take: int, end: TakeEnd) -> None:
        try:
            self._take_done(takes, take, end)
        except Exception as error:  # raised by `run`: a task's exception would go unseen
            self.crash = self.crash or error
            self.all_done.set()

    async def _attempt(self, takes: Takes, take: int, slot: Slot) -> TakeEnd:
        key, step_id = takes.decision.key or "", takes.step.id
        # Another build of this story may be making the same call: wait for its answer.
        async with call_lease(self.ctx.store, key, take):
            found = None if step_id in self.ctx.force else self.ctx.store.get_entry(key, take)
            if found is not None:
                return TakeEnd(found, status="cached")
            return await self._send(takes, take, slot)

    async def _send(self, takes: Takes, take: int, slot: Slot) -> TakeEnd:
        step = takes.step
        await self.limiter.wait()
        request = make_request(step, take, self.ctx.reader.images(step, takes.input_sha))
        self.calls += 1
        takes.calls += 1
        self.ctx.listener.call_started(step.id)
        outcome = await self.provider.generate(request)
        if outcome.status != "generated":
            if outcome.fatal and not self.stop:
                self.stop = outcome.reason or f"{self.ctx.provider_name} refuses every call"
            return ended(outcome)
        # The answer is in, so its slot is free; the step's result still waits for the store.
        self._release(slot, outcome.cost_usd)
        store = functools.partial(
            store_outcome, self.ctx.store, step, takes.input_sha, key=takes.decision.key or "",
            take=take, outcome=outcome, provider=self.ctx.provider_name,
        )  # fmt: skip
        if step.id in self.awaited:
            # Stored now, before the loop turns to other answers: the critical path goes on
            # from here, and its dependent gets the slot as nothing launches in between.
            return ended(outcome, store())
        self._pump()  # the slot goes to the next call while this answer is stored
        # In a thread, so the fsyncs of this answer do not hold up the other calls.
        return ended(outcome, await asyncio.to_thread(store))

    def _release(self, slot: Slot, actual_usd: float) -> None:
        if slot.held:
            slot.held = False
            self.free += 1
            self.budget.settle(slot.estimate_usd, actual_usd)

    def _take_done(self, takes: Takes, take: int, end: TakeEnd) -> None:
        if takes.add(take, end):
            del self.takes[takes.step.id]
            self._finish(settle(takes, self.ctx.store))
        self._pump()

    def _finish(self, result: StepResult) -> None:
        self.results[result.step_id] = result
        if result.ok and not result.stale and result.key:
            old = self.ctx.lock.get(result.step_id)
            kept = old is not None and old.key == result.key
            picked = bool(kept and old and old.picked)
            # A forced step is a new image nobody approved yet: --force releases an approval.
            approved = bool(kept and old and old.approved and result.step_id not in self.ctx.force)
            entry = LockEntry(result.key, result.selected or 1, result.output_sha, picked, approved)
            self.ctx.lock.record(result.step_id, entry)
        self.unheard.append(result)
        for dependent in self.dependents.get(result.step_id, ()):
            if dependent in self.waiting_on:
                self.waiting_on[dependent] -= 1
                if self.waiting_on[dependent] == 0:
                    self.ready.append(dependent)

    def _tell(self) -> None:
        """Pass finished steps to the listener, after the calls they made ready went out."""
        told, self.unheard, self.telling = self.unheard, [], False
        try:
            for result in told:
                self.ctx.listener.step_finished(result)
        except Exception as error:  # raised by `run`, as for an error inside a take
            self.crash = self.crash or error
            self.all_done.set()
