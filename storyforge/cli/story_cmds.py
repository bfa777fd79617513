"""Commands that read a story without building it: `validate` and `schema`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from storyforge.outputs.schema import story_schema


@click.command()
@click.argument("story", type=click.Path(path_type=Path))
def validate(story: Path) -> None:
    """Check STORY and report every problem; never calls a model (exit 2 when invalid)."""
    # Imported here so that `schema` and `--help` do not load the whole compiler.
    from storyforge.compile.compiler import compile_plan, load_checked

    loaded = load_checked(story)
    for warning in loaded.warnings:
        click.echo(warning.format(), err=True)
    compile_plan(loaded)
    scenes = loaded.story.scenes
    panels = sum(len(scene.panels) for scene in scenes)
    click.echo(f"{story}: ok ({_count(len(scenes), 'scene')}, {_count(panels, 'panel')})")


@click.command()
def schema() -> None:
    """Print the JSON Schema of story files (the one in schemas/story.schema.json)."""
    click.echo(json.dumps(story_schema(), indent=2, sort_keys=True))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


COMMANDS: list[click.Command] = [validate, schema]
