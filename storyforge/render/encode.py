"""Re-encoding of rendered previews (never of outputs, which are kept as received)."""

from __future__ import annotations

import io

from PIL import Image


def png_to_jpeg(png: bytes, *, quality: int = 90) -> bytes:
    """The same picture as a baseline JPEG (the fake server answers Gemini 3 requests so)."""
    out = io.BytesIO()
    with Image.open(io.BytesIO(png)) as picture:
        picture.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()
