"""Check what the models cannot: unique ids, and that every id a story names exists."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from storyforge.diagnostics import Diagnostic, did_you_mean
from storyforge.story.idchecks import check_id_names
from storyforge.story.modelchecks import check_models
from storyforge.story.models import Panel, Ref, Story, ref_path
from storyforge.story.sourcemap import SourceMap, YamlPath

# A reference that looks like this names a step; anything else is a file path.
STEP_LIKE = re.compile(r"[a-z0-9][a-z0-9_-]*(\.sheet)?")


def check_story(story: Story, source: SourceMap) -> list[Diagnostic]:
    """Every id-level problem of a story that validated, plus model errors and warnings."""
    checker = _Checker(story, source)
    checker.check_ids()
    checker.check_names(("style",), "style", story.style)
    for i, scene in enumerate(story.scenes):
        checker.check_names(("scenes", i, "location"), "location", scene.location)
        checker.check_names(("scenes", i, "style"), "style", scene.style)
        for j, panel in enumerate(scene.panels):
            checker.check_panel(("scenes", i, "panels", j), panel)
    return [*checker.problems, *check_id_names(story, source), *check_models(story, source)]


@dataclass(slots=True)
class _Checker:
    story: Story
    source: SourceMap
    problems: list[Diagnostic] = field(default_factory=list)
    known: dict[str, Iterable[str]] = field(default_factory=dict)
    steps: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        story = self.story
        self.known = {"character": story.characters, "location": story.locations}
        self.known["style"] = story.styles
        panels = {panel.id for scene in story.scenes for panel in scene.panels}
        sheets = {f"{cid}.sheet" for cid, c in story.characters.items() if c.sheet}
        self.steps = panels | sheets

    def error(self, path: YamlPath, message: str) -> None:
        self.problems.append(self.source.diagnostic(path, message))

    def check_ids(self) -> None:
        """Scene and panel ids share one namespace: report each reuse at the second use."""
        first: dict[str, int] = {}
        for i, scene in enumerate(self.story.scenes):
            owned: list[tuple[YamlPath, str]] = [(("scenes", i, "id"), scene.id)]
            owned += [(("scenes", i, "panels", j, "id"), p.id) for j, p in enumerate(scene.panels)]
            for path, id_ in owned:
                line = self.source.locate(path)[0]
                if id_ in first:
                    self.error(path, f"duplicate id '{id_}' (first used at line {first[id_]})")
                else:
                    first[id_] = line

    def check_names(self, path: YamlPath, kind: str, name: str | None) -> None:
        """`name`, when given, must be the id of a `kind` the story defines."""
        if name is not None and name not in self.known[kind]:
            self.error(path, f"unknown {kind} '{name}'{did_you_mean(name, self.known[kind])}")

    def check_speaker(self, path: YamlPath, who: str | None) -> None:
        """A speaker must be a character; narration is a kind of line, not a character."""
        if who is None or who in self.known["character"]:
            return
        hint = did_you_mean(who, self.known["character"])
        if not hint and who in _NARRATORS:
            hint = (
                "; narration needs no character: write the line as "
                "`{text: ..., kind: narration}` (or `kind: caption`), with `storyforge: 1.1`"
            )
        self.error(path, f"unknown character '{who}'{hint}")

    def check_panel(self, path: YamlPath, panel: Panel) -> None:
        """The ids a panel names: its cast, place, style, speakers and input steps."""
        for k, character in enumerate(panel.characters):
            self.check_names((*path, "characters", k), "character", character)
        self.check_names((*path, "location"), "location", panel.location)
        self.check_names((*path, "style"), "style", panel.style)
        for k, line in enumerate(panel.dialogue):
            self.check_speaker((*path, "dialogue", k, "who"), line.who)
        if panel.edit is not None and not STEP_LIKE.fullmatch(panel.edit):
            self.error((*path, "edit"), "edit takes a panel id or <character>.sheet, not a file")
        elif panel.edit is not None:
            self.check_step((*path, "edit"), panel, panel.edit, "edit")
        for key, verb in (("fuse", "fuse"), ("references", "reference")):
            for k, item in enumerate(getattr(panel, key)):
                ref, at = ref_path(item), _item_path((*path, key, k), item)
                if STEP_LIKE.fullmatch(ref):
                    self.check_step(at, panel, ref, verb)

    def check_step(self, path: YamlPath, panel: Panel, ref: str, verb: str) -> None:
        """`ref` must name a step other than the panel itself."""
        owner = ref.removesuffix(".sheet")
        if ref == panel.id:
            self.error(path, f"panel '{ref}' cannot {verb} itself")
        elif ref in self.steps:
            return
        elif ref.endswith(".sheet") and owner in self.story.characters:
            self.error(path, f"character '{owner}' has no sheet; set sheet: true")
        elif ref in self.story.characters:
            sheet = f"{ref}.sheet"
            fix = (
                f"use its sheet '{sheet}'"
                if sheet in self.steps
                else (f"set sheet: true on it and use '{sheet}', or name its reference file")
            )
            self.error(path, f"unknown step '{ref}': '{ref}' is a character; {fix}")
        else:
            self.error(path, f"unknown step '{ref}'{did_you_mean(ref, self.steps)}")


_NARRATORS = {"narrator", "narration", "caption", "captions", "voice", "voiceover", "vo", "none"}


def _item_path(path: YamlPath, item: Ref) -> YamlPath:
    """Where a fuse or reference item's id is written: the item, or its `ref` key."""
    return path if isinstance(item, str) else (*path, "ref")
