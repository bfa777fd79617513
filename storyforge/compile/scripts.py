"""Warn, once per panel and script, about text no bundled font can draw.

Captions, dialogue, sound effects, shots and titles are drawn on sheets, pages and
boards; a script none of the bundled fonts covers (Tibetan, say) would come out as
boxes, so `validate` and `plan` say so before anything is drawn.
"""

from __future__ import annotations

from collections.abc import Iterator

from storyforge.diagnostics import Diagnostic
from storyforge.render.scripts import unsupported_scripts
from storyforge.story.models import Panel, Story
from storyforge.story.sourcemap import SourceMap


def script_warnings(story: Story, source: SourceMap) -> list[Diagnostic]:
    """One warning per panel and script that cannot be drawn, at the panel."""
    found = []
    for i, scene in enumerate(story.scenes):
        for j, panel in enumerate(scene.panels):
            shown = " ".join(_drawn_text(panel, scene.title))
            for script in unsupported_scripts(shown):
                message = (
                    f"panel '{panel.id}' has {script} text no bundled font can draw; "
                    "it will show as boxes on sheets, pages and boards"
                )
                found.append(
                    source.diagnostic(("scenes", i, "panels", j), message, severity="warning")
                )
    return found


def _drawn_text(panel: Panel, title: str | None) -> Iterator[str]:
    yield from (t for t in (title, panel.shot, panel.caption, panel.camera, panel.action) if t)
    yield from (line.text for line in panel.dialogue)
    yield from (effect.text for effect in panel.sfx)
