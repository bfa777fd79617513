"""The `serve` command: the live review viewer on loopback, rebuilt on every save (Ctrl-C stops)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from storyforge.cli import startup
from storyforge.cli.options import out_option, split_names, story_argument

OUTPUT_NAMES = "contact_sheet, viewer, board, animatic, pages, takes"


@click.command()
@story_argument
@out_option
@click.option(
    "--provider",
    type=click.Choice(["sketch", "auto", "gemini", "cometapi"]),
    default="sketch",
    show_default=True,
    help="Who makes the images; a paid provider only when named here.",
)
@click.option("--model", help="Use this model for every step.")
@click.option(
    "--outputs",
    multiple=True,
    metavar="NAME",
    help=f"More outputs to rebuild besides the viewer: {OUTPUT_NAMES} (repeat or comma-separate).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="A loopback address.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
    help="The port; 0 picks a free one.",
)  # fmt: skip
def serve(
    story: Path,
    out: Path | None,
    provider: str,
    model: str | None,
    outputs: tuple[str, ...],
    host: str,
    port: int,
) -> None:
    """Serve STORY's viewer on loopback and rebuild it on every save of the story's files."""
    # Imported here so that `--help` and other commands do not load the whole pipeline.
    from storyforge.build import serve as serving
    from storyforge.build.pipeline import BuildReport
    from storyforge.build.progress import Progress, format_failures, format_summary

    startup.loaded()

    def built(report: BuildReport) -> None:
        click.echo(format_summary(report.results, report.calls, report.spent_usd, None))
        for line in format_failures(report.results, report.places):
            click.echo(line, err=True)

    events = serving.ServeEvents(
        ready=lambda url: click.echo(f"storyforge: serving {url} (Ctrl-C to stop)"),
        changed=lambda paths: click.echo(f"changed: {', '.join(p.name for p in paths)}"),
        built=built,
        failed=lambda message: click.echo(message, err=True),
    )
    options = serving.ServeOptions(
        story=story, out=out, provider=provider, model=model, outputs=split_names(outputs),
        host=host, port=port, env=dict(os.environ),
    )  # fmt: skip
    try:
        serving.serve(options, Progress(), events)
    except KeyboardInterrupt:
        click.echo("storyforge: stopped serving", err=True)


COMMANDS: list[click.Command] = [serve]
