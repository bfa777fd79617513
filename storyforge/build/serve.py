"""`storyforge serve`: build, serve the viewer on loopback, rebuild on every save; watchfiles' home.

One warm process: the build runs again in the interpreter that is already loaded, so an
edit shows in the browser after the work the edit causes, not after start-up. Every file
in the story's folder is watched (the story, its includes, templates and references, and
files it will name next) except what builds write: OUT, `.storyforge/`, `story.lock`,
and hidden or editor files. A story that fails to build keeps the last good viewer on
screen with the error above it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from watchfiles import Change, DefaultFilter, watch

from storyforge.build.pipeline import BuildOptions, BuildReport, build
from storyforge.build.recorder import Reporter
from storyforge.build.serve_http import Live, ViewerServer
from storyforge.errors import StoryforgeError, UsageError
from storyforge.outputs.derived import WRITERS
from storyforge.store.lock import LOCK_NAME

DEBOUNCE_MS = 50  # editors write a file in a few operations; group them, but barely
STEP_MS = 20
STORE_DIR = ".storyforge"


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """What `storyforge serve` was asked to do."""

    story: Path
    out: Path | None = None
    provider: str = "sketch"  # a real provider only when asked for
    model: str | None = None
    outputs: tuple[str, ...] = ()  # besides the viewer, which is always made
    host: str = "127.0.0.1"
    port: int = 8000
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ServeEvents:
    """What the command shows as serving goes on."""

    ready: Callable[[str], None] = lambda _url: None
    changed: Callable[[list[Path]], None] = lambda _paths: None
    built: Callable[[BuildReport], None] = lambda _report: None
    failed: Callable[[str], None] = lambda _message: None


def serve(
    options: ServeOptions,
    reporter: Reporter,
    events: ServeEvents = ServeEvents(),
    stop: threading.Event | None = None,
) -> None:
    """Build, serve and rebuild on change until `stop` is set (or Ctrl-C)."""
    unknown = [name for name in options.outputs if name not in WRITERS]
    if unknown:
        raise UsageError(
            f"--outputs: unknown output '{unknown[0]}'; choose from {', '.join(WRITERS)}"
        )
    root = options.story.resolve().parent
    out = (options.out or root / "out").resolve()
    out.mkdir(parents=True, exist_ok=True)
    live = Live()
    server = ViewerServer(out, live, options.host, options.port)
    wanted = BuildOptions(
        story=options.story, out=out, provider=options.provider, model=options.model,
        env=options.env, outputs=tuple(dict.fromkeys(("viewer", *options.outputs))),
    )  # fmt: skip
    rebuild(wanted, reporter, live, events)
    server.start()
    try:
        events.ready(server.url)
        changes = watch(
            root, watch_filter=StoryFilter(root, out), debounce=DEBOUNCE_MS, step=STEP_MS,
            stop_event=stop, raise_interrupt=True,
        )  # fmt: skip
        for batch in changes:
            events.changed(sorted({Path(path) for _, path in batch}))
            rebuild(wanted, reporter, live, events)
    finally:
        server.close()


def rebuild(options: BuildOptions, reporter: Reporter, live: Live, events: ServeEvents) -> None:
    """Build once; the pages reload either way, showing the error if there was one."""
    try:
        report = asyncio.run(build(options, reporter))
    except StoryforgeError as error:
        live.publish(str(error))
        events.failed(str(error))
        return
    live.publish(None)
    events.built(report)


class StoryFilter(DefaultFilter):
    """The files a build reads, not the ones it writes."""

    def __init__(self, root: Path, out: Path) -> None:
        """Watch `root`, except OUT, the store and the lock."""
        super().__init__(ignore_paths=(out, root / STORE_DIR, root / LOCK_NAME))

    def __call__(self, _change: Change, path: str) -> bool:
        """Whether this change should rebuild."""
        return self.keeps(path)

    def keeps(self, path: str) -> bool:
        """Whether a change to this file should rebuild, whatever the change."""
        name = Path(path).name
        # Every story's lock is written by its builds (`<story>.lock`), never read as input.
        return (
            super().__call__(Change.modified, path)
            and not name.startswith(".")
            and not (name.endswith(".lock"))
        )
