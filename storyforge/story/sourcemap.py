"""Where each value of a story sits in its YAML file, so any error can name line and column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from storyforge.diagnostics import Diagnostic

PathItem = str | int
YamlPath = tuple[PathItem, ...]


def format_path(path: Sequence[PathItem]) -> str:
    """Render `("scenes", 1, "panels", 0, "fuse", 2)` as `scenes[1].panels[0].fuse[2]`."""
    out = ""
    for item in path:
        out += f"[{item}]" if isinstance(item, int) else (f".{item}" if out else item)
    return out


@dataclass(frozen=True, slots=True)
class SourceMap:
    """Positions (1-based line, column) of YAML nodes by their path from the document root.

    `values` holds where each node's value starts; `keys` where the key of a mapping entry
    starts (an unknown or duplicate key is best shown at the key itself). `files` names the
    file of each entry that came from an included file (`("characters", "ada")` →
    `cast.yaml`); everything else was written in `file`.
    """

    file: str
    values: Mapping[YamlPath, tuple[int, int]] = field(default_factory=dict)
    keys: Mapping[YamlPath, tuple[int, int]] = field(default_factory=dict)
    files: Mapping[YamlPath, str] = field(default_factory=dict)

    def file_at(self, path: Sequence[PathItem]) -> str:
        """The file the node at `path` was written in."""
        if self.files:
            for n in range(len(path), 0, -1):
                found = self.files.get(tuple(path[:n]))
                if found is not None:
                    return found
        return self.file

    def locate(self, path: Sequence[PathItem], *, at_key: bool = False) -> tuple[int, int]:
        """Position of the node at `path`, else of its nearest located ancestor, else (0, 0)."""
        p = tuple(path)
        if at_key and p in self.keys:
            return self.keys[p]
        while p:
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), (0, 0))

    def diagnostic(
        self,
        path: Sequence[PathItem],
        message: str,
        *,
        at_key: bool = False,
        severity: Literal["error", "warning"] = "error",
    ) -> Diagnostic:
        """A Diagnostic for the node at `path`."""
        line, col = self.locate(path, at_key=at_key)
        return Diagnostic(self.file_at(path), line, col, format_path(path), message, severity)
