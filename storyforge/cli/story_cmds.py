"""Commands that read a story without building it: `validate` and `schema`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from storyforge.cli.options import diagnostic_json, echo_json, json_flag, story_argument, verbosity
from storyforge.errors import StoryError


@click.command()
@story_argument
@json_flag
@click.pass_context
def validate(ctx: click.Context, story: Path, as_json: bool) -> None:
    """Check STORY and report every problem; never calls a model (exit 2 when invalid)."""
    # Imported here so that `schema` and `--help` do not load the whole compiler.
    from storyforge.compile.compiler import compile_plan, load_checked

    try:
        loaded = load_checked(story)
        plan = compile_plan(loaded)
    except StoryError as error:
        if as_json:
            echo_json({"story": str(story), "ok": False,
                       "diagnostics": [diagnostic_json(d) for d in error.diagnostics]})  # fmt: skip
        raise
    warnings = [*loaded.warnings, *(w for w in plan.warnings if w not in loaded.warnings)]
    scenes = loaded.story.scenes
    panels = sum(len(scene.panels) for scene in scenes)
    seconds = sum(p.duration or 0 for scene in scenes for p in scene.panels)
    if as_json:
        found = [diagnostic_json(w) for w in warnings]
        echo_json({"story": str(story), "ok": True, "scenes": len(scenes), "panels": panels,
                   "duration_s": seconds, "diagnostics": found})  # fmt: skip
        return
    if verbosity(ctx) >= 0:
        for warning in warnings:
            click.echo(warning.format(), err=True)
    counts = [_count(len(scenes), "scene"), _count(panels, "panel")]
    if seconds:
        counts.append(f"{running_time(seconds)} running time")
    if verbosity(ctx) >= 0:
        click.echo(f"{story}: ok ({', '.join(counts)})")


@click.command()
def schema() -> None:
    """Print the JSON Schema of story files (the one in schemas/story.schema.json)."""
    from storyforge.outputs.schema import story_schema  # the models: only for this command

    click.echo(json.dumps(story_schema(), indent=2, sort_keys=True))


def running_time(seconds: float) -> str:
    """`1:05` for 65 seconds, `1:02:03` past an hour; tenths kept when they count."""
    whole, tenths = divmod(round(seconds * 10), 10)
    hours, rest = divmod(whole, 3600)
    text = (
        f"{rest // 60}:{rest % 60:02d}"
        if not hours
        else f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    )
    return f"{text}.{tenths}" if tenths else text


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


COMMANDS: list[click.Command] = [validate, schema]
