"""Check a story's models against the capability table: retired, unknown, ratios and sizes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from storyforge.capabilities import DEFAULT_MODEL, ModelInfo, model_info
from storyforge.diagnostics import Diagnostic
from storyforge.story.models import Story
from storyforge.story.sourcemap import SourceMap, YamlPath

_SOON = dt.timedelta(days=30)
_STORY_RATIO: YamlPath = ("aspect_ratio",)


def today() -> dt.date:
    """Today's date, the reference for shutdown warnings (a function so tests can pin it)."""
    return dt.date.today()


@dataclass(frozen=True, slots=True)
class _Use:
    """The model, aspect ratio and image size in effect somewhere, with where each was set."""

    model: str
    model_at: YamlPath
    ratio: str
    ratio_at: YamlPath
    size: str | None
    size_at: YamlPath


def check_models(story: Story, source: SourceMap) -> list[Diagnostic]:
    """Errors for retired models, ratios and sizes a model lacks; warnings for risky models.

    Each problem is reported once, where the offending value was written, however many
    panels inherit it.
    """
    found: set[Diagnostic] = set()
    for use in set(_uses(story)):
        info = model_info(use.model)
        found.update(_status(use, info, source))
        if use.ratio not in info.ratios:
            found.add(source.diagnostic(use.ratio_at, _ratio_message(use.ratio, info)))
        if use.size is not None and use.size not in info.image_sizes:
            found.add(source.diagnostic(use.size_at, _size_message(use.size, info)))
    return sorted(found)


def _uses(story: Story) -> Iterator[_Use]:
    yield _Use(
        story.model, ("model",), story.aspect_ratio, ("aspect_ratio",), story.image_size,
        ("image_size",),
    )  # fmt: skip
    for i, scene in enumerate(story.scenes):
        ratio, ratio_at = story.aspect_ratio, _STORY_RATIO
        if scene.aspect_ratio is not None:
            ratio, ratio_at = scene.aspect_ratio, ("scenes", i, "aspect_ratio")
        for j, panel in enumerate(scene.panels):
            at = ("scenes", i, "panels", j)
            yield _Use(
                panel.model or story.model,
                (*at, "model") if panel.model else ("model",),
                panel.aspect_ratio or ratio,
                (*at, "aspect_ratio") if panel.aspect_ratio else ratio_at,
                panel.image_size or story.image_size,
                (*at, "image_size") if panel.image_size else ("image_size",),
            )


def _status(use: _Use, info: ModelInfo, source: SourceMap) -> Iterator[Diagnostic]:
    if info.retired:
        message = f"model '{info.id}' was shut down on {info.shutdown}; use '{_live(info)}'"
        yield source.diagnostic(use.model_at, message)
    elif not info.known:
        message = (
            f"unknown model '{info.id}': storyforge assumes at most {info.max_refs} input "
            "images and the highest price"
        )
        yield source.diagnostic(use.model_at, message, severity="warning")
    elif info.shutdown is not None and today() >= info.shutdown - _SOON:
        days = (info.shutdown - today()).days
        when = f"was due to shut down on {info.shutdown}"
        if days > 0:
            when = f"shuts down on {info.shutdown} (in {days} days)"
        message = f"model '{info.id}' {when}; choose another, e.g. '{DEFAULT_MODEL}'"
        yield source.diagnostic(use.model_at, message, severity="warning")


def _live(info: ModelInfo) -> str:
    """The replacement to suggest: the named one unless it is past its own shutdown."""
    replacement = model_info(info.replacement) if info.replacement else None
    if replacement is None or replacement.retired:
        return DEFAULT_MODEL
    if replacement.shutdown is not None and today() >= replacement.shutdown:
        return DEFAULT_MODEL
    return replacement.id


def _ratio_message(ratio: str, info: ModelInfo) -> str:
    choices = ", ".join(info.ratios)
    return f"aspect ratio '{ratio}' is not supported by {info.id}; use one of {choices}"


def _size_message(size: str, info: ModelInfo) -> str:
    if not info.image_sizes:
        return f"{info.id} takes no image_size; remove it"
    choices = ", ".join(info.image_sizes)
    return f"image size '{size}' is not supported by {info.id}; use one of {choices}"
