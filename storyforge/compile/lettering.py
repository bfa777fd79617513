"""A book's lettering laid out from the story: each panel's caption, dialogue and sound effects.

A panel's lines, in order: its `caption:` (a caption box), its dialogue (each line by its
kind), then its sound effects. A tail points at the line's `to` anchor when it has one,
else at its speaker's place in the panel's `characters` order; an off-panel line's tail
runs to the frame edge on that side (the reading side when the speaker is not listed).
"""

from __future__ import annotations

from dataclasses import dataclass

from storyforge.compile.book import BookLayout, Slot
from storyforge.render.lettering import (
    LineSpec,
    PanelLettering,
    letter_panel,
    speaker_point,
    type_sizes,
)
from storyforge.render.placement import anchor_point
from storyforge.story.models import Line, Panel, Story
from storyforge.story.sourcemap import YamlPath


@dataclass(frozen=True, slots=True)
class PanelText:
    """A panel's lines to letter, each with the YAML path it was written at."""

    lines: tuple[LineSpec, ...]
    paths: tuple[YamlPath, ...]


def panel_text(panel: Panel, slot: Slot, at: YamlPath, direction: str) -> PanelText:
    """The lines of one panel, with their tail targets in page points."""
    lines: list[LineSpec] = []
    paths: list[YamlPath] = []
    if panel.caption:
        lines.append(LineSpec("caption", panel.caption))
        paths.append((*at, "caption"))
    for k, line in enumerate(panel.dialogue):
        lines.append(LineSpec(line.kind, line.text, line.at, _target(line, panel, slot, direction)))
        paths.append((*at, "dialogue", k))
    for k, sfx in enumerate(panel.sfx):
        lines.append(LineSpec("sfx", sfx.text, sfx.at))
        paths.append((*at, "sfx", k))
    return PanelText(tuple(lines), tuple(paths))


def _target(line: Line, panel: Panel, slot: Slot, direction: str) -> tuple[float, float] | None:
    if line.kind in {"caption", "narration"}:
        return None
    cell = slot.cell
    if line.to is not None:
        return anchor_point(cell, line.to)
    if line.who in panel.characters:
        index = panel.characters.index(line.who)
        return speaker_point(cell, index, len(panel.characters), direction)
    if line.kind == "off":
        return (cell.x if direction == "rtl" else cell.right, cell.y + cell.height * 0.3)
    return None


def letter_book(story: Story, layout: BookLayout) -> dict[str, tuple[PanelText, PanelLettering]]:
    """Every panel's lines and their lettering, by panel id (empty when not lettered)."""
    if not layout.book.lettered:
        return {}
    # Imported here: measuring loads Pillow's drawing and the fonts, which a story that
    # letters nothing never needs before its first call goes out.
    from storyforge.render.measure import measure_text

    sizes = type_sizes(layout.boxes.live.width)
    direction = layout.book.direction
    border = layout.book.border
    lettered: dict[str, tuple[PanelText, PanelLettering]] = {}
    for slot in (s for page in layout.pages for s in page):
        panel = story.scenes[slot.scene_index].panels[slot.panel_index]
        text = panel_text(panel, slot, ("scenes", slot.scene_index, "panels", slot.panel_index),
                          direction)  # fmt: skip
        if not text.lines:
            continue
        # Balloons stay in the live area even where the art bleeds past it.
        result = letter_panel(
            slot.cell, layout.boxes.live, text.lines, sizes, measure_text, direction, border
        )
        lettered[slot.panel_id] = (text, result)
    return lettered
