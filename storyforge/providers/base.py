"""What every provider takes and gives: one request in, one outcome out; failures are values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict, SecretStr

RGB = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class ImagePart:
    """An input image, sent after its label text ("Image 1: character sheet of Mara")."""

    label: str
    data: bytes
    mime_type: str  # sniffed from the bytes


@dataclass(frozen=True, slots=True)
class SketchHints:
    """What the offline sketch provider draws beyond the prompt; never sent over the wire."""

    title: str  # the step id
    kind: str  # sheet, panel, edit, fuse
    shot: str | None = None
    figures: tuple[tuple[str, RGB], ...] = ()  # (name, colour) of each character
    tint: RGB = (236, 232, 222)  # the location's colour
    location: str | None = None
    take: int = 1  # takes of one request are drawn differently, as a model's would be


@dataclass(frozen=True, slots=True)
class GenerateRequest:
    """One generateContent call: the prompt text, then each labelled image, then the config."""

    model: str
    text: str
    images: tuple[ImagePart, ...] = ()
    aspect_ratio: str = "1:1"
    image_size: str | None = None
    modalities: tuple[str, ...] = ("image",)
    seed: int | None = None
    temperature: float | None = None
    label: str = ""  # the step id, for logs and upload display names
    hints: SketchHints | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts from usageMetadata (zeros when the provider reports none)."""

    prompt_tokens: int = 0
    output_tokens: int = 0
    image_tokens: int = 0
    thoughts_tokens: int = 0
    total_tokens: int = 0


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    """An output image, its bytes exactly as received and its type sniffed from them."""

    data: bytes
    mime_type: str


Status = Literal["generated", "blocked", "failed"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one call after retries.

    `generated` has at least one image, each decoded whole; `images[0]` is the answer's
    final image (its last non-thought image), the others follow in the order they came.
    `blocked` is the model's refusal (reason such as
    `IMAGE_SAFETY`, `PROHIBITED_CONTENT` or `no image`); `failed` is an error after retries.
    `fatal` says no later call to this provider can succeed (bad key, billing off).
    """

    status: Status
    images: tuple[GeneratedImage, ...] = ()
    text: str = ""
    reason: str = ""
    usage: Usage = Usage()
    cost_usd: float = 0.0
    attempts: int = 1
    fatal: bool = False
    model_version: str = ""


class ProviderOptions(BaseModel):
    """Settings of a provider; the key is a SecretStr so it never prints."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: SecretStr | None = None
    base_url: str | None = None
    # The whole of one HTTP request (connect, send, every read) must fit in this time, so a
    # silent or slow-drip server cannot hold a call: PROTOCOL.md §5's 180-300 s bracket,
    # at its lower end. An attempt that runs out of time twice ends the call (see gemini).
    timeout_s: float = 180.0
    max_attempts: int = 5
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 60.0
    stream: bool | None = None  # None: the provider's default
    debug_http: bool = False


@dataclass(frozen=True, slots=True)
class ModelListing:
    """An image model a key can call, for `storyforge models`."""

    id: str
    display_name: str = ""
    notes: str = ""


class Provider(Protocol):
    """An image generator. `generate` never raises for API failures: it returns an Outcome."""

    name: ClassVar[str]
    key_env_var: ClassVar[str | None]
    supports_streaming: ClassVar[bool]

    async def generate(self, request: GenerateRequest) -> Outcome:
        """Make one call (with retries) and classify what came back."""
        ...

    async def list_models(self) -> list[ModelListing]:
        """The image models this provider and key can call."""
        ...
