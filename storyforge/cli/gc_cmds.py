"""`storyforge gc`: free the store files no lock and no recent build needs, saying what."""

from __future__ import annotations

from pathlib import Path

import click

from storyforge.cli.options import story_argument, verbosity
from storyforge.store.gc import DEFAULT_KEEP_DAYS, KINDS, Collection, collect, find_garbage

_NOUNS = {"objects": ("object", "objects"), "index": ("entry", "entries")}
_NOUNS["requests"] = ("request", "requests")
_NOUNS["derived"] = ("drawn file", "drawn files")  # the drawn outputs' cache


@click.command("gc")
@story_argument
@click.option("--dry-run", is_flag=True, help="Say what gc would free, and free nothing.")
@click.option(
    "--keep-days",
    type=click.FloatRange(min=0),
    default=DEFAULT_KEEP_DAYS,
    metavar="DAYS",
    show_default=True,
    help="Keep everything written within this many days (recent builds).",
)
@click.pass_context
def gc_command(ctx: click.Context, story: Path, dry_run: bool, keep_days: float) -> None:
    """Remove store objects that no lock and no recent build needs (make's `clean`).

    Kept: what every *.lock beside STORY names, what the locks at the tips of the local git
    branches name, and everything written within --keep-days. Drawn files (thumbnails,
    sheet bands, book pages) are kept while used within --keep-days or while the image
    they show is kept; any other can be drawn again.
    """
    found = find_garbage(story, keep_days=keep_days)
    done = found if dry_run else collect(found)
    if verbosity(ctx) > 0:
        for item in done.free:
            click.echo(f"{'would free' if dry_run else 'freed'} {item.shown} ({_size(item.size)})")
    click.echo(summary(done, dry_run=dry_run, keep_days=keep_days))


def summary(done: Collection, *, dry_run: bool, keep_days: float) -> str:
    """One line: what was (or would be) freed per kind, and what was kept and why."""
    totals = done.totals()
    verb = "would free" if dry_run else "freed"
    parts = [f"{_count(n, kind)} ({_size(size)})" for kind, (n, size) in totals.items() if n]
    freed = sum(size for _, size in totals.values())
    what = f"{verb} {', '.join(parts)}: {_size(freed)} in all" if parts else f"{verb} nothing"
    kept = ", ".join(_count(done.kept[kind], kind) for kind in KINDS)
    locks = len(done.locks)
    why = f"{locks} lock{'' if locks == 1 else 's'} and builds of the last {keep_days:g} days"
    return f"{what}; kept {kept} needed by {why}"


def _count(n: int, kind: str) -> str:
    one, many = _NOUNS[kind]
    return f"{n} {one if n == 1 else many}"


def _size(size: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


COMMANDS: list[click.Command] = [gc_command]
