"""How the `storyforge` process starts and ends quickly: choices only the command may make.

`run` (the command's own process) calls `start_lean` before anything is imported and
freezes the heap at the end; a command calls `loaded` once it has imported what it runs.
`main` inside another program (the tests) changes none of this.
"""

from __future__ import annotations

import gc
import os
import sys

_THRESHOLDS = gc.get_threshold()


def start_lean() -> None:
    """Process-wide choices for a quick start."""
    # httpx imports its own command-line client, and with it rich.syntax, pygments and
    # click, whenever those are installed: ~35 ms of every command that calls out, for a
    # tool storyforge never runs. None in sys.modules makes that one import fail, and
    # httpx then puts a stub in its place, as it does when they are missing.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    # pydantic looks for plugins through every installed distribution's entry points when
    # the first model is made (~10 ms in a full environment); storyforge's models use none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # Importing makes a few hundred thousand objects that live as long as the process,
    # and the default thresholds sweep them all again and again (~20 ms of a build's
    # imports). `loaded` puts the collector back to its pace for the work itself.
    gc.set_threshold(20_000, 50, 50)


def loaded() -> None:
    """The command has imported what it runs: collect at the default pace from here on.

    What was made so far is frozen, so later sweeps skip it. A build's cycles hold image
    bytes, so it needs the default pace: with start-up's thresholds kept, a 1,000-panel
    build peaked at 480 MB instead of under 300 MB.
    """
    if gc.get_threshold() != _THRESHOLDS:
        gc.freeze()
        gc.set_threshold(*_THRESHOLDS)


def end() -> None:
    """The process ends: spare the interpreter its last sweep of every object (~40 ms)."""
    gc.freeze()
