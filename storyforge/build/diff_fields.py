"""Which story fields changed for one step: the hints beside a diff's reasons, and lettering.

The request says what the model is sent; these say which line of story.yaml did it,
written as YAML paths (`characters.mara.description`), so a reviewer can find it.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher
from typing import Any

from storyforge.story.models import Panel, Scene, Story

# Kept as data and drawn by storyforge itself (balloons, boards, pages): never sent.
LETTERING = ("caption", "dialogue", "sfx")
LAYOUT = ("crop", "bleed", "page_break", "duration", "camera", "action", "notes")
_NOT_SENT = {"id", *LETTERING, *LAYOUT}
_STORY_SETTINGS = ("model", "aspect_ratio", "image_size", "style", "modalities", "seed")
_SCENE_SETTINGS = ("location", "style", "continuity", "aspect_ratio", "modalities")

Placed = tuple[Scene, int, Panel]


def find_panel(story: Story | None, step_id: str) -> Placed | None:
    """The scene, 0-based position and panel with this id."""
    for scene in story.scenes if story else ():
        for n, panel in enumerate(scene.panels):
            if panel.id == step_id:
                return scene, n, panel
    return None


def lettering_changes(base: Story | None, head: Story | None, step_id: str) -> list[str]:
    """The lettering and layout fields of a panel that differ between the sides."""
    old, new = find_panel(base, step_id), find_panel(head, step_id)
    if old is None or new is None:
        return []
    return [f for f in (*LETTERING, *LAYOUT) if getattr(old[2], f) != getattr(new[2], f)]


def story_changes(base: Story | None, head: Story | None, step_id: str) -> list[str]:
    """YAML paths of the fields feeding a step's request that differ between the sides."""
    if base is None or head is None:
        return []
    hints = _differ("", base, head, _STORY_SETTINGS)
    if step_id.endswith(".sheet"):
        char = step_id.removesuffix(".sheet")
        return hints + _entity("characters", char, base.characters, head.characters)
    old, new = find_panel(base, step_id), find_panel(head, step_id)
    if old is None or new is None:
        return hints
    (old_scene, _, old_panel), (new_scene, _, new_panel) = old, new
    if old_scene.id == new_scene.id:
        hints += _differ(f"scenes.{new_scene.id}.", old_scene, new_scene, _SCENE_SETTINGS)
    sent = [f for f in Panel.model_fields if f not in _NOT_SENT]
    hints += _differ(f"panels.{step_id}.", old_panel, new_panel, sent)
    for cid in dict.fromkeys((*old_panel.characters, *new_panel.characters)):
        hints += _entity("characters", cid, base.characters, head.characters)
    location = new_panel.location or new_scene.location
    hints += _entity("locations", location, base.locations, head.locations)
    style = new_panel.style or new_scene.style or head.style
    hints += _entity("styles", style, base.styles, head.styles)
    return hints + [f"vars.{k}" for k in _changed_keys(base.vars, head.vars)]


def _differ(prefix: str, old: Any, new: Any, fields: Iterable[str]) -> list[str]:
    return [f"{prefix}{f}" for f in fields if getattr(old, f) != getattr(new, f)]


def _entity(section: str, item: str | None, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    if item is None or item not in old or item not in new or old[item] == new[item]:
        return []
    fields = type(new[item]).model_fields
    return _differ(f"{section}.{item}.", old[item], new[item], fields)


def _changed_keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return sorted(k for k in {*old, *new} if old.get(k) != new.get(k))


def moves(base: Story | None, head: Story | None) -> dict[str, str]:
    """Panel id -> "moved from one, panel 4 to two, panel 1" for panels that changed place.

    A panel moved when its scene changed, or when it left the longest run its scene's
    other panels keep in order; so adding, removing or moving one panel never makes
    the panels after it look moved.
    """
    if base is None or head is None:
        return {}
    old, new = _places(base), _places(head)
    common = old.keys() & new.keys()
    moved = {pid for pid in common if old[pid][0] != new[pid][0]}
    for scene in head.scenes:
        stayed = [pid for pid in common - moved if new[pid][0] == scene.id]
        before = sorted(stayed, key=lambda pid: old[pid][1])
        after = sorted(stayed, key=lambda pid: new[pid][1])
        matcher = SequenceMatcher(None, before, after, autojunk=False)
        kept = {pid for m in matcher.get_matching_blocks() for pid in after[m.b : m.b + m.size]}
        moved |= set(stayed) - kept
    return {pid: _moved(old[pid], new[pid]) for pid in sorted(moved)}


def _moved(old: tuple[str, int], new: tuple[str, int]) -> str:
    return f"moved from {old[0]}, panel {old[1]} to {new[0]}, panel {new[1]}"


def _places(story: Story) -> dict[str, tuple[str, int]]:
    """Panel id -> (scene id, 1-based position in the scene)."""
    return {
        panel.id: (scene.id, n)
        for scene in story.scenes
        for n, panel in enumerate(scene.panels, start=1)
    }
