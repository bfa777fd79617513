"""`storyforge batches`: the key's Batch API jobs listed, one cancelled."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from storyforge.cli.options import echo_json, json_flag, story_option

if TYPE_CHECKING:
    from storyforge.providers.batch import BatchClient
    from storyforge.providers.batch_wire import JobStatus

T = TypeVar("T")


def _with_client(work: Callable[[BatchClient], Awaitable[T]]) -> T:
    # Imported here so that other commands start without httpx and the batch client.
    from storyforge.providers import open_provider, options_from_env
    from storyforge.providers.batch import BatchClient

    options = options_from_env("gemini", os.environ)

    async def run() -> T:
        async with open_provider("gemini", options) as provider:
            http = provider.http  # type: ignore[attr-defined]
            return await work(BatchClient(http, warn=lambda text: click.echo(text, err=True)))

    return asyncio.run(run())


def _local_names(story: Path) -> set[str]:
    from storyforge.build.batch_receipts import Receipts
    from storyforge.store.objects import Store

    receipts = Receipts(Store.beside(story).root, lambda text: click.echo(text, err=True))
    return {r.name or r.display_name for r in receipts.all()}


def _line(job: JobStatus, ours: set[str], now: dt.datetime) -> str:
    age = job.age(now)
    hours = f"{age.total_seconds() / 3600:.1f} h" if age is not None else "?"
    stats = job.stats
    rows = f"{stats.get('successfulRequestCount', 0)}/{stats.get('requestCount', 0)} ok"
    if stats.get("failedRequestCount"):
        rows += f", {stats['failedRequestCount']} failed"
    mark = "*" if job.name in ours or job.display_name in ours else " "
    return f"{mark} {job.name}  {job.state:<9}  {hours:>7}  {rows}  {job.display_name}"


@click.group("batches")
def batches_group() -> None:
    """List or cancel the Gemini Batch API jobs of this key (those of `build --batch`)."""


@batches_group.command("list")
@story_option
@json_flag
def list_command(story: Path, as_json: bool) -> None:
    """Every batch job of the key; * marks the ones this story's build is waiting for."""
    jobs = _with_client(lambda client: client.jobs())
    ours = _local_names(story)
    if as_json:
        echo_json([
            {"name": j.name, "display_name": j.display_name, "state": j.state,
             "created": j.created.isoformat() if j.created else None, "stats": j.stats,
             "ours": j.name in ours or j.display_name in ours}
            for j in jobs
        ])  # fmt: skip
        return
    if not jobs:
        click.echo("no batch jobs")
        return
    now = dt.datetime.now(dt.UTC)
    for job in jobs:
        click.echo(_line(job, ours, now))


@batches_group.command("cancel")
@click.argument("name")
def cancel_command(name: str) -> None:
    """Cancel the batch job NAME (batches/…): rows not yet run are never made."""
    from storyforge.errors import UsageError

    if not name.startswith("batches/"):
        name = f"batches/{name}"
    if "/" in name.removeprefix("batches/") or name == "batches/":
        raise UsageError(f"{name} is not a batch job name; storyforge batches list shows them")

    async def cancel(client: BatchClient) -> str:
        await client.cancel(name)
        return (await client.get(name)).state

    click.echo(f"{name}: {_with_client(cancel)}")


COMMANDS: list[click.Command] = [batches_group]
