"""The story format, version 1: pydantic models of what a user writes in story.yaml."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from storyforge.capabilities import DEFAULT_MODEL

FORMAT_VERSION = 1

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Modality = Literal["text", "image"]
Modalities = Annotated[tuple[Modality, ...], Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Style(_Model):
    """A look shared by panels: prompt text and optional style reference images."""

    prompt: str = ""
    references: tuple[str, ...] = ()


class Character(_Model):
    """A recurring character; `sheet: true` generates `<id>.sheet` first for consistency."""

    name: str
    description: str = ""
    references: tuple[str, ...] = ()
    sheet: bool = False


class Location(_Model):
    """A place panels happen in."""

    name: str | None = None
    description: str = ""
    references: tuple[str, ...] = ()


class Line(_Model):
    """A line of dialogue: kept as data for the contact sheet, never prompted into the art."""

    who: Id
    text: str


class Panel(_Model):
    """One image of a scene: a generated panel, an edit of another step, or a fusion."""

    id: Id
    characters: tuple[Id, ...] = ()
    location: Id | None = None
    style: Id | None = None
    shot: str | None = None
    prompt: str = ""
    caption: str | None = None
    dialogue: tuple[Line, ...] = ()
    takes: int = Field(default=1, ge=1, le=16)
    edit: str | None = None
    fuse: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    model: str | None = None
    aspect_ratio: str | None = None
    image_size: str | None = None
    modalities: Modalities | None = None
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    temperature: float | None = Field(default=None, ge=0, le=2)


class Scene(_Model):
    """An ordered run of panels sharing a location, style and continuity."""

    id: Id
    title: str | None = None
    location: Id | None = None
    style: Id | None = None
    continuity: Literal["chain", "none"] = "chain"
    aspect_ratio: str | None = None
    modalities: Modalities | None = None
    panels: Annotated[tuple[Panel, ...], Field(min_length=1)]


class Templates(_Model):
    """Paths (relative to the story folder) of Jinja templates replacing the built-in ones."""

    sheet: str | None = None
    panel: str | None = None
    edit: str | None = None
    fuse: str | None = None


class Story(_Model):
    """A whole story file."""

    storyforge: Literal[1]
    title: str
    model: str = DEFAULT_MODEL
    aspect_ratio: str = "16:9"
    image_size: str | None = None
    style: Id | None = None
    modalities: Modalities = ("image",)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    vars: dict[str, Any] = Field(default_factory=dict)
    styles: dict[Id, Style] = Field(default_factory=dict)
    characters: dict[Id, Character] = Field(default_factory=dict)
    locations: dict[Id, Location] = Field(default_factory=dict)
    templates: Templates = Templates()
    scenes: Annotated[tuple[Scene, ...], Field(min_length=1)]
