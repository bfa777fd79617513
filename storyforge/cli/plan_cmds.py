"""`plan`, `graph` and `pick`: look at what a build would do, and choose takes; no network."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from storyforge.cli.options import json_flag, story_argument, story_option
from storyforge.compile.plan import Plan
from storyforge.store.lock import Lock
from storyforge.store.objects import Store

PROVIDER_CHOICES = click.Choice(["auto", "gemini", "cometapi", "sketch"])


def compile_story(path: Path) -> Plan:
    """Load, check and compile a story; warnings go to stderr."""
    from storyforge.compile.compiler import compile_plan, load_checked

    plan = compile_plan(load_checked(path))
    for warning in plan.warnings:
        click.echo(warning.format(), err=True)
    return plan


def provider_name(choice: str) -> str:
    """Resolve `auto` the way `build` does, printing its notice; the name keys are made with."""
    from storyforge.providers import key_identity, resolve_provider

    name, notice = resolve_provider(choice, os.environ)
    if notice:
        click.echo(f"storyforge: {notice}", err=True)
    return key_identity(name, os.environ)


@click.command("plan")
@story_argument
@click.option("--provider", type=PROVIDER_CHOICES, default="auto", show_default=True)
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="ID",
    help="Plan only ID (a step or scene) and what it needs.",
)
@click.option("--force", "force", multiple=True, metavar="ID", help="Plan as if forcing ID.")
@click.option("--batch", is_flag=True, help="Price the calls as `build --batch` makes them.")
@click.option("--no-cache", is_flag=True, help="Leave the shared cache out (plan offline).")
@json_flag
def plan_command(
    story: Path,
    provider: str,
    only: tuple[str, ...],
    force: tuple[str, ...],
    batch: bool,
    no_cache: bool,
    as_json: bool,
) -> None:
    """Show per step: + new, ~ changed (why), = cached, ! stale; then calls and cost."""
    from storyforge.build.adopt import adopt_out
    from storyforge.build.guards import default_out
    from storyforge.build.selection import resolve_ids
    from storyforge.build.status import format_plan, plan_json, predict
    from storyforge.store.cacheconfig import configured_tier

    plan = compile_story(story)
    name = provider_name(provider)
    shared = configured_tier(story, os.environ, enabled=not no_cache, notice=_notice)
    # The plan looks at what the shared cache holds and copies nothing from it.
    store, lock = Store.beside(story, shared=shared, pull=False), Lock.beside(story)
    adopt_out(default_out(plan.root), store, lock)  # a fresh clone's committed out/
    forced = resolve_ids(plan, force, "--force")
    statuses = predict(plan, provider=name, store=store, lock=lock, force=forced, batch=batch)
    if only:
        wanted = plan.ancestors(resolve_ids(plan, only, "--only"))
        statuses = [s for s in statuses if s.step.id in wanted]
    if as_json:
        click.echo(json.dumps(plan_json(plan, statuses, provider=name), indent=2, sort_keys=True))
    else:
        click.echo(format_plan(plan, statuses, provider=name))


def _notice(text: str) -> None:
    click.echo(text, err=True)


@click.command("graph")
@story_argument
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid"]), default="dot")
def graph_command(story: Path, fmt: str) -> None:
    """Print the dependency graph of the story's steps (Graphviz dot or Mermaid)."""
    from storyforge.compile.graph import render_graph

    click.echo(render_graph(compile_story(story), fmt))  # type: ignore[arg-type]


@click.command("pick")
@click.argument("step")
@click.argument("take", type=click.IntRange(min=1))
@story_option
@click.option("--provider", type=PROVIDER_CHOICES, default="auto", show_default=True)
def pick_command(step: str, take: int, story: Path, provider: str) -> None:
    """Select take TAKE of STEP; the steps that use it are rebuilt by the next build."""
    from storyforge.build.picking import pick
    from storyforge.providers import key_identity

    plan = compile_story(story)
    # Without a key `auto` falls back to sketches; the pick is for the real provider.
    chosen = "gemini" if provider == "auto" else provider
    result = pick(
        plan,
        step,
        take,
        provider=key_identity(chosen, os.environ),
        store=Store.beside(story),
        lock=Lock.beside(story),
    )
    note = "" if result.generated else " (not generated yet: the next build makes it)"
    click.echo(f"picked take {take} of {step}{note}")
    if result.downstream:
        click.echo(f"the next build regenerates: {', '.join(result.downstream)}")


COMMANDS: list[click.Command] = [plan_command, graph_command, pick_command]
