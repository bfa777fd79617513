"""Located problems in a story, in the `file:line:col: path: message` form editors can click."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One problem at one place; sorts by file, line, column."""

    file: str
    line: int  # 1-based; 0 when the position is unknown
    column: int  # 1-based; 0 when the position is unknown
    path: str  # YAML path such as `scenes[1].panels[0].fuse[2]`, or "" for the whole file
    message: str
    severity: Literal["error", "warning"] = "error"

    def format(self) -> str:
        """Render as one line: `story.yaml:12:7: scenes[1].panels[0]: message`."""
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.path + ': ' if self.path else ''}{self.message}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ` (did you mean 'x'?)` for the closest choice, or "" when none is close."""
    match = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""
