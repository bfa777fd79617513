"""The compiled plan: every generation call, its exact request and what it depends on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from storyforge.diagnostics import Diagnostic

StepKind = Literal["sheet", "panel", "edit", "fuse"]
RGB = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Input:
    """One input image of a step, in the order it is sent.

    `ref` is a step id (`source="step"`) or a path relative to the story folder
    (`source="file"`). A file's `sha256` and `mime_type` describe the bytes that will
    actually be sent (after any downscaling); a step's are known only once it is built.
    """

    ref: str
    role: str  # e.g. "character sheet of Mara"; sent as "Image N: <role>"
    source: Literal["step", "file"]
    explicit: bool  # named by edit, fuse or references: never dropped for the model's limit
    sha256: str = ""
    mime_type: str = ""


@dataclass(frozen=True, slots=True)
class Figure:
    """A character as the sketch provider draws it."""

    name: str
    color: RGB


@dataclass(frozen=True, slots=True)
class Step:
    """One generation target: a character sheet, panel, edit or fusion."""

    id: str
    kind: StepKind
    scene: str | None  # None for character sheets
    prompt: str  # the rendered prompt text, without the image labels
    inputs: tuple[Input, ...]
    model: str
    aspect_ratio: str
    width: int  # expected output size for the model, ratio and image size
    height: int
    image_size: str | None = None
    modalities: tuple[str, ...] = ("image",)
    seed: int | None = None
    temperature: float | None = None
    takes: int = 1
    dropped: tuple[str, ...] = ()  # automatic inputs left out by the model's limit: "role (ref)"
    shot: str | None = None
    caption: str | None = None
    dialogue: tuple[tuple[str, str], ...] = ()  # (speaker's name, text)
    characters: tuple[str, ...] = ()  # character ids in the step
    figures: tuple[Figure, ...] = ()
    location: str | None = None
    tint: RGB = (236, 232, 222)  # the location's colour, for sketches
    line: int = 0  # where the step is declared in the story file
    column: int = 0

    @property
    def labels(self) -> tuple[str, ...]:
        """The text part sent before each input image: "Image 1: character sheet of Mara"."""
        return tuple(f"Image {n}: {i.role}" for n, i in enumerate(self.inputs, start=1))

    @property
    def step_inputs(self) -> tuple[str, ...]:
        """Ids of the steps whose output this step needs, in input order."""
        return tuple(i.ref for i in self.inputs if i.source == "step")


@dataclass(frozen=True, slots=True)
class Plan:
    """All steps of a story in dependency order (ties broken by story order)."""

    story_path: Path
    root: Path
    story_sha256: str
    title: str
    steps: tuple[Step, ...]
    deps: Mapping[str, tuple[str, ...]]  # step id -> ids of steps it needs
    rank: Mapping[str, int]  # longest path (in steps) from the step to a sink: schedule first
    warnings: tuple[Diagnostic, ...] = ()
    _by_id: dict[str, Step] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {s.id: s for s in self.steps})

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError when there is none)."""
        return self._by_id[step_id]

    def __contains__(self, step_id: object) -> bool:
        return step_id in self._by_id

    def dependents(self) -> dict[str, list[str]]:
        """Step id -> ids of the steps that need it."""
        out: dict[str, list[str]] = {s.id: [] for s in self.steps}
        for sid, needs in self.deps.items():
            for dep in needs:
                out[dep].append(sid)
        return out

    def ancestors(self, ids: Iterable[str]) -> set[str]:
        """The given steps and everything they need, transitively."""
        return _closure(ids, self.deps)

    def descendants(self, ids: Iterable[str]) -> set[str]:
        """The given steps and everything that needs them, transitively."""
        return _closure(ids, self.dependents())


def _closure(start: Iterable[str], edges: Mapping[str, Iterable[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return seen
