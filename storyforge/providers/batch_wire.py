"""The Batch API's wire format: JSONL rows out, operations and result lines read (BATCH.md)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from storyforge.providers.base import GenerateRequest, Outcome
from storyforge.providers.wire import build_body, classify

# BATCH.md §3.2: the wire says BATCH_STATE_*, the SDKs and the guide JOB_STATE_*; both count.
_PREFIXES = ("BATCH_STATE_", "JOB_STATE_")
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED"})
RUNNING = frozenset({"PENDING", "RUNNING"})
EXPIRY = dt.timedelta(hours=48)
_FRACTION = re.compile(r"(\.\d+)")


@dataclass(frozen=True, slots=True)
class JobStatus:
    """A batch job as one `GET batches/{id}` shows it; `state` without its prefix."""

    name: str
    display_name: str = ""
    state: str = "UNSPECIFIED"
    raw_state: str = ""
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    stats: dict[str, int] = field(default_factory=dict)
    responses_file: str | None = None
    error: str = ""

    @property
    def known(self) -> bool:
        """The state is one the Developer API documents."""
        return self.state in TERMINAL | RUNNING

    @property
    def done(self) -> bool:
        """The job has ended (its results, if any, can be read)."""
        return self.state in TERMINAL

    def age(self, now: dt.datetime) -> dt.timedelta | None:
        """How long ago the job was created, when the service said."""
        return now - self.created if self.created else None

    def ending(self) -> str:
        """Why a job that ended without results has none, naming what to do."""
        what = {
            "EXPIRED": "expired: not done within 48 h, so it has no results",
            "CANCELLED": "was cancelled",
            "FAILED": "failed as a whole",
        }.get(self.state, f"ended {self.raw_state or self.state}")
        detail = f" ({self.error})" if self.error else ""
        return f"batch job {self.name} {what}{detail}; build again to submit its rows anew"


def state_of(raw: object) -> str:
    """`SUCCEEDED` from `BATCH_STATE_SUCCEEDED` or `job_state_succeeded`; `UNSPECIFIED` if none."""
    text = str(raw or "").strip().upper()
    for prefix in _PREFIXES:
        text = text.removeprefix(prefix)
    return text or "UNSPECIFIED"


def _time(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    # Nanoseconds do not fit datetime: keep the microseconds.
    text = _FRACTION.sub(lambda m: m.group(1)[:7], value.replace("Z", "+00:00"))
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def parse_operation(data: Any) -> JobStatus:
    """A JobStatus from an Operation; ValueError when it has no `batches/…` name."""
    if not isinstance(data, dict) or not str(data.get("name", "")).startswith("batches/"):
        raise ValueError("the answer is not a batch operation")
    meta, response = _object(data, "metadata"), _object(data, "response")
    output = _object(meta, "output")
    # BATCH.md §4.1: the file is named in `response` and in `metadata.output`; read the first.
    file = response.get("responsesFile") or output.get("responsesFile")
    stats, error = _object(meta, "batchStats"), _object(data, "error")
    raw_state = str(meta.get("state", ""))
    return JobStatus(
        name=str(data["name"]),
        display_name=str(meta.get("displayName") or meta.get("display_name") or ""),
        state=state_of(raw_state),
        raw_state=raw_state,
        created=_time(meta.get("createTime")),
        updated=_time(meta.get("updateTime")),
        stats={str(k): _int(v) for k, v in stats.items()},
        responses_file=str(file) if file else None,
        error=_status_text(error) if error else "",
    )


def row_line(key: str, request: GenerateRequest) -> bytes:
    """One JSONL input line: the key and the interactive request body, images inline.

    Inline rather than Files API references: a job may wait 48 h and an upload lives
    only 48 h (BATCH.md §2.3), and the bytes make the row's key stable across runs.
    """
    line = {"key": key, "request": build_body(request)}
    return json.dumps(line, separators=(",", ":")).encode() + b"\n"


def judge_row(line: bytes) -> tuple[str, Outcome] | None:
    """One result line as (key, outcome), each row judged on its own; None for a blank line.

    An `error` row is failed; a `response` row is classified as an interactive answer,
    so a row without an image is blocked or failed even inside a succeeded job.
    """
    if not line.strip():
        return None
    try:
        data = json.loads(line)
    except ValueError:
        return "", Outcome("failed", reason="batch result line is not JSON")
    if not isinstance(data, dict):
        return "", Outcome("failed", reason="batch result line is not an object")
    key = str(data.get("key", ""))
    if isinstance(data.get("error"), dict):
        return key, Outcome("failed", reason=f"batch row failed: {_status_text(data['error'])}")
    if "response" not in data:
        return key, Outcome("failed", reason="batch row has neither response nor error")
    return key, classify(data["response"])


def _status_text(status: dict[str, Any]) -> str:
    code, message = status.get("code"), " ".join(str(status.get("message", "")).split())
    return f"code {code}: {message}" if code is not None else message or "no detail"


def _object(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name)
    return value if isinstance(value, dict) else {}


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0
