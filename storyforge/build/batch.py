"""`build --batch`: each wave of ready calls becomes one Batch API job, at half price.

The scheduler runs as for an interactive build, with every ready call in flight at
once; this provider holds them. When no new call has come for `quiet_s`, the calls
held so far are one wave: rows already in a job of an earlier (interrupted) build
wait for that job, the rest are uploaded as JSONL and become one job per model. Its
receipt (see `batch_receipts`) is written before anything else, so the next build
resumes the same job. Each row's outcome goes back to the call that asked for it, and
the scheduler stores it exactly as an interactive answer, under the same request key.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from storyforge.build.batch_receipts import Receipt, Receipts
from storyforge.errors import ProviderError
from storyforge.providers.base import GenerateRequest, ModelListing, Outcome, Provider
from storyforge.providers.batch import BatchClient, read_results
from storyforge.providers.batch_wire import row_line
from storyforge.providers.pricing import batch_cost_usd

MAX_ROWS = 500  # a few hundred images per job (BATCH.md §9): results stay a few GB
# Jobs of this build active at once: well under the project's 100 (BATCH.md §5.3), and a
# later chunk is created only as an earlier one ends, as the enqueued-token ceiling wants.
MAX_JOBS = 20
WAVE_SLOTS = 1_000_000  # the scheduler's concurrency in batch mode: a whole wave at once


@dataclass(slots=True)
class _Held:
    request: GenerateRequest
    waiters: list[asyncio.Future[Outcome]]


class BatchProvider:
    """A provider that answers calls from batch jobs; see the module docstring."""

    name: ClassVar[str] = "gemini"
    key_env_var: ClassVar[str | None] = "GEMINI_API_KEY"
    supports_streaming: ClassVar[bool] = False

    def __init__(
        self,
        inner: Provider,
        client: BatchClient,
        receipts: Receipts,
        notice: Callable[[str], None],
        *,
        quiet_s: float = 0.2,
    ) -> None:
        self.inner, self.client, self.receipts, self.notice = inner, client, receipts, notice
        self.quiet_s = quiet_s
        self.held: dict[str, _Held] = {}  # row key -> the calls waiting for it
        self.unsent: list[str] = []
        self.jobs: set[asyncio.Task[None]] = set()
        self.timer: asyncio.TimerHandle | None = None
        self.delivered: set[str] = set()
        self.delivering = 0
        self.tag = hashlib.sha256(str(receipts.root).encode()).hexdigest()[:8]
        self.active = asyncio.Semaphore(MAX_JOBS)

    async def generate(self, request: GenerateRequest) -> Outcome:
        """Wait for this call's row in a batch job; never raises for API failures."""
        base = key = row_key(request)
        # Takes of an unseeded step are the same request, and each must be its own row.
        copy = 1
        while key in self.held:
            copy += 1
            key = f"{base}-{copy}"
        waiter: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.held[key] = _Held(request, [waiter])
        self.unsent.append(key)
        self._later()
        return await waiter

    async def list_models(self) -> list[ModelListing]:
        """The wrapped provider's models."""
        return await self.inner.list_models()

    async def aclose(self) -> None:
        """Stop waiting (the jobs go on at the service; the next build resumes them)."""
        for task in self.jobs:
            task.cancel()
        await asyncio.gather(*self.jobs, return_exceptions=True)
        self._tidy()

    def _later(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if not self.delivering:
            loop = asyncio.get_running_loop()
            self.timer = loop.call_later(self.quiet_s, self._wave)

    def _wave(self) -> None:
        self.timer = None
        keys, self.unsent = self.unsent, []
        known = {row: receipt for receipt in self.receipts.all() for row in receipt.rows}
        resumed: dict[str, Receipt] = {}
        fresh: dict[str, list[str]] = {}
        for key in keys:
            if key in known:
                resumed[known[key].display_name] = known[key]
            else:
                fresh.setdefault(self.held[key].request.model, []).append(key)
        for receipt in resumed.values():
            self._start(self._resume(receipt), [k for k in keys if k in receipt.rows])
        for model, rows in fresh.items():
            for at in range(0, len(rows), MAX_ROWS):
                chunk = rows[at : at + MAX_ROWS]
                self._start(self._submit(model, chunk), chunk)

    def _start(self, job: Coroutine[Any, Any, None], rows: list[str]) -> None:
        task = asyncio.create_task(self._guarded(job, rows))
        self.jobs.add(task)
        task.add_done_callback(self.jobs.discard)

    async def _guarded(self, job: Coroutine[Any, Any, None], rows: list[str]) -> None:
        try:
            async with self.active:
                await job
        except asyncio.CancelledError:
            job.close()  # cancelled while waiting for its turn: it never started
            raise
        except ProviderError as error:
            self._fail(rows, str(error))
        except Exception as error:  # a bug or a full disk fails these calls, not the build
            self._fail(rows, f"batch: {type(error).__name__}: {error}")

    async def _submit(self, model: str, rows: list[str]) -> None:
        if not rows:
            return
        display = f"storyforge-{self.tag}-{secrets.token_hex(6)}"
        labels = {row: self.held[row].request.label for row in rows}
        receipt = self.receipts.save(Receipt(display, model, labels, submitted=_now()))
        try:
            lines = [(row, self.held[row].request) for row in rows]
            file = await self.client.upload_rows(lines, display)
            receipt = self.receipts.update(receipt, input_file=file)
            job = await self.client.create(model, file, display)
            # Recorded the moment it exists: an interrupted build resumes this job.
            receipt = self.receipts.update(receipt, name=job.name, state="created")
            self.notice(f"storyforge: batch job {job.name}: {len(rows)} calls submitted")
        except ProviderError:
            if not receipt.name:
                self.receipts.drop(receipt)  # refused: no job was made
            raise
        await self._finish(receipt)

    async def _resume(self, receipt: Receipt) -> None:
        if receipt.state == "submitting":
            # Interrupted around the create: the service's list says whether it happened.
            found = await self.client.find(receipt.display_name)
            if found is None:  # never created: submit the rows afresh
                self.receipts.drop(receipt)
                wanted = [row for row in receipt.rows if row in self.held]
                await self._submit(receipt.model, wanted)
                return
            receipt = self.receipts.update(receipt, name=found.name, state="created")
        if receipt.state == "created":
            self.notice(f"storyforge: resuming batch job {receipt.name}")
        await self._finish(receipt)

    async def _finish(self, receipt: Receipt) -> None:
        if receipt.state != "downloaded":
            receipt = await self._download(receipt)
        if receipt.state == "downloaded":
            await self._deliver(receipt)

    async def _download(self, receipt: Receipt) -> Receipt:
        status = await self.client.wait(receipt.name)
        if status.state != "SUCCEEDED":
            self.receipts.drop(receipt)
            self._fail(list(receipt.rows), status.ending())
            return receipt
        await self.client.download(status, self.receipts.results_path(receipt))
        receipt = self.receipts.update(receipt, state="downloaded")
        try:  # the results are on disk: the job and its output file may go
            await self.client.delete(receipt.name)
        except ProviderError as error:
            self.notice(f"storyforge: batch job {receipt.name} kept at the service: {error}")
        return receipt

    async def _deliver(self, receipt: Receipt) -> None:
        self.delivering += 1
        try:
            seen: set[str] = set()
            async for row, outcome in read_results(self.receipts.results_path(receipt)):
                seen.add(row)
                self._answer(row, outcome)
            self._fail([r for r in receipt.rows if r not in seen], "no result line for this row")
        finally:
            self.delivering -= 1
            if self.unsent:
                self._later()

    def _answer(self, row: str, outcome: Outcome) -> None:
        held = self.held.pop(row, None)
        if held is None:
            return  # a row of the job this build does not need (yet): kept on disk
        request = held.request
        cost = batch_cost_usd(outcome.usage, request.model, request.image_size, len(outcome.images))
        self.delivered.add(row)
        for waiter in held.waiters:
            if not waiter.done():
                waiter.set_result(replace(outcome, cost_usd=cost))

    def _fail(self, rows: list[str], reason: str) -> None:
        for row in rows:
            self._answer(row, Outcome("failed", reason=reason))

    def _tidy(self) -> None:
        # A downloaded job whose every row this build kept is done with.
        for receipt in self.receipts.all():
            if receipt.state == "downloaded" and receipt.rows.keys() <= self.delivered:
                self.receipts.drop(receipt)


def row_key(request: GenerateRequest) -> str:
    """The JSONL key of a call: a hash of the exact request line, images included."""
    line = row_line("", request)
    return "r" + hashlib.sha256(request.model.encode() + b"\0" + line).hexdigest()[:40]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
