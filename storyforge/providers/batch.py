"""The Gemini Batch API client: upload rows, create once, poll with backoff, read every row."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from storyforge.errors import ProviderError
from storyforge.providers.apierror import ApiError, parse_error
from storyforge.providers.base import GenerateRequest, Outcome
from storyforge.providers.batch_wire import EXPIRY, JobStatus, judge_row, parse_operation, row_line
from storyforge.providers.decoded import checked
from storyforge.providers.files import upload
from storyforge.providers.transport import Http

_JSON = {"Content-Type": "application/json"}
DOWNLOAD_DEADLINE_S = 3600.0  # a result file of a few hundred images is gigabytes
_UNKNOWN_POLLS = 20  # an unknown state is polled this often, with a warning, then given up


@dataclass(frozen=True, slots=True)
class Polling:
    """How often to look at a running job: from `initial_s`, growing by `factor` to `max_s`."""

    initial_s: float = 2.0
    factor: float = 1.5
    max_s: float = 60.0
    attempts: int = 5  # tries of one poll, list or download through transient errors


class BatchClient:
    """Batch jobs of one key; every method raises ProviderError with a one-line reason."""

    def __init__(
        self,
        http: Http,
        *,
        polling: Polling | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        warn: Callable[[str], None] = lambda _text: None,
    ) -> None:
        self.http = http
        self.polling = polling or Polling()
        self.clock = clock
        self.warn = warn

    async def upload_rows(
        self, rows: Sequence[tuple[str, GenerateRequest]], display_name: str
    ) -> str:
        """Upload the rows as one JSONL file; its `files/…` name."""
        data = b"".join(row_line(key, request) for key, request in rows)
        try:
            return (await upload(self.http, data, "application/jsonl", display_name)).name
        except ApiError as error:
            raise ProviderError(f"batch input upload failed: {error.one_line()}") from None

    async def create(self, model: str, file_name: str, display_name: str) -> JobStatus:
        """Create a job; a create whose answer was lost is found by its display name.

        Create is not idempotent (BATCH.md §2.6): before any retry the jobs are listed,
        and a job with this display name is the one made, never a second.
        """
        body = {"batch": {"displayName": display_name, "inputConfig": {"fileName": file_name}}}
        url = self.http.url(f"/v1beta/models/{model.removeprefix('models/')}:batchGenerateContent")
        content = _dumps(body)
        for attempt in range(1, self.polling.attempts + 1):
            try:
                return parse_operation(await self._send_json("POST", url, content))
            except ApiError as error:
                if not error.retryable or attempt == self.polling.attempts:
                    raise ProviderError(_create_failed(error), status=error.status) from None
            except ValueError:
                pass  # an unreadable answer is as ambiguous as a lost one
            if (found := await self.find(display_name)) is not None:
                return found
            await asyncio.sleep(min(self.polling.max_s, self.polling.initial_s * 2**attempt))
        raise ProviderError(f"batch create of {display_name} gave no usable answer")

    async def find(self, display_name: str) -> JobStatus | None:
        """The job with this display name, if the service has one."""
        for job in await self.jobs():
            if job.display_name == display_name:
                return job
        return None

    async def jobs(self) -> list[JobStatus]:
        """Every batch job of the key (all pages)."""
        found: list[JobStatus] = []
        token = ""
        for _ in range(100):  # pages; a guard against a server that never stops paging
            query = "pageSize=50" + (f"&pageToken={token}" if token else "")
            data = await self._retrying("GET", self.http.url(f"/v1beta/batches?{query}"))
            operations = data.get("operations") if isinstance(data, dict) else None
            for operation in operations if isinstance(operations, list) else ():
                try:
                    found.append(parse_operation(operation))
                except ValueError:
                    continue
            token = str(data.get("nextPageToken") or "") if isinstance(data, dict) else ""
            if not token:
                break
        return found

    async def get(self, name: str) -> JobStatus:
        """The job as it stands now."""
        try:
            return parse_operation(await self._retrying("GET", self.http.url(f"/v1beta/{name}")))
        except ValueError as error:
            raise ProviderError(f"{name}: {error}") from None

    async def wait(
        self, name: str, on_poll: Callable[[JobStatus], None] | None = None
    ) -> JobStatus:
        """Poll until the job ends (either state spelling) or has outlived its 48 h."""
        delay, unknown = self.polling.initial_s, 0
        while True:
            status = await self.get(name)
            if on_poll is not None:
                on_poll(status)
            if status.done:
                return status
            if not status.known:
                unknown += 1
                self.warn(f"batch job {name} is in an unknown state {status.raw_state!r}")
                if unknown >= _UNKNOWN_POLLS:
                    raise ProviderError(f"batch job {name} stays in unknown state; check it")
            age = status.age(self.clock())
            if age is not None and age > EXPIRY:
                return JobStatus(name, status.display_name, "EXPIRED", "EXPIRED", status.created)
            await asyncio.sleep(delay)
            delay = min(self.polling.max_s, delay * self.polling.factor)

    async def download(self, status: JobStatus, path: Path) -> Path:
        """Stream the job's result file to `path` (replaced whole, never half-written)."""
        if not status.responses_file:
            raise ProviderError(f"batch job {status.name} names no result file")
        url = self.http.url(f"/download/v1beta/{status.responses_file}:download?alt=media")
        http = Http(self.http.client, self.http.base_url, self.http.auth, self.http.secrets,
                    debug=self.http.debug, deadline_s=max(self.http.deadline_s,
                                                          DOWNLOAD_DEADLINE_S))  # fmt: skip
        for attempt in range(1, self.polling.attempts + 1):
            try:
                return await _stream_to(http, url, path)
            except ApiError as error:
                if not error.retryable or attempt == self.polling.attempts:
                    raise ProviderError(
                        f"batch results of {status.name}: {error.one_line()}"
                    ) from None
            await asyncio.sleep(self.polling.initial_s)
        raise ProviderError(f"batch results of {status.name} could not be read")

    async def cancel(self, name: str) -> None:
        """Ask the service to stop the job (best effort: poll to see it end)."""
        await self._retrying("POST", self.http.url(f"/v1beta/{name}:cancel"), b"{}")

    async def delete(self, name: str) -> None:
        """Forget the job; its result file goes with it, so download first."""
        await self._retrying("DELETE", self.http.url(f"/v1beta/{name}"))

    async def _send_json(self, method: str, url: str, content: bytes | None = None) -> object:
        headers = _JSON if content is not None else None
        response = await self.http.send(method, url, content=content, headers=headers)
        if response.status_code >= 300:
            raise parse_error(
                response.status_code, response.content, response.headers, self.http.secrets
            )
        return response.json() if response.content.strip() else {}

    async def _retrying(
        self, method: str, url: str, content: bytes | None = None
    ) -> dict[str, object]:
        for attempt in range(1, self.polling.attempts + 1):
            try:
                data = await self._send_json(method, url, content)
                return data if isinstance(data, dict) else {}
            except ApiError as error:
                if not error.retryable or attempt == self.polling.attempts:
                    raise ProviderError(error.one_line(), status=error.status) from None
            except ValueError:
                if attempt == self.polling.attempts:
                    raise ProviderError(f"{method} {url}: the answer is not JSON") from None
            await asyncio.sleep(
                min(self.polling.max_s, self.polling.initial_s * 2 ** (attempt - 1))
            )
        raise ProviderError(f"{method} {url} gave no answer")


async def read_results(path: Path) -> AsyncIterator[tuple[str, Outcome]]:
    """Each result line of a downloaded file as (key, outcome), images checked whole."""
    with path.open("rb") as lines:
        for line in lines:
            judged = judge_row(line)
            if judged is not None:
                yield judged[0], await checked(judged[1])


async def _stream_to(http: Http, url: str, path: Path) -> Path:
    partial = path.with_name(path.name + ".part")
    async with http.stream("GET", url, content=b"") as response:
        if response.status_code != 200:
            await response.aread()
            raise parse_error(
                response.status_code, response.content, response.headers, http.secrets
            )
        with partial.open("wb") as out:
            async for chunk in response.aiter_bytes():
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    partial.replace(path)
    return path


def _create_failed(error: ApiError) -> str:
    if error.status == 429:
        return f"batch create refused for quota ({error.one_line()}): wait, or send fewer rows"
    if error.status == 400:
        return f"batch input refused ({error.one_line()}): no job was made"
    return f"batch create failed: {error.one_line()}"


def _dumps(data: object) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()
