"""The offline provider: draws a storyboard sketch for each request, free and deterministic."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import ClassVar

from storyforge.capabilities import MODELS, model_info
from storyforge.providers.base import (
    GeneratedImage,
    GenerateRequest,
    ModelListing,
    Outcome,
    ProviderOptions,
    Usage,
)
from storyforge.render.sketch import SketchSpec, render_sketch, spec_from_text


def sketch_spec(request: GenerateRequest) -> SketchSpec:
    """What to draw for a request, at the size its model would answer with."""
    width, height = model_info(request.model).pixels(request.aspect_ratio, request.image_size)
    thumbnails = tuple((part.label, part.data) for part in request.images)
    hints = request.hints
    if hints is None:
        spec = spec_from_text(width, height, request.text, thumbnails)
        return replace(spec, title=request.label) if request.label else spec
    # Take 1 is the plain drawing; each further take is drawn differently, so picking
    # between takes can be rehearsed without a key.
    variant = hints.take - 1
    return SketchSpec(
        width, height, hints.title, hints.kind, request.text, hints.shot, hints.figures,
        hints.tint, hints.location, thumbnails, variant, f"TAKE {hints.take}" if variant else "",
    )  # fmt: skip


class SketchProvider:
    """Draws each request with the sketch renderer instead of calling a model."""

    name: ClassVar[str] = "sketch"
    key_env_var: ClassVar[str | None] = None
    supports_streaming: ClassVar[bool] = False

    def __init__(self, options: ProviderOptions | None = None) -> None:
        self.options = options or ProviderOptions()

    async def generate(self, request: GenerateRequest) -> Outcome:
        """Render the request's sketch (in a worker thread) and return it as a generated image."""
        spec = sketch_spec(request)
        # Drawing is CPU-bound; a thread keeps the build's event loop responsive meanwhile.
        png = await asyncio.to_thread(render_sketch, spec)
        wants_text = any(m.lower() == "text" for m in request.modalities)
        return Outcome(
            status="generated",
            images=(GeneratedImage(data=png, mime_type="image/png"),),
            text=f"Sketch of {spec.title}" if wants_text else "",
            usage=Usage(),
            cost_usd=0.0,
            attempts=1,
        )

    async def list_models(self) -> list[ModelListing]:
        """Every current model of the capability table: the sketch draws at each one's sizes."""
        return [
            ModelListing(id=info.id, display_name=info.nickname, notes=info.notes)
            for info in MODELS.values()
            if not info.retired
        ]
