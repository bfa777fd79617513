"""Which input images each step sends, in which order, and which the model's limit leaves out.

The policy, applied the same way to every story:

1. Explicit inputs come first, in the order written, and are never dropped: the `edit`
   target ("image to edit: <ref>"), each `fuse` item ("image to combine: <ref>"), then
   each panel `references` item ("reference: <ref>"). More explicit inputs than the
   model's `max_refs` is an error at the field holding the first one over the limit.
2. Automatic inputs fill only the slots left, by priority:
   a. the panel's characters in order: the character's sheet step when it has
      `sheet: true` ("character sheet of <Name>"), else its reference files
      ("reference photo of <Name>");
   b. the previous panel of the scene when the scene's continuity is `chain`
      ("previous panel");
   c. the location's reference files ("location reference: <name or id>");
   d. the effective style's reference files ("style reference: <style id>").
   Automatic inputs that do not fit are recorded as dropped: "role (ref)".
3. Edit and fuse steps take their explicit inputs plus their listed characters (a) only;
   they still count as the previous panel of the panel after them in a chained scene.
4. A character sheet takes its character's reference files, then the story style's
   reference files, both automatic.
5. A ref already included (or already dropped) is not repeated.

A ref is a step when it names one (a panel id or `<character>.sheet`), else a file path
relative to the story folder.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from storyforge.compile.plan import StepKind
from storyforge.story.models import Panel, Ref, Scene, Story, ref_path, ref_role
from storyforge.story.sourcemap import YamlPath


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible input image and the YAML path of the field that brings it in."""

    ref: str
    role: str
    source: Literal["step", "file"]
    explicit: bool
    path: YamlPath


@dataclass(frozen=True, slots=True)
class Selection:
    """The inputs a step sends, those left out, and where an explicit overflow starts."""

    inputs: tuple[Candidate, ...]
    dropped: tuple[str, ...]
    explicit_count: int
    overflow_at: YamlPath | None  # field of the first explicit input over the limit


def step_kind(panel: Panel) -> StepKind:
    """`edit` when the panel edits a step, `fuse` when it fuses images, else `panel`."""
    if panel.edit is not None:
        return "edit"
    return "fuse" if panel.fuse else "panel"


def select(
    explicit: Sequence[Candidate], automatic: Iterable[Candidate], max_refs: int
) -> Selection:
    """Apply the limit: every explicit input, then automatic ones while slots remain."""
    seen: set[str] = set()
    chosen: list[Candidate] = []
    for cand in explicit:
        if cand.ref not in seen:
            seen.add(cand.ref)
            chosen.append(cand)
    overflow = _field(chosen[max_refs].path) if len(chosen) > max_refs else None
    explicit_count = len(chosen)
    dropped: list[str] = []
    for cand in automatic:
        if cand.ref in seen:
            continue
        seen.add(cand.ref)
        if len(chosen) < max_refs:
            chosen.append(cand)
        else:
            dropped.append(f"{cand.role} ({cand.ref})")
    return Selection(tuple(chosen), tuple(dropped), explicit_count, overflow)


def sheet_candidates(story: Story, char_id: str) -> list[Candidate]:
    """A character sheet's inputs: its reference files, then the story style's."""
    char = story.characters[char_id]
    out = _files(char.references, f"reference photo of {char.name}", ("characters", char_id))
    return out + _style_files(story, story.style)


def explicit_candidates(panel: Panel, at: YamlPath, steps: frozenset[str]) -> list[Candidate]:
    """A panel's `edit`, `fuse` and `references` inputs, in that order."""
    out: list[Candidate] = []
    if panel.edit is not None:
        out.append(_named(panel.edit, "image to edit", (*at, "edit"), steps))
    out += [
        _item(ref, "image to combine", (*at, "fuse", n), steps) for n, ref in enumerate(panel.fuse)
    ]
    out += [
        _item(ref, "reference", (*at, "references", n), steps)
        for n, ref in enumerate(panel.references)
    ]
    return out


def _item(ref: Ref, what: str, path: YamlPath, steps: frozenset[str]) -> Candidate:
    """A fuse or reference item; one that says what it is for is labelled with its role."""
    role = ref_role(ref)
    if role is None:
        return _named(ref_path(ref), what, path, steps)
    return _named(ref_path(ref), f"{what} for {ROLE_WORDS[role]}", (*path, "ref"), steps)


def automatic_candidates(
    story: Story, scene: Scene, index: int, at: YamlPath, steps: frozenset[str]
) -> list[Candidate]:
    """A panel's automatic inputs by priority (characters only for edit and fuse steps)."""
    panel = scene.panels[index]
    out = _character_candidates(story, panel, at, steps)
    if step_kind(panel) != "panel":
        return out
    if scene.continuity == "chain" and index > 0:
        out.append(Candidate(scene.panels[index - 1].id, "previous panel", "step", False, at))
    location_id = panel.location or scene.location
    if location_id is not None and location_id in story.locations:
        loc = story.locations[location_id]
        role = f"location reference: {loc.name or location_id}"
        out += _files(loc.references, role, ("locations", location_id))
    return out + _style_files(story, panel.style or scene.style or story.style)


def _character_candidates(
    story: Story, panel: Panel, at: YamlPath, steps: frozenset[str]
) -> list[Candidate]:
    out: list[Candidate] = []
    for n, char_id in enumerate(panel.characters):
        char = story.characters.get(char_id)
        if char is None:
            continue
        sheet = f"{char_id}.sheet"
        if char.sheet and sheet in steps:
            role = f"character sheet of {char.name}"
            out.append(Candidate(sheet, role, "step", False, (*at, "characters", n)))
        else:
            role = f"reference photo of {char.name}"
            out += _files(char.references, role, ("characters", char_id))
    return out


def _style_files(story: Story, style_id: str | None) -> list[Candidate]:
    if style_id is None or style_id not in story.styles:
        return []
    refs = story.styles[style_id].references
    return _files(refs, f"style reference: {style_id}", ("styles", style_id))


def _files(refs: Sequence[str], role: str, owner: YamlPath) -> list[Candidate]:
    return [
        Candidate(ref, role, "file", False, (*owner, "references", n)) for n, ref in enumerate(refs)
    ]


ROLE_WORDS = {
    "pose": "the pose",
    "layout": "the layout",
    "object": "the object",
    "style": "the style",
    "character": "the character",
}


def _named(ref: str, what: str, path: YamlPath, steps: frozenset[str]) -> Candidate:
    if ref in steps:
        return Candidate(ref, f"{what}: {ref}", "step", True, path)
    return Candidate(ref, f"{what}: {PurePosixPath(ref).name}", "file", True, path)


def _field(path: YamlPath) -> YamlPath:
    return path[:-1] if path and isinstance(path[-1], int) else path
