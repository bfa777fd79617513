"""One Step per sheet and panel: settings, inputs, prompt and sketch hints, problems collected."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from storyforge.compile.book import book_layout
from storyforge.compile.palette import Palette
from storyforge.compile.plan import Input, Step
from storyforge.compile.prompt_context import PromptMaker
from storyforge.compile.prompts import PromptRenderer, TemplateProblem
from storyforge.compile.references import (
    Candidate,
    Selection,
    automatic_candidates,
    explicit_candidates,
    select,
    sheet_candidates,
    step_kind,
)
from storyforge.compile.settings import Settings, panel_settings, sheet_settings
from storyforge.diagnostics import Diagnostic
from storyforge.story.images import ReferenceFiles
from storyforge.story.models import Story
from storyforge.story.refpaths import ReferenceProblem
from storyforge.story.sourcemap import SourceMap, YamlPath


@dataclass(frozen=True, slots=True)
class Built:
    """A step and, for each step it needs, the YAML path of the field that names it."""

    step: Step
    needs_at: dict[str, YamlPath]


class StepBuilder:
    """Builds the steps of one story, collecting every problem as a located Diagnostic."""

    def __init__(self, story: Story, source: SourceMap, files: ReferenceFiles) -> None:
        """Build against the story's source map and the compile's reference file cache."""
        self._story = story
        self._source = source
        self._files = files
        self._palette = Palette(story, files)
        renderer = PromptRenderer(files.root, story.templates.model_dump())
        self._prompts = PromptMaker(story, renderer)
        layout = book_layout(story)
        # Layout first: in a book each panel's ratio comes from its cell (`panel_settings`).
        self._cell_ratios = {} if layout is None else {
            pid: slot.frame.ratio for pid, slot in layout.slots().items()
        }  # fmt: skip
        sheets = [f"{c}.sheet" for c, char in story.characters.items() if char.sheet]
        panels = [p.id for scene in story.scenes for p in scene.panels]
        self.step_ids = frozenset(sheets + panels)
        self.problems: list[Diagnostic] = []

    def warnings(self) -> list[Diagnostic]:
        """Character ids that templates cannot reach because a built-in name hides them."""
        return [
            self._source.diagnostic(
                ("characters", cid),
                f"templates see '{cid}' as the built-in name, not this character; rename it",
                at_key=True,
                severity="warning",
            )
            for cid in self._prompts.shadowed()
        ]

    def sheet(self, char_id: str) -> Built:
        """The `<char_id>.sheet` step."""
        settings = sheet_settings(self._story)
        chosen = self._select(settings, [], sheet_candidates(self._story, char_id))
        prompt, problems = self._prompts.sheet(char_id)
        self._report(problems)
        line, column = self._source.locate(("characters", char_id), at_key=True)
        step = Step(
            id=f"{char_id}.sheet", kind="sheet", scene=None, prompt=prompt,
            inputs=self._inputs(chosen), **_config(settings), dropped=chosen.dropped,
            characters=(char_id,), figures=(self._palette.figure(char_id),),
            line=line, column=column,
        )  # fmt: skip
        return Built(step, _needs_at(chosen))

    def panel(self, scene_index: int, panel_index: int) -> Built:
        """The step of a panel, edit or fusion."""
        scene = self._story.scenes[scene_index]
        panel = scene.panels[panel_index]
        at: YamlPath = ("scenes", scene_index, "panels", panel_index)
        kind = step_kind(panel)
        settings = panel_settings(self._story, scene, panel, self._cell_ratios.get(panel.id))
        explicit = explicit_candidates(panel, at, self.step_ids)
        auto = automatic_candidates(self._story, scene, panel_index, at, self.step_ids)
        chosen = self._select(settings, explicit, auto)
        prompt, problems = self._prompts.panel(scene, panel, at, kind)
        self._report(problems)
        location = panel.location or scene.location
        line, column = self._source.locate(at)
        chars = self._story.characters
        step = Step(
            id=panel.id, kind=kind, scene=scene.id, prompt=prompt, inputs=self._inputs(chosen),
            **_config(settings), dropped=chosen.dropped, shot=panel.shot, caption=panel.caption,
            dialogue=tuple((chars[d.who].name if d.who in chars else d.who or "", d.text)
                           for d in panel.dialogue),
            characters=panel.characters,
            figures=tuple(self._palette.figure(c) for c in panel.characters if c in chars),
            location=location, tint=self._palette.tint(location), line=line, column=column,
        )  # fmt: skip
        return Built(step, _needs_at(chosen))

    def check_files(self, declared: Iterable[tuple[str, YamlPath]]) -> None:
        """Check every reference file where it is written (each file is read once)."""
        for ref, at in declared:
            if ref in self.step_ids:
                continue
            try:
                self._files.check(ref)
            except ReferenceProblem as problem:
                self.problems.append(self._source.diagnostic(at, str(problem)))

    def _select(
        self, settings: Settings, explicit: list[Candidate], auto: list[Candidate]
    ) -> Selection:
        chosen = select(explicit, auto, settings.max_refs)
        if chosen.overflow_at is not None:
            message = (
                f"{chosen.explicit_count} explicit input images but {settings.model} takes at "
                f"most {settings.max_refs}; list at most {settings.max_refs} or choose a model "
                "that takes more (gemini-nano-banana-2.1 takes 14)"
            )
            at = chosen.overflow_at
            self.problems.append(self._source.diagnostic(at, message, at_key=True))
        return chosen

    def _inputs(self, chosen: Selection) -> tuple[Input, ...]:
        return tuple(self._input(c) for c in chosen.inputs)

    def _input(self, cand: Candidate) -> Input:
        if cand.source == "step":
            return Input(cand.ref, cand.role, "step", cand.explicit)
        try:
            image = self._files.check(cand.ref)
        except ReferenceProblem:  # reported where the file is declared
            return Input(cand.ref, cand.role, "file", cand.explicit)
        return Input(cand.ref, cand.role, "file", cand.explicit, image.sha256, image.mime_type)

    def _report(self, problems: Iterable[TemplateProblem]) -> None:
        self.problems.extend(self._source.diagnostic(p.path, str(p)) for p in problems)


def _config(settings: Settings) -> dict[str, Any]:
    return {
        "model": settings.model,
        "aspect_ratio": settings.aspect_ratio,
        "width": settings.width,
        "height": settings.height,
        "image_size": settings.image_size,
        "modalities": settings.modalities,
        "seed": settings.seed,
        "temperature": settings.temperature,
        "takes": settings.takes,
    }


def _needs_at(chosen: Selection) -> dict[str, YamlPath]:
    return {c.ref: c.path for c in chosen.inputs if c.source == "step"}
