"""The command line: the only place that prints errors and picks exit codes.

Exit codes: 0 success, 1 some steps failed or were blocked, 2 invalid story or usage,
130 interrupted, 143 terminated (SIGTERM saves what finished, as Ctrl-C does). Errors are
one line each on stderr; `--debug` adds the traceback.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

import click

from storyforge import __version__
from storyforge.cli import (
    approve_cmds,
    batch_cmds,
    build_cmds,
    diff_cmds,
    gc_cmds,
    init_cmds,
    plan_cmds,
    serve_cmds,
    server_cmds,
    startup,
    story_cmds,
)
from storyforge.errors import StoryError, StoryforgeError, UsageError

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERRUPTED = 0, 1, 2, 130

# What users of make, terraform and dvc type, and the storyforge command that does it.
_COMMON_WORDS = {
    "clean": "gc", "prune": "gc", "run": "build", "make": "build", "apply": "build",
    "check": "validate", "lint": "validate", "status": "plan", "show": "plan", "new": "init",
}  # fmt: skip


class _Group(click.Group):
    """A command group that answers a familiar word from another tool with ours."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name in _COMMON_WORDS and name not in self.commands:
            ours = _COMMON_WORDS[name]
            raise click.UsageError(f"No such command '{name}'. Did you mean '{ours}'?", ctx)
        return super().resolve_command(ctx, args)


# A fixed width, so help reads the same on every terminal (and the README can pin it).
@click.group(
    cls=_Group,
    context_settings={
        "help_option_names": ["-h", "--help"],
        "terminal_width": 100,
        "max_content_width": 100,
    },
)
@click.version_option(__version__, prog_name="storyforge")
@click.option("--debug", is_flag=True, help="Show a traceback with errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print results and errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Print more about what happens.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, quiet: bool, verbose: bool) -> None:
    """Compile a story into consistent images with Gemini image models.

    Colour follows NO_COLOR. Shell completion: eval "$(_STORYFORGE_COMPLETE=bash_source
    storyforge)" (zsh_source, fish_source for other shells).
    """
    ctx.obj = {"debug": debug, "verbosity": -1 if quiet else int(verbose)}


_MODULES = (
    story_cmds,
    plan_cmds,
    approve_cmds,
    build_cmds,
    batch_cmds,
    server_cmds,
    init_cmds,
    diff_cmds,
)
for _module in (*_MODULES, gc_cmds):
    for _command in _module.COMMANDS:
        cli.add_command(_command)
cli.add_command(serve_cmds.serve)


def _exit_code(error: StoryforgeError) -> int:
    return EXIT_INVALID if isinstance(error, StoryError | UsageError) else EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI and exit with its code; errors become one line each, never a traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        code = cli.main(args=args, prog_name="storyforge", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("storyforge: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except click.ClickException as error:
        error.show()
        code = error.exit_code
    except click.exceptions.Exit as error:
        code = error.exit_code
    except KeyboardInterrupt:
        click.echo("storyforge: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except StoryforgeError as error:
        if debug:
            traceback.print_exc()
        for line in str(error).splitlines():
            click.echo(line if isinstance(error, StoryError) else f"storyforge: {line}", err=True)
        code = _exit_code(error)
    except Exception as error:  # the last guard: one line, never a traceback
        if debug:
            traceback.print_exc()
        click.echo(f"storyforge: internal error: {type(error).__name__}: {error}", err=True)
        click.echo("storyforge: run again with --debug for a traceback", err=True)
        code = EXIT_FAILED
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def run() -> None:
    """The `storyforge` command as a process of its own: start lean, run `main`, end quickly.

    `main` is also called inside other programs (the tests); only here may the process's
    settings change.
    """
    startup.start_lean()
    try:
        main()
    finally:
        startup.end()
