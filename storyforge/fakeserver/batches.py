"""Batch jobs of the fake service: their clock (pending, running, done), rows, cancel and expiry."""

from __future__ import annotations

import datetime as dt
import secrets
import string
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from storyforge.fakeserver.envelopes import google_error

EXPIRY_S = 48 * 3600.0  # BATCH.md §5.1: pending or running past 48 h ends EXPIRED
_ID_ALPHABET = string.ascii_lowercase + string.digits
_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main."
_ROW_ERROR = {"code": 13, "message": "Internal error encountered."}
BATCH_FAULTS = frozenset({"drop-after-create", "503-after-create", "429-create", "fail", "expire"})
# Each input row becomes {"response": …} or {"error": …}; made by the App from its request.
RowRunner = Callable[[str, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class BatchSettings:
    """How the fake batch service behaves: how long a job takes and which rows fail.

    `row_error_every` N > 0 makes every Nth row (1-based) an INTERNAL error row inside a
    job that still succeeds; `state_style` "JOB" answers the SDKs' `JOB_STATE_*` spelling
    (the wire's is `BATCH_STATE_*`) so a client can be tested against both.
    """

    pending_s: float = 0.0
    run_s: float = 1.0
    row_error_every: int = 0
    expiry_s: float = EXPIRY_S
    state_style: str = "BATCH"


@dataclass(slots=True)
class BatchJob:
    """One job: its input rows, its clock and, once run, its result lines."""

    id: str
    model: str
    display_name: str
    input_file: str | None
    rows: list[dict[str, Any]]
    created: float
    fault: str | None = None
    cancelled: bool = False
    ended: float | None = None
    state: str = "PENDING"
    lines: list[dict[str, Any]] = field(default_factory=list)
    inline: bool = False


class BatchStore:
    """Jobs by id; time moves them on when they are looked at. Safe from many threads."""

    def __init__(self, settings: BatchSettings, run_row: RowRunner) -> None:
        self.settings = settings
        self._run_row = run_row
        self._jobs: dict[str, BatchJob] = {}
        self._faults: deque[str] = deque()
        self._lock = threading.Lock()
        self.created = 0  # jobs ever created, for tests ("never a duplicate")
        self.rows = 0  # rows of every job ever created ("no call paid twice")

    def enqueue(self, *names: str) -> None:
        """Give the next created jobs these faults, one each (see BATCH_FAULTS)."""
        unknown = sorted(set(names) - BATCH_FAULTS)
        if unknown:
            known = ", ".join(sorted(BATCH_FAULTS))
            raise ValueError(f"unknown batch fault {', '.join(unknown)}; known: {known}")
        with self._lock:
            self._faults.extend(names)

    def next_fault(self) -> str | None:
        """The fault of the job about to be created, if one is queued."""
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def create(self, job: BatchJob) -> BatchJob:
        """Keep a new job and start running its rows in the background."""
        job.id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(36))
        with self._lock:
            self._jobs[job.id] = job
            self.created += 1
            self.rows += len(job.rows)
        threading.Thread(target=self._run, args=(job,), daemon=True).start()
        return job

    def get(self, job_id: str) -> BatchJob:
        """A job brought up to date; 404 NOT_FOUND for an unknown or deleted one."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise google_error(404, "NOT_FOUND", f"Requested entity was not found: {job_id}")
            self._advance(job)
            return job

    def jobs(self) -> list[BatchJob]:
        """Every job, newest first, brought up to date."""
        with self._lock:
            for job in self._jobs.values():
                self._advance(job)
            return sorted(self._jobs.values(), key=lambda j: -j.created)

    def cancel(self, job_id: str) -> None:
        """Stop a job; cancelling one that has ended is a 400 FAILED_PRECONDITION."""
        job = self.get(job_id)
        with self._lock:
            if job.state not in ("PENDING", "RUNNING"):
                raise google_error(400, "FAILED_PRECONDITION", "The batch has already ended.")
            job.cancelled = True
            self._advance(job)

    def delete(self, job_id: str) -> None:
        """Forget a job and its results (the output file goes with it)."""
        self.get(job_id)
        with self._lock:
            self._jobs.pop(job_id, None)

    def expire_all(self) -> None:
        """End every job not yet done as EXPIRED, as if 48 hours had passed."""
        with self._lock:
            for job in self._jobs.values():
                self._advance(job)
                if job.state in ("PENDING", "RUNNING"):
                    job.state, job.ended = "EXPIRED", time.time()

    def _run(self, job: BatchJob) -> None:
        # Rows are answered while the job "runs", so a large job's drawing is spread out.
        time.sleep(self.settings.pending_s)
        every = self.settings.row_error_every
        lines: list[dict[str, Any]] = []
        for number, row in enumerate(job.rows, 1):
            if job.cancelled:
                return
            if every and number % every == 0:
                line: dict[str, Any] = {"error": dict(_ROW_ERROR)}
            else:
                line = self._run_row(job.model, row["request"])
            lines.append({**line, "key": row["key"]} if "key" in row else line)
        with self._lock:
            job.lines = lines

    def _advance(self, job: BatchJob) -> None:
        if job.state not in ("PENDING", "RUNNING"):
            return
        s = self.settings
        now = time.time()
        age, run_end = now - job.created, s.pending_s + s.run_s
        if job.cancelled:
            job.state, job.ended = "CANCELLED", now
        elif age >= s.expiry_s or (job.fault == "expire" and age >= run_end):
            job.state, job.ended = "EXPIRED", now
        elif age < s.pending_s:
            job.state = "PENDING"
        elif age < run_end or len(job.lines) < len(job.rows):
            job.state = "RUNNING"
        else:
            job.state, job.ended = ("FAILED" if job.fault == "fail" else "SUCCEEDED"), now


def stamp(seconds: float) -> str:
    """A protobuf Timestamp with nanoseconds, as the service writes them."""
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def operation(job: BatchJob, style: str, base: str = "files/batch-") -> dict[str, Any]:
    """The long-running Operation of a job, shaped as the captures in BATCH.md §2.5 and §3.3."""
    meta: dict[str, Any] = {
        "@type": _TYPE + "GenerateContentBatch",
        "model": f"models/{job.model}",
        "displayName": job.display_name,
    }
    if job.input_file:
        meta["inputConfig"] = {"fileName": job.input_file}
    done = job.state not in ("PENDING", "RUNNING")
    output = _output(job, base) if job.state == "SUCCEEDED" else None
    if output:
        meta["output"] = output
    meta["createTime"] = stamp(job.created)
    if done and job.ended:
        meta["endTime"] = stamp(job.ended)
    meta["updateTime"] = stamp(job.ended or job.created)
    meta["batchStats"] = _stats(job)
    meta["state"] = f"{style}_STATE_{job.state}"
    meta["name"] = f"batches/{job.id}"
    answer: dict[str, Any] = {"name": f"batches/{job.id}", "metadata": meta}
    if done:
        answer["done"] = True
    if output:
        answer["response"] = {"@type": _TYPE + "GenerateContentBatchOutput", **output}
    elif done:
        answer["error"] = _job_error(job.state)
    return answer


def _output(job: BatchJob, base: str) -> dict[str, Any]:
    if job.inline:
        return {"inlinedResponses": {"inlinedResponses": [_inlined(line) for line in job.lines]}}
    return {"responsesFile": f"{base}{job.id}"}


def _inlined(line: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in line.items() if k != "key"}
    return {"metadata": {"key": line["key"]}, **out} if "key" in line else out


def _stats(job: BatchJob) -> dict[str, str]:
    # int64 counters are strings and zero counters are left out (BATCH.md §2.5).
    total = len(job.rows)
    failed = sum("error" in line for line in job.lines) if job.state == "SUCCEEDED" else 0
    counts = {"requestCount": total}
    if job.state == "SUCCEEDED":
        counts |= {"successfulRequestCount": total - failed, "failedRequestCount": failed}
    elif job.state in ("PENDING", "RUNNING"):
        counts["pendingRequestCount"] = total
    return {k: str(v) for k, v in counts.items() if v}


def _job_error(state: str) -> dict[str, Any]:
    # Live, a cancelled job carried code 13 rather than the LRO contract's 1 (BATCH.md §3.4).
    messages = {
        "CANCELLED": "The batch was cancelled.",
        "EXPIRED": "The batch expired: it was pending or running for more than 48 hours.",
        "FAILED": "Internal error encountered.",
    }
    return {"code": 13, "message": messages[state]}
