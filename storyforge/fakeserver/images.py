"""The fake server's output images: sketches of the request, JPEG-encoded for Gemini 3 models."""

from __future__ import annotations

from functools import lru_cache

# Clients retry and tests repeat requests: keep the last few drawings rather than redraw them.
_CACHED = 8


@lru_cache(maxsize=_CACHED)
def sketch_png(
    width: int, height: int, text: str, images: tuple[tuple[str, bytes], ...], variant: int = 0
) -> bytes:
    """A PNG storyboard sketch of the prompt and its labelled input images, width x height.

    `variant` is the request's seed plus one (0 without a seed): seeded takes differ.
    """
    # The renderer pulls in Pillow and fonts: import it when the first image is asked for.
    from storyforge.render.sketch import render_sketch, spec_from_text

    return render_sketch(spec_from_text(width, height, text, images, variant))


@lru_cache(maxsize=_CACHED)
def as_jpeg(png: bytes) -> bytes:
    """The same picture as a baseline JPEG, as Gemini 3 models answer."""
    from storyforge.render.encode import png_to_jpeg

    return png_to_jpeg(png)
