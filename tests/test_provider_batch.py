"""The batch client against the fake server over loopback: create once, poll, judge every row."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from storyforge.errors import ProviderError
from storyforge.fakeserver import BatchSettings, FakeGemini, Faults
from storyforge.providers import open_provider
from storyforge.providers.base import GenerateRequest, ProviderOptions
from storyforge.providers.batch import BatchClient, Polling, read_results
from storyforge.providers.batch_wire import JobStatus, parse_operation, state_of
from storyforge.providers.gemini import GeminiProvider
from tests.fakeserver_support import KEY, MODEL

T = TypeVar("T")
FAST = Polling(initial_s=0.02, factor=1.5, max_s=0.1, attempts=3)


def run(server: FakeGemini, work: Callable[[BatchClient], Awaitable[T]], **kw: object) -> T:
    options = ProviderOptions(api_key=KEY, base_url=server.base_url, timeout_s=20)

    async def go() -> T:
        async with open_provider("gemini", options) as provider:
            assert isinstance(provider, GeminiProvider)
            return await work(BatchClient(provider.http, polling=FAST, **kw))  # type: ignore[arg-type]

    return asyncio.run(go())


def rows(*texts: str) -> list[tuple[str, GenerateRequest]]:
    return [(f"k{n}", GenerateRequest(model=MODEL, text=t)) for n, t in enumerate(texts)]


async def submit(client: BatchClient, *texts: str, name: str = "sf-test") -> JobStatus:
    file = await client.upload_rows(rows(*texts), name)
    return await client.create(MODEL, file, name)


def creates(server: FakeGemini) -> int:
    return sum(r["route"] == "batchGenerateContent" for r in server.requests)


def test_a_job_is_created_polled_and_every_row_read(tmp_path: Path) -> None:
    settings = BatchSettings(run_s=0.2, row_error_every=3)
    faults = Faults(block_word="forbidden")
    with FakeGemini(api_key=KEY, batch=settings, faults=faults) as srv:

        async def work(client: BatchClient) -> dict[str, str]:
            job = await submit(client, "a lighthouse", "a forbidden thing", "a boat", "a gull")
            assert job.state == "PENDING" and job.display_name == "sf-test"
            seen: list[JobStatus] = []
            done = await client.wait(job.name, seen.append)
            assert done.state == "SUCCEEDED" and done.responses_file
            path = await client.download(done, tmp_path / "results.jsonl")
            return {key: outcome.status async for key, outcome in read_results(path)}

        statuses = run(srv, work)
    # A succeeded job holds a generated, a blocked and a failed row: each judged alone.
    assert statuses == {"k0": "generated", "k1": "blocked", "k2": "failed", "k3": "generated"}
    upload = next(r for r in srv.requests if r["route"] == "upload")
    assert upload["headers"]["x-goog-upload-header-content-type"] == "application/jsonl"


def test_the_sdk_state_spelling_is_understood(tmp_path: Path) -> None:
    with FakeGemini(api_key=KEY, batch=BatchSettings(run_s=0.1, state_style="JOB")) as srv:

        async def work(client: BatchClient) -> str:
            done = await client.wait((await submit(client, "a cat")).name)
            return done.raw_state

        assert run(srv, work) == "JOB_STATE_SUCCEEDED"
    assert state_of("job_state_running") == "RUNNING" and state_of(None) == "UNSPECIFIED"


@pytest.mark.parametrize("fault", ["drop-after-create", "503-after-create"])
def test_an_ambiguous_create_is_resolved_by_the_display_name(fault: str) -> None:
    with FakeGemini(api_key=KEY, batch=BatchSettings(run_s=0.1)) as srv:
        srv.enqueue_batch(fault)

        async def work(client: BatchClient) -> JobStatus:
            return await submit(client, "a cat", name="sf-ambiguous")

        job = run(srv, work)
    assert job.display_name == "sf-ambiguous"
    assert srv.batches_created == 1 and creates(srv) == 1  # listed, never created twice
    assert any(r["route"] == "listBatches" for r in srv.requests)


def test_a_refused_create_says_what_to_do() -> None:
    with FakeGemini(api_key=KEY) as srv:

        async def work(client: BatchClient) -> JobStatus:
            return await client.create(MODEL, "files/nothere", "sf-x")

        with pytest.raises(ProviderError, match="batch create failed: HTTP 403"):
            run(srv, work)
    assert srv.batches_created == 0


@pytest.mark.parametrize(("fault", "state"), [("fail", "FAILED"), ("expire", "EXPIRED")])
def test_a_job_that_ends_without_results_is_reported(fault: str, state: str) -> None:
    with FakeGemini(api_key=KEY, batch=BatchSettings(run_s=0.1)) as srv:
        srv.enqueue_batch(fault)

        async def work(client: BatchClient) -> JobStatus:
            return await client.wait((await submit(client, "a cat")).name)

        done = run(srv, work)
    assert done.state == state and not done.responses_file
    assert "build again" in done.ending()
    if state == "EXPIRED":
        assert "48 h" in done.ending()


def test_a_job_older_than_48_hours_is_reported_expired() -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=49)
    with FakeGemini(api_key=KEY, batch=BatchSettings(run_s=60)) as srv:

        async def work(client: BatchClient) -> JobStatus:
            return await client.wait((await submit(client, "a cat")).name)

        done = run(srv, work, clock=lambda: later)
    assert done.state == "EXPIRED" and "48 h" in done.ending()


def test_jobs_are_listed_cancelled_and_deleted() -> None:
    with FakeGemini(api_key=KEY, batch=BatchSettings(run_s=60)) as srv:

        async def work(client: BatchClient) -> tuple[list[str], str, bool]:
            job = await submit(client, "a cat", name="sf-listed")
            names = [j.display_name for j in await client.jobs()]
            await client.cancel(job.name)
            state = (await client.get(job.name)).state
            await client.delete(job.name)
            return names, state, await client.find("sf-listed") is None

        names, state, gone = run(srv, work)
    assert names == ["sf-listed"] and state == "CANCELLED" and gone


def test_operations_are_read_from_either_result_field() -> None:
    base = {"name": "batches/abc", "done": True}
    meta = {"state": "BATCH_STATE_SUCCEEDED", "createTime": "2026-09-20T10:02:11.508112934Z"}
    only_meta = parse_operation(
        base | {"metadata": meta | {"output": {"responsesFile": "files/batch-abc"}}}
    )
    only_response = parse_operation(
        base | {"metadata": meta, "response": {"responsesFile": "files/batch-abc"}}
    )
    assert only_meta.responses_file == only_response.responses_file == "files/batch-abc"
    assert only_meta.created == dt.datetime(2026, 9, 20, 10, 2, 11, 508112, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="not a batch operation"):
        parse_operation({"name": "operations/x"})
