"""`approve`, `unapprove` and `lock --resolve`: pin takes, release them, mend a merged lock."""

from __future__ import annotations

from pathlib import Path

import click

from storyforge.cli.options import story_option
from storyforge.cli.plan_cmds import compile_story
from storyforge.compile.plan import Plan
from storyforge.errors import UsageError
from storyforge.store.lock import Lock, lock_path, read_conflicted


def _chosen(plan: Plan, ids: tuple[str, ...], every: bool, command: str) -> list[str]:
    from storyforge.build.selection import resolve_ids

    if every == bool(ids):
        raise UsageError(f"{command}: name step or scene ids, or pass --all (not both)")
    chosen = {s.id for s in plan.steps} if every else resolve_ids(plan, ids, command)
    return [s.id for s in plan.steps if s.id in chosen]


@click.command("approve")
@click.argument("ids", nargs=-1, metavar="ID…")
@click.option("--all", "every", is_flag=True, help="Approve every step built so far.")
@story_option
def approve_command(ids: tuple[str, ...], every: bool, story: Path) -> None:
    """Pin the selected take of each step (or scene): no upstream edit regenerates it."""
    from storyforge.build.picking import approve

    plan = compile_story(story)
    done, unbuilt = approve(_chosen(plan, ids, every, "approve"), lock=Lock.beside(story))
    if done:
        click.echo(f"approved {len(done)} step{'s' if len(done) != 1 else ''}: {', '.join(done)}")
    if unbuilt:
        click.echo(f"not built yet, so not approved: {', '.join(unbuilt)}", err=True)


@click.command("unapprove")
@click.argument("ids", nargs=-1, metavar="ID…")
@click.option("--all", "every", is_flag=True, help="Release every pinned step.")
@story_option
def unapprove_command(ids: tuple[str, ...], every: bool, story: Path) -> None:
    """Release approved or picked steps: the next build regenerates them if they changed."""
    from storyforge.build.picking import unapprove

    plan = compile_story(story)
    released = unapprove(_chosen(plan, ids, every, "unapprove"), lock=Lock.beside(story))
    click.echo(f"released: {', '.join(released)}" if released else "nothing was pinned")


@click.command("lock")
@click.option("--resolve", is_flag=True, required=True, help="Mend a lock git left conflicted.")
@story_option
def lock_command(resolve: bool, story: Path) -> None:  # noqa: ARG001 (required flag)
    """Keep the entries both sides of a merge agree on, and ours for the others."""
    path = lock_path(story)
    try:
        entries = read_conflicted(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such lock; nothing to resolve") from None
    if entries is None:
        raise UsageError(f"{path} has no merge conflict markers; nothing to resolve")
    lock = Lock(path, entries)
    lock.save()
    click.echo(f"{path.name}: resolved; check the conflicting steps with storyforge plan")


COMMANDS: list[click.Command] = [approve_command, unapprove_command, lock_command]
