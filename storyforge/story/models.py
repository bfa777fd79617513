"""The story format, versions 1 and 1.1: pydantic models of what a user writes in story.yaml.

Every field carries a description (editors show it on hover through the JSON Schema).
Fields that version 1.1 added are marked `since: "1.1"` in their schema; a version-1
file that uses one is told which version has it (`storyforge.story.versions`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from storyforge.capabilities import DEFAULT_MODEL

FORMAT_VERSION = 1  # the version `storyforge init` does not need to write
FORMAT_VERSIONS = ("1", "1.1")  # every version this storyforge reads, oldest first
LATEST_VERSION = "1.1"

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Modality = Literal["text", "image"]
Modalities = Annotated[tuple[Modality, ...], Field(min_length=1)]
Anchor = Literal[
    "top-left", "top", "top-right", "left", "center", "right", "bottom-left", "bottom",
    "bottom-right",
]  # fmt: skip
LineKind = Literal["speech", "thought", "whisper", "shout", "caption", "narration", "off"]
RefRole = Literal["pose", "layout", "object", "style", "character"]
OutputName = Literal["contact_sheet", "viewer", "board", "animatic", "pages", "takes"]
SINCE_1_1: dict[str, Any] = {"since": "1.1"}


def _since(description: str) -> Any:
    """Field metadata for a 1.1 field: its description and the version that added it."""
    return {"description": description, "json_schema_extra": SINCE_1_1}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Style(_Model):
    """A look shared by panels: prompt text and optional style reference images."""

    prompt: str = Field("", description="Style words added to every prompt that uses it.")
    references: tuple[str, ...] = Field(
        (), description="Style reference images, relative to the story folder."
    )


class Character(_Model):
    """A recurring character; `sheet: true` generates `<id>.sheet` first for consistency."""

    name: str = Field(description="The character's name, as prompts and lettering use it.")
    description: str = Field("", description="How the character looks, for every prompt.")
    references: tuple[str, ...] = Field(
        (), description="Photos or drawings of the character, relative to the story folder."
    )
    sheet: bool = Field(
        False, description="Generate a character sheet `<id>.sheet` first and show it to panels."
    )


class Location(_Model):
    """A place panels happen in."""

    name: str | None = Field(None, description="The place's name; defaults to its id.")
    description: str = Field("", description="What the place looks like, for every prompt.")
    references: tuple[str, ...] = Field(
        (), description="Pictures of the place, relative to the story folder."
    )


class Line(_Model):
    """A line of dialogue: kept as data for lettering and boards, never prompted into the art."""

    who: Id | None = Field(
        None, description="The speaking character's id; optional for captions and narration."
    )
    text: str = Field(description="The words, exactly as they are to be lettered.")
    kind: LineKind = Field(
        "speech",
        **_since(
            "How it is lettered: speech balloon, thought cloud, dashed whisper, burst shout, "
            "caption box, narration, or off-panel speech."
        ),
    )
    at: Anchor | None = Field(
        None, **_since("Where in the panel to place the balloon, e.g. top-left.")
    )
    to: Anchor | None = Field(
        None, **_since("Where the speaker is in the panel, for the balloon's tail.")
    )


class Sfx(_Model):
    """A sound effect lettered into a panel."""

    text: str = Field(description="The sound, e.g. KRAK.")
    at: Anchor | None = Field(None, description="Where in the panel to letter it.")


class RoledRef(_Model):
    """A reference image or step with what it is for, written into its role label."""

    ref: str = Field(description="A step id or an image file relative to the story folder.")
    as_: RefRole = Field(
        alias="as", description="What the image is for: pose, layout, object, style or character."
    )


Ref = str | RoledRef


class Crop(_Model):
    """The focal point a panel's image is cropped around to fill its page cell."""

    x: float = Field(0.5, ge=0, le=1, description="Across, from 0 (left) to 1 (right).")
    y: float = Field(0.4, ge=0, le=1, description="Down, from 0 (top) to 1 (bottom).")


class Panel(_Model):
    """One image of a scene: a generated panel, an edit of another step, or a fusion."""

    id: Id = Field(description="The step id, unique in the story.")
    characters: tuple[Id, ...] = Field((), description="Ids of the characters in the panel.")
    location: Id | None = Field(None, description="The location id; defaults to the scene's.")
    style: Id | None = Field(None, description="The style id; defaults to the scene's.")
    shot: str | None = Field(
        None, description="The one framing word prompted: wide, close-up, over-the-shoulder…"
    )
    prompt: str = Field("", description="What to draw: a Jinja template.")
    caption: str | None = Field(None, description="A caption, kept as data (never prompted).")
    dialogue: tuple[Line, ...] = Field(
        (), description="Lines spoken or narrated, kept as data (never prompted)."
    )
    takes: int = Field(1, ge=1, le=16, description="How many separate calls; one is selected.")
    edit: str | None = Field(None, description="Edit this step's output with the prompt.")
    fuse: tuple[Ref, ...] = Field((), description="Step ids or files to fuse into one image.")
    references: tuple[Ref, ...] = Field(
        (), description="More reference steps or files this panel is shown."
    )
    model: str | None = Field(None, description="The model for this panel.")
    aspect_ratio: str | None = Field(None, description="The aspect ratio, e.g. 16:9.")
    image_size: str | None = Field(None, description="The image size (Gemini 3), e.g. 2K.")
    modalities: Modalities | None = Field(
        None, description="[image], or [text, image] to keep the model's text."
    )
    seed: int | None = Field(None, ge=0, le=2**31 - 1, description="The request seed.")
    temperature: float | None = Field(None, ge=0, le=2, description="The sampling temperature.")
    duration: float | None = Field(
        None, gt=0, le=3600, **_since("Seconds on screen in the board and animatic (default 2).")
    )
    camera: str | None = Field(
        None, **_since("The camera move for the board, e.g. dolly in (never prompted).")
    )
    action: str | None = Field(None, **_since("What happens, for the board (never prompted)."))
    notes: str | None = Field(None, **_since("Notes for the team; never prompted."))
    sfx: tuple[Sfx, ...] = Field((), **_since("Sound effects lettered into the panel."))
    crop: Crop | None = Field(None, **_since("The focal point kept when cropped to its cell."))
    bleed: bool = Field(False, **_since("Run the panel off the trimmed page edge."))
    page_break: bool = Field(False, **_since("Start a new page with this panel."))


Tier = Annotated[tuple[Annotated[int, Field(ge=1, le=12)], ...], Field(min_length=1)]
LayoutPreset = Literal["splash", "grid-2x2", "three-tier", "nine-grid"]


class Scene(_Model):
    """An ordered run of panels sharing a location, style and continuity."""

    id: Id = Field(description="The scene id, unique in the story.")
    title: str | None = Field(None, description="A title shown on sheets and boards.")
    location: Id | None = Field(None, description="The location of its panels.")
    style: Id | None = Field(None, description="The style of its panels.")
    continuity: Literal["chain", "none"] = Field(
        "chain", description="chain: each panel also sees the previous one; none: it does not."
    )
    aspect_ratio: str | None = Field(None, description="The aspect ratio of its panels.")
    modalities: Modalities | None = Field(None, description="The modalities of its panels.")
    layout: LayoutPreset | Annotated[tuple[Tier, ...], Field(min_length=1)] | None = Field(
        None,
        **_since(
            "Page layout: a preset, or tiers of cells with relative widths, "
            "e.g. [[1], [1, 1], [2, 1]]."
        ),
    )
    heights: tuple[Annotated[float, Field(gt=0)], ...] | None = Field(
        None, **_since("Relative tier heights, one per tier of the layout.")
    )
    panels: Annotated[tuple[Panel, ...], Field(min_length=1)] = Field(
        description="The scene's panels in reading order."
    )


class Templates(_Model):
    """Paths (relative to the story folder) of Jinja templates replacing the built-in ones."""

    sheet: str | None = Field(None, description="The character-sheet template.")
    panel: str | None = Field(None, description="The panel template.")
    edit: str | None = Field(None, description="The edit template.")
    fuse: str | None = Field(None, description="The fusion template.")


class Book(_Model):
    """The printed book a lettered comic is laid out for."""

    preset: Literal["us-comic", "manga-b5", "a4", "letter", "custom"] = Field(
        "us-comic", description="The page size: a preset, or custom with width and height."
    )
    width: float | None = Field(None, gt=0, le=40, description="Custom trim width, inches.")
    height: float | None = Field(None, gt=0, le=40, description="Custom trim height, inches.")
    bleed: float | None = Field(None, ge=0, le=1, description="Bleed beyond the trim, inches.")
    margin: float | None = Field(
        None, ge=0, le=4, description="Trim to live area on every side, inches."
    )
    dpi: int = Field(300, ge=72, le=1200, description="Resolution of the page images.")
    gutter: float = Field(0.125, ge=0, le=2, description="Space between cells, inches.")
    border: float = Field(1.5, ge=0, le=12, description="Panel border weight, points.")
    direction: Literal["ltr", "rtl"] = Field(
        "ltr", description="Reading direction; rtl mirrors cells and balloon order."
    )
    lettered: bool = Field(
        True, description="Letter the pages, and ask the model for art with no text."
    )


class Board(_Model):
    """The storyboard PDF."""

    per_page: Literal[3, 6, 9, 12] = Field(6, description="Boards per page.")
    orientation: Literal["landscape", "portrait"] = Field(
        "landscape", description="Landscape grids or portrait rows."
    )
    paper: Literal["a4", "letter"] = Field("a4", description="The paper size.")


class Animatic(_Model):
    """The animatic: every panel for its duration, with a title card and captions."""

    fps: int = Field(24, ge=1, le=60, description="Frames per second.")
    height: int = Field(
        720,
        ge=144,
        le=2160,
        description="Frame height in pixels; the width follows the story's aspect ratio.",
    )
    title_card: float = Field(
        2.0,
        ge=0,
        le=60,
        description="Seconds of the title card before the first panel; 0 for none.",
    )
    burn_in: bool = Field(
        False, description="Draw captions and dialogue into the frames, besides the WebVTT file."
    )


class Story(_Model):
    """A whole story file."""

    storyforge: float = Field(
        description="The format version: 1, or 1.1 for timing, lettering and layout fields.",
        json_schema_extra={"enum": [1, 1.1]},
    )
    title: str = Field(description="The story's title.")
    model: str = Field(DEFAULT_MODEL, description="The default model of every step.")
    aspect_ratio: str = Field("16:9", description="The default aspect ratio.")
    image_size: str | None = Field(None, description="The default image size (Gemini 3).")
    style: Id | None = Field(None, description="The default style id.")
    modalities: Modalities = Field(("image",), description="The default modalities.")
    seed: int | None = Field(None, ge=0, le=2**31 - 1, description="The default seed.")
    vars: dict[str, Any] = Field(default_factory=dict, description="Free values for templates.")
    styles: dict[Id, Style] = Field(default_factory=dict, description="Styles by id.")
    characters: dict[Id, Character] = Field(default_factory=dict, description="Cast by id.")
    locations: dict[Id, Location] = Field(default_factory=dict, description="Places by id.")
    templates: Templates = Field(Templates(), description="Template overrides.")
    include: tuple[str, ...] = Field(
        (), **_since("YAML files of characters, locations and styles to include.")
    )
    book: Book | None = Field(None, **_since("The printed book: page size, layout, lettering."))
    board: Board | None = Field(None, **_since("The storyboard PDF's layout."))
    animatic: Animatic | None = Field(
        None, **_since("The animatic's frame rate, size, title card and burned-in captions.")
    )
    outputs: tuple[OutputName, ...] | None = Field(
        None, **_since("Which outputs a build makes; the contact sheet when unset.")
    )
    scenes: Annotated[tuple[Scene, ...], Field(min_length=1)] = Field(
        description="The scenes in story order."
    )


def ref_path(ref: Ref) -> str:
    """The step id or file a reference item names."""
    return ref if isinstance(ref, str) else ref.ref


def ref_role(ref: Ref) -> str | None:
    """What a reference item says it is for, if it says."""
    return None if isinstance(ref, str) else ref.as_
