"""Commands of the CLI (filled in per command group)."""

from __future__ import annotations

import errno
import time
from collections.abc import Callable
from pathlib import Path

import click

from storyforge.errors import UsageError

COMMANDS: list[click.Command] = []


# ---- `storyforge fake-server` (the fake server's part) -----------------------------------------
_FAKE_ENV = {"google": ("GEMINI_BASE_URL", "GEMINI_API_KEY"),
             "comet": ("COMETAPI_BASE_URL", "COMETAPI_KEY")}  # fmt: skip


@click.command("fake-server")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8765, show_default=True, help="0 picks a free port.")
@click.option(
    "--mode",
    type=click.Choice(["google", "comet"]),
    default="google",
    show_default=True,
    help="Answer as Google's Gemini API or as CometAPI.",
)
@click.option("--api-key", default="fake-key", show_default=True, help="The key callers must send.")
@click.option(
    "--latency", type=float, default=0.0, metavar="S", help="Response time of each generate answer."
)
@click.option("--p429", type=float, default=0.0, metavar="P", help="Chance of a 429 per request.")
@click.option("--p503", type=float, default=0.0, metavar="P", help="Chance of a 503 per request.")
@click.option("--p500", type=float, default=0.0, metavar="P", help="Chance of a 500 per request.")
@click.option(
    "--retry-delay", type=float, default=2.0, show_default=True, metavar="S",
    help="The RetryInfo delay a 429 asks for.",
)  # fmt: skip
@click.option("--block-word", metavar="W", help="Prompts containing W get an IMAGE_SAFETY block.")
@click.option("--prohibit-word", metavar="W", help="Prompts containing W get PROHIBITED_CONTENT.")
@click.option("--text-only-word", metavar="W", help="Prompts containing W get text, no image.")
@click.option(
    "--log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
    help="Append one JSON line per request to this file (keys redacted).",
)  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random faults.")
@click.option(
    "--quota-rpm", type=click.FloatRange(min=0, min_open=True), metavar="N",
    help="Generate requests a minute before 429 with RetryInfo (a token bucket).",
)  # fmt: skip
@click.option(
    "--batch-run", "batch_run", type=click.FloatRange(min=0), default=5.0, show_default=True,
    metavar="S", help="How long a batch job runs before it succeeds.",
)  # fmt: skip
@click.option(
    "--batch-row-errors", type=click.IntRange(min=0), default=0, metavar="N",
    help="Every Nth row of a batch job fails (0: none).",
)  # fmt: skip
def fake_server_command(
    host: str,
    port: int,
    mode: str,
    api_key: str,
    latency: float,
    p429: float,
    p503: float,
    p500: float,
    retry_delay: float,
    block_word: str | None,
    prohibit_word: str | None,
    text_only_word: str | None,
    log_path: Path | None,
    seed: int,
    quota_rpm: float | None,
    batch_run: float,
    batch_row_errors: int,
) -> None:
    """Serve a fake Gemini image API on loopback for tests and CI, until Ctrl-C."""
    # Imported here so that other commands start without the server's modules.
    from storyforge.fakeserver import BatchSettings, FakeGemini, Faults

    _check_fake_server_values(port, api_key, latency, retry_delay, (p429, p503, p500), log_path)
    faults = Faults(
        latency_s=latency, p429=p429, p503=p503, p500=p500, retry_delay_s=retry_delay,
        block_word=block_word, prohibit_word=prohibit_word, text_only_word=text_only_word,
        seed=seed,
    )  # fmt: skip
    server = FakeGemini(
        host=host, port=port, mode="comet" if mode == "comet" else "google", api_key=api_key,
        faults=faults, log_path=log_path, quota_rpm=quota_rpm,
        batch=BatchSettings(run_s=batch_run, row_error_every=batch_row_errors),
    )  # fmt: skip
    try:
        server.start()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} is in use; pass --port 0 for any free port") from None
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    url_var, key_var = _FAKE_ENV[mode]
    click.echo(
        f"fake {mode} server on {server.base_url}: {url_var}={server.base_url} {key_var}={api_key}"
    )
    _serve_until_interrupted(server.stop)


def _serve_until_interrupted(stop: Callable[[], None]) -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass  # Ctrl-C is how this command is meant to end
    finally:
        stop()


def _check_fake_server_values(
    port: int,
    api_key: str,
    latency: float,
    retry_delay: float,
    chances: tuple[float, float, float],
    log_path: Path | None,
) -> None:
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port} is not a port; pass 0-65535 (0 for any free port)")
    if not api_key:
        raise UsageError("--api-key must not be empty")
    for name, seconds in (("--latency", latency), ("--retry-delay", retry_delay)):
        if not 0 <= seconds < float("inf"):
            raise UsageError(f"{name} {seconds} must be zero or more seconds")
    for name, chance in zip(("--p429", "--p503", "--p500"), chances, strict=True):
        if not 0 <= chance <= 1:
            raise UsageError(f"{name} {chance} is not a probability; pass a value from 0 to 1")
    if sum(chances) > 1:
        raise UsageError("--p429, --p503 and --p500 add up to more than 1; lower them")
    if log_path is not None and not log_path.parent.is_dir():
        raise UsageError(f"cannot write the log {log_path}: its folder does not exist")


COMMANDS.append(fake_server_command)
# ---- end of `storyforge fake-server` -----------------------------------------------------------


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
