"""How a build reports itself on stderr; the only module that uses rich.

On a terminal: a live line with done / cached / failed / running counts, the spend so
far and an ETA. Elsewhere (CI logs, pipes): one plain line per finished step.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text

from storyforge.outputs.results import StepResult

_WIDTH = 10  # of the status column: "generated" plus a space


def format_step(result: StepResult) -> str:
    """One plain line: `  generated  stairs  (1 call, $0.039, 6.2 s)` or `  FAILED     x: why`."""
    word = {"failed": "FAILED", "blocked": "BLOCKED"}.get(result.status, result.status)
    if result.stale:
        return f"  {'stale':<{_WIDTH}} {result.step_id}: {result.warning}"
    if result.reason:
        return f"  {word:<{_WIDTH}} {result.step_id}: {result.reason}"
    if result.status != "generated":
        return f"  {word:<{_WIDTH}} {result.step_id}"
    calls = f"{result.calls} call{'s' if result.calls != 1 else ''}"
    return (
        f"  {word:<{_WIDTH}} {result.step_id}  "
        f"({calls}, ${result.cost_usd:.3f}, {result.seconds:.1f} s)"
    )


def format_summary(
    results: Sequence[StepResult], calls: int, spent_usd: float, sheet: str | None
) -> str:
    """`12 steps: 3 generated, 8 cached, 1 failed; 3 calls, $0.12 — out/contact_sheet.png`."""
    count = Counter(r.status for r in results)
    parts = [f"{count[s]} {s}" for s in ("generated", "cached", "failed", "blocked", "skipped")]
    shown = [p for p in parts if not p.startswith("0 ")] or ["nothing to do"]
    line = f"{len(results)} steps: {', '.join(shown)}; {calls} calls, ${spent_usd:.2f}"
    return f"{line} — {sheet}" if sheet else line


def format_failures(
    results: Sequence[StepResult], places: Mapping[str, str] | None = None
) -> list[str]:
    """One line per step that failed or was blocked, for stderr at the end.

    Each starts at the step's `story.yaml:LINE:COL` when `places` knows it, so an editor
    opens the panel; a blocked step says what to do about it.
    """
    lines = []
    for r in results:
        if r.status not in ("failed", "blocked"):
            continue
        where = (places or {}).get(r.step_id)
        hint = _BLOCKED_HINT if r.status == "blocked" else ""
        lines.append(
            f"{where + ':' if where else 'storyforge:'} {r.step_id} {r.status}: {r.reason}{hint}"
        )
    return lines


_BLOCKED_HINT = "; the model refused this panel: reword its prompt (or change its references)"


class Progress:
    """Reports a build as it goes; `live=None` picks the live display when `stream` is a tty."""

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live_mode = self.stream.isatty() if live is None else live
        self.console = Console(file=self.stream, highlight=False, markup=False)
        self.live: Live | None = None
        self.title, self.total = "", 0
        self.counts: Counter[str] = Counter()
        self.running: set[str] = set()
        self.spent = 0.0
        self.first_call = 0.0

    def start(self, title: str, total: int) -> None:
        """The build of `total` steps begins."""
        self.title, self.total = title, total
        if self.live_mode:
            self.live = Live(
                console=self.console, get_renderable=self._render, transient=True,
                refresh_per_second=8, redirect_stdout=False, redirect_stderr=False,
            )  # fmt: skip
            self.live.start()

    def notice(self, text: str) -> None:
        """A one-line message above the display (or on its own line)."""
        self._line(text)

    def call_started(self, step_id: str) -> None:
        """A call of a step went out."""
        self.running.add(step_id)
        self.first_call = self.first_call or time.monotonic()

    def step_finished(self, result: StepResult) -> None:
        """A step has its result."""
        self.running.discard(result.step_id)
        self.counts[result.status] += 1
        self.spent += result.cost_usd
        if not self.live_mode or result.stale or result.status not in ("generated", "cached"):
            self._line(format_step(result))

    def stop(self) -> None:
        """Remove the live display."""
        if self.live is not None:
            self.live.stop()
            self.live = None

    def _line(self, text: str) -> None:
        if self.live is not None:
            self.live.console.print(Text(text))
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def _render(self) -> Text:
        done = sum(self.counts.values())
        bad = self.counts["failed"] + self.counts["blocked"]
        return Text(
            f"{self.title}: {done}/{self.total} steps · {self.counts['generated']} generated · "
            f"{self.counts['cached']} cached · {bad} failed · {len(self.running)} running · "
            f"${self.spent:.2f} · {self._eta()}"
        )

    def _eta(self) -> str:
        made = self.counts["generated"]
        if not made or not self.first_call:
            return "ETA —"
        rate = made / max(time.monotonic() - self.first_call, 1e-6)
        left = self.total - sum(self.counts.values())
        return f"ETA {left / rate:.0f} s"
