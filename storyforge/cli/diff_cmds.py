"""`diff`: what a change to a story does to its images, for review; exit codes as `git diff`."""

from __future__ import annotations

from pathlib import Path

import click

from storyforge.cli.options import story_option
from storyforge.cli.plan_cmds import PROVIDER_CHOICES, provider_name

EXIT_SAME, EXIT_DIFFERENT = 0, 1


@click.command("diff")
@click.argument("base", default="HEAD", required=False)
@click.argument("head", required=False)
@story_option
@click.option(
    "--provider", type=PROVIDER_CHOICES, default="auto", show_default=True,
    help="The provider the keys are made for: the one the lock was built with.",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown"]), default="text",
    show_default=True, help="markdown: a pull-request comment under 65,536 characters.",
)  # fmt: skip
@click.option(
    "--html", "html_dir", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
    help="Also write DIR/index.html with before and after images side by side.",
)  # fmt: skip
def diff_command(
    base: str, head: str | None, story: Path, provider: str, fmt: str, html_dir: Path | None
) -> None:
    """Compare the story at BASE (default HEAD) with HEAD (default the work tree).

    Per step: regenerated (and why), approved but stale, take switched, re-lettered,
    moved, added, removed or unchanged; then what building HEAD would cost. Exit 0 when
    nothing differs, 1 when something does, 2 for a bad revision or an invalid story.
    """
    from storyforge.build.diff import diff_story
    from storyforge.build.diff_render import format_markdown, format_text

    result = diff_story(story, base, head, provider=provider_name(provider))
    click.echo(format_markdown(result) if fmt == "markdown" else format_text(result), nl=False)
    if fmt == "text":
        click.echo()
    if html_dir is not None:
        from storyforge.build.diff_html import write_html
        from storyforge.store.objects import Store

        page = write_html(result, Store.beside(story), html_dir)
        click.echo(f"storyforge: wrote {page}", err=True)
    raise click.exceptions.Exit(EXIT_DIFFERENT if result.differs else EXIT_SAME)


COMMANDS: list[click.Command] = [diff_command]
