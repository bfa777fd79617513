"""Commands of the CLI (filled in per command group)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []


# ---- `storyforge models` (the providers' part) -----------------------------------------------
@click.command("models")
@click.option(
    "--provider",
    "provider_name",
    type=click.Choice(["auto", "gemini", "cometapi", "sketch"]),
    default="auto",
    show_default=True,
    help="Whose models to list; auto is gemini when GEMINI_API_KEY is set, else sketch.",
)
@click.option("--debug-http", is_flag=True, help="Log each HTTP request and answer (key hidden).")
def models_command(provider_name: str, debug_http: bool) -> None:
    """List the image models this key can call, with their limits and prices."""
    # Imported here so that the CLI starts without loading httpx.
    import asyncio
    import os

    from storyforge.providers import options_from_env, resolve_provider
    from storyforge.providers.catalog import list_image_models, log_http_to_stderr, model_table

    name, notice = resolve_provider(provider_name, os.environ)
    if notice:
        click.echo(notice, err=True)
    if debug_http:
        log_http_to_stderr()
    options = options_from_env(name, os.environ, debug_http=debug_http)
    for line in model_table(asyncio.run(list_image_models(name, options))):
        click.echo(line)


COMMANDS.append(models_command)
# ---- end of `storyforge models` ----------------------------------------------------------------
