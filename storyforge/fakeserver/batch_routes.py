"""The Batch API over HTTP: create (a JSONL file or inline rows), get, list, cancel, delete."""

from __future__ import annotations

import json
import time
from typing import Any

from storyforge.fakeserver.batches import BatchJob, BatchStore, operation
from storyforge.fakeserver.envelopes import google_error, invalid_argument
from storyforge.fakeserver.exchange import Answer, Incoming, json_answer
from storyforge.fakeserver.files import FileStore
from storyforge.fakeserver.validate import known_model, read_json

_PAGE = 50  # the service's page size when none is asked for (unverified)
_QUOTA = (
    "You exceeded your current quota, please check your plan and billing details. For more "
    "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."
)


def create(
    jobs: BatchStore, files: FileStore, request: Incoming, model: str, version: str
) -> Answer:
    """POST models/{m}:batchGenerateContent: a PENDING operation, or the create's error."""
    known_model(model, version)
    batch = read_json(request.body).get("batch")
    if not isinstance(batch, dict):
        raise invalid_argument("Invalid JSON payload received. Expected an object at 'batch'.")
    source = _field(batch, "inputConfig", "input_config")
    if not isinstance(source, dict):
        raise invalid_argument("* GenerateContentBatch.input_config: required field is not set.")
    file_name = _field(source, "fileName", "file_name")
    inline = _field(source, "requests", "requests")
    if bool(file_name) == bool(inline):
        raise invalid_argument("Exactly one of input_config.file_name or requests must be set.")
    rows = _inline_rows(inline) if inline else _file_rows(files, str(file_name))
    fault = jobs.next_fault()
    name = str(_field(batch, "displayName", "display_name") or "")
    if fault == "429-create":
        raise google_error(429, "RESOURCE_EXHAUSTED", _QUOTA)
    job = jobs.create(
        BatchJob(
            id="", model=model, display_name=name,
            input_file=str(file_name) if file_name else None, rows=rows, created=time.time(),
            fault=fault, inline=bool(inline),
        )
    )  # fmt: skip
    if fault == "drop-after-create":
        return Answer(0, drop=True)  # made, billed, and the client never hears of it
    if fault == "503-after-create":
        raise google_error(503, "UNAVAILABLE", "The service is currently unavailable.")
    return json_answer(operation(job, jobs.settings.state_style))


def get(jobs: BatchStore, job_id: str) -> Answer:
    """GET batches/{id}: the operation as it stands now."""
    return json_answer(operation(jobs.get(job_id), jobs.settings.state_style))


def list_jobs(jobs: BatchStore, request: Incoming) -> Answer:
    """GET batches?pageSize=&pageToken=: {"operations": [...], "nextPageToken"?}."""
    size_text = request.query.get("pageSize", "") or str(_PAGE)
    token = request.query.get("pageToken", "") or "0"
    if not size_text.isdigit() or not token.isdigit():
        raise invalid_argument("Invalid page size or page token.")
    size, start = max(1, min(int(size_text), 1000)), int(token)
    every = jobs.jobs()
    page = [operation(j, jobs.settings.state_style) for j in every[start : start + size]]
    answer: dict[str, Any] = {"operations": page} if page else {}
    if start + size < len(every):
        answer["nextPageToken"] = str(start + size)
    return json_answer(answer)


def cancel(jobs: BatchStore, job_id: str) -> Answer:
    """POST batches/{id}:cancel: {} (the next get shows CANCELLED)."""
    jobs.cancel(job_id)
    return json_answer({})


def delete(jobs: BatchStore, job_id: str) -> Answer:
    """DELETE batches/{id}: {}; the job and its output file are gone afterwards."""
    jobs.delete(job_id)
    return json_answer({})


def download(jobs: BatchStore, file_id: str) -> Answer:
    """GET /download/v1beta/files/batch-{id}:download?alt=media: the result JSONL, raw."""
    if not file_id.startswith("batch-"):
        # Uploaded files cannot be downloaded, only generated ones (BATCH.md §4.2).
        raise google_error(400, "INVALID_ARGUMENT", "Only generated files can be downloaded.")
    try:
        job = jobs.get(file_id.removeprefix("batch-"))
    except Exception:
        raise google_error(404, "NOT_FOUND", f"File files/{file_id} was not found.") from None
    if job.state != "SUCCEEDED" or job.inline:
        raise google_error(404, "NOT_FOUND", f"File files/{file_id} was not found.")
    text = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in job.lines)
    return Answer(200, text.encode(), content_type="application/octet-stream")


def _field(data: dict[str, Any], camel: str, snake: str) -> Any:
    return data.get(camel, data.get(snake))


def _file_rows(files: FileStore, file_name: str) -> list[dict[str, Any]]:
    data = files.get(file_name.removeprefix("files/")).data
    rows = []
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            # One malformed line rejects the whole create, and no job is made (BATCH.md §2.6).
            raise invalid_argument(f"Invalid JSON in line {number} of {file_name}.") from None
        if not isinstance(row, dict) or not isinstance(row.get("request"), dict):
            raise invalid_argument(f"Line {number} of {file_name} has no request object.")
        rows.append(row)
    if not rows:
        raise invalid_argument(f"{file_name} holds no requests.")
    return rows


def _inline_rows(inline: Any) -> list[dict[str, Any]]:
    entries = inline.get("requests") if isinstance(inline, dict) else None
    if not isinstance(entries, list) or not entries:
        raise invalid_argument("input_config.requests.requests must hold at least one request.")
    rows = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("request"), dict):
            raise invalid_argument("Each inlined request needs a request object.")
        key = (entry.get("metadata") or {}).get("key")
        rows.append({"request": entry["request"], **({"key": key} if key else {})})
    return rows
