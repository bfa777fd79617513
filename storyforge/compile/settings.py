"""A step's effective generation settings: the panel's own, else its scene's, else the story's.

The loader has already checked each effective model, aspect ratio and image size against
the capability table, so these are taken as valid here.
"""

from __future__ import annotations

from dataclasses import dataclass

from storyforge.capabilities import model_info
from storyforge.render.geometry import nearest_ratio
from storyforge.story.models import Panel, Scene, Story


@dataclass(frozen=True, slots=True)
class Settings:
    """The generation config of one step, and how many input images its model takes."""

    model: str
    aspect_ratio: str
    image_size: str | None
    modalities: tuple[str, ...]
    seed: int | None
    temperature: float | None
    takes: int
    width: int
    height: int
    max_refs: int


def sheet_settings(story: Story) -> Settings:
    """A character sheet uses the story's model, aspect ratio, size, modalities and seed."""
    return _settings(
        story.model, story.aspect_ratio, story.image_size, story.modalities, story.seed, None, 1
    )


def panel_settings(
    story: Story, scene: Scene, panel: Panel, cell_ratio: float | None = None
) -> Settings:
    """A panel's settings; ratio and modalities may also come from its scene.

    In a book (`cell_ratio`, its cell's width over height) a panel that sets no ratio of
    its own gets the model's ratio nearest its cell: layout first.
    """
    model = panel.model or story.model
    from_cell = None if cell_ratio is None else nearest_ratio(cell_ratio, model_info(model).ratios)
    return _settings(
        model,
        panel.aspect_ratio or from_cell or scene.aspect_ratio or story.aspect_ratio,
        panel.image_size or story.image_size,
        panel.modalities or scene.modalities or story.modalities,
        panel.seed if panel.seed is not None else story.seed,
        panel.temperature,
        panel.takes,
    )


def _settings(
    model: str,
    ratio: str,
    size: str | None,
    modalities: tuple[str, ...],
    seed: int | None,
    temperature: float | None,
    takes: int,
) -> Settings:
    info = model_info(model)
    width, height = info.pixels(ratio, size)
    return Settings(
        model, ratio, size, tuple(modalities), seed, temperature, takes, width, height,
        info.max_refs,
    )  # fmt: skip
