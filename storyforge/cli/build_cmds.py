"""The `build` command: options in, summary and exit code out (1 failed, 130 INT, 143 TERM)."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from storyforge.cli import startup
from storyforge.cli.options import echo_json, json_flag, out_option, split_names, story_argument

if TYPE_CHECKING:
    from storyforge.build.pipeline import BuildReport

T = TypeVar("T")


EXIT_TERMINATED = 128 + signal.SIGTERM  # what a shell reports for a process ended by SIGTERM
WAVE_SLOTS = 1_000_000  # --batch: no limit on calls in flight, each wave is one job
ADAPTIVE_CEILING = 16  # no --concurrency: the window adapts up to this (the HTTP pool's room)


async def _until_terminated(build: Coroutine[Any, Any, T], stopped: list[int]) -> T:
    """Run the build; SIGTERM stops it as Ctrl-C does, so the lock and manifest are saved."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def terminate() -> None:
        stopped.append(signal.SIGTERM)
        if task is not None:
            task.cancel()

    loop.add_signal_handler(signal.SIGTERM, terminate)
    try:
        return await build
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


def _shown(path: Path) -> str:
    """The path relative to the current folder when it is inside it, else absolute."""
    absolute = path.resolve()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(absolute)


@click.command()
@story_argument
@out_option
@click.option(
    "--provider",
    type=click.Choice(["auto", "gemini", "cometapi", "sketch"]),
    default="auto",
    show_default=True,
    help="Who makes the images; auto is gemini when a key is set, else sketch.",
)
@click.option("--model", help="Use this model for every step.")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    help="Calls at once [default: adapts, 4 up to 16, to the account's limit].",
)
@click.option(
    "--rpm", type=click.FloatRange(min=0, min_open=True), help="Requests per minute at most."
)
@click.option(
    "--max-cost",
    "max_cost",
    type=click.FloatRange(min=0),
    metavar="USD",
    help="Start no call that could pass this spend.",
)
@click.option(
    "--only",
    multiple=True,
    metavar="ID",
    help="Build these steps and what they need (repeat or comma-separate).",
)
@click.option(
    "--force", multiple=True, metavar="ID", help="Regenerate these steps even when cached."
)
@click.option(
    "--batch", is_flag=True, help="Through the Gemini Batch API: half price, minutes to hours."
)
@click.option("--dry-run", is_flag=True, help="Show the plan; make no call.")
@click.option("--debug-http", is_flag=True, help="Log HTTP requests and responses (keys redacted).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="S",
    help="Seconds one HTTP request may take in all (connect and every read) [default: 180].",
)
@click.option(
    "--outputs",
    multiple=True,
    metavar="NAME",
    help="Make these outputs instead of the story's choice: contact_sheet, viewer, board, "
    "animatic, pages, takes (repeat or comma-separate).",
)
@json_flag
@click.option(
    "--retries", type=click.IntRange(min=0), metavar="N", help="Retries of a failed call."
)
@click.option(
    "--no-cache", is_flag=True, help="Leave the shared cache (STORYFORGE_CACHE) out of this build."
)
@click.option(
    "--cache-read-only",
    is_flag=True,
    help="Download from the shared cache, upload nothing (as STORYFORGE_CACHE_MODE=read).",
)
def build(
    story: Path,
    out: Path | None,
    provider: str,
    model: str | None,
    concurrency: int | None,
    rpm: float | None,
    max_cost: float | None,
    only: tuple[str, ...],
    force: tuple[str, ...],
    batch: bool,
    dry_run: bool,
    debug_http: bool,
    timeout: float | None,
    retries: int | None,
    outputs: tuple[str, ...],
    as_json: bool,
    no_cache: bool,
    cache_read_only: bool,
) -> None:
    """Build STORY: make every image that is not already in the store, then write OUT."""
    # Imported here so that `--help` and other commands do not load the whole pipeline.
    from storyforge.build import pipeline
    from storyforge.build.executor import Limits
    from storyforge.build.progress import Progress, format_failures, format_summary

    startup.loaded()

    # In batch mode every ready call is in flight at once: a wave is one job.
    slots = WAVE_SLOTS if batch else concurrency or ADAPTIVE_CEILING
    adaptive = concurrency is None and not batch
    options = pipeline.BuildOptions(
        story=story, out=out, provider=provider, model=model,
        limits=Limits(slots, rpm, max_cost, batch, adaptive),
        only=split_names(only), force=split_names(force),
        timeout_s=timeout, retries=retries, debug_http=debug_http, env=dict(os.environ),
        outputs=split_names(outputs), cache=not no_cache, cache_read_only=cache_read_only,
    )  # fmt: skip
    progress = Progress()
    if dry_run:
        click.echo(pipeline.dry_run(options, progress))
        return
    stopped: list[int] = []
    try:
        report = asyncio.run(_until_terminated(pipeline.build(options, progress), stopped))
    except asyncio.CancelledError:  # terminated before the build could settle its steps
        click.echo("storyforge: terminated", err=True)
        raise click.exceptions.Exit(EXIT_TERMINATED) from None
    sheet = _shown(report.contact_sheet) if report.contact_sheet else None
    if as_json:
        echo_json(_report_json(report, sheet))
    else:
        click.echo(format_summary(report.results, report.calls, report.spent_usd, sheet))
    for line in format_failures(report.results, report.places):
        click.echo(line, err=True)
    if report.interrupted:
        click.echo(
            f"storyforge: interrupted; finished steps are kept in {_shown(report.manifest)}",
            err=True,
        )
    if report.interrupted and stopped:
        raise click.exceptions.Exit(EXIT_TERMINATED)
    if report.exit_code:
        raise click.exceptions.Exit(report.exit_code)


def _report_json(report: BuildReport, sheet: str | None) -> dict[str, Any]:
    """`build --json`: what this run did, one document on stdout."""
    steps = [
        {"id": r.step_id, "status": r.status, "reason": r.reason or None, "calls": r.calls,
         "cost_usd": round(r.cost_usd, 6), "selected": r.selected, "sha256": r.output_sha}
        for r in report.results
    ]  # fmt: skip
    return {
        "exit_code": report.exit_code, "interrupted": report.interrupted,
        "provider": report.provider, "calls": report.calls,
        "spent_usd": round(report.spent_usd, 6), "out": _shown(report.out),
        "manifest": _shown(report.manifest), "contact_sheet": sheet, "steps": steps,
    }  # fmt: skip


COMMANDS: list[click.Command] = [build]
