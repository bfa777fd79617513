"""Options every command takes the same way: the story argument, JSON and verbosity.

The story is an optional argument defaulting to `story.yaml` in the current folder, as
make reads its Makefile; commands whose arguments are something else (`pick`, `approve`,
`diff`) take it as `--story`. `-q` keeps stdout to results and stderr to errors; `-v`
adds notes. Colour follows rich's rules, so `NO_COLOR` turns it off.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import click

from storyforge.diagnostics import Diagnostic

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_STORY = Path("story.yaml")
STORY_TYPE = click.Path(path_type=Path, dir_okay=False)


def story_argument(function: F) -> F:
    """`[STORY]`: the story file, `story.yaml` in the current folder when left out."""
    return click.argument("story", type=STORY_TYPE, default=DEFAULT_STORY, required=False)(function)


def story_option(function: F) -> F:
    """`--story STORY` for commands whose arguments are something else."""
    return click.option(
        "--story", type=STORY_TYPE, default=DEFAULT_STORY, show_default=True,
        help="The story file.",
    )(function)  # fmt: skip


def out_option(function: F) -> F:
    """`-o/--out OUT`: the output folder, `out/` beside the story when left out."""
    return click.option(
        "-o", "--out", type=click.Path(path_type=Path),
        help="Output folder [default: out/ beside the story].",
    )(function)  # fmt: skip


def split_names(values: tuple[str, ...]) -> tuple[str, ...]:
    """Ids or names from repeated and comma-separated option values."""
    return tuple(n.strip() for value in values for n in value.split(",") if n.strip())


def json_flag(function: F) -> F:
    """`--json`: machine-readable output on stdout."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")(function)


def verbosity(ctx: click.Context) -> int:
    """-1 with `-q`, 1 with `-v`, else 0 (set on the `storyforge` group)."""
    obj = ctx.find_root().obj
    return int(obj.get("verbosity", 0)) if isinstance(obj, dict) else 0


def diagnostic_json(diagnostic: Diagnostic) -> dict[str, Any]:
    """A diagnostic as a JSON object with its one-line text."""
    return {**asdict(diagnostic), "text": diagnostic.format()}


def echo_json(document: Any) -> None:
    """One JSON document on stdout, keys sorted so output diffs cleanly."""
    click.echo(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))
