"""Generated stories for the benchmarks: a header, then scenes of numbered panels."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def story_yaml(
    title: str,
    header: Sequence[str],
    scenes: int,
    panels: int,
    panel: Callable[[int, int], str],
) -> str:
    """A story of `scenes` scenes `s<n>` with `panels` panels each, `panel(s, p)` per line."""
    lines = ["storyforge: 1", f"title: {title}", *header, "scenes:"]
    for s in range(scenes):
        lines += [f"  - id: s{s}", "    panels:"]
        lines += [f"      - {panel(s, p)}" for p in range(panels)]
    return "\n".join(lines) + "\n"
