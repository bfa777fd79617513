"""Images shrunk to fit a box, one at a time, tolerating bytes that are not an image."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image

from storyforge.render.paint import WHITE

Source = bytes | Path

# Everything Pillow raises on bytes that are not (or not wholly) an image.
_UNREADABLE = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


def _open(source: Source) -> Image.Image:
    return Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)


def fit(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The largest size with the aspect of `size` inside `box` (at least 1x1)."""
    width, height = size
    scale = min(box[0] / max(1, width), box[1] / max(1, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def image_size(source: Source) -> tuple[int, int] | None:
    """Width and height from the image's header alone, or None when it is unreadable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with _open(source) as image:
                return image.size
    except _UNREADABLE:
        return None


def load_fitted(source: Source, box: tuple[int, int]) -> Image.Image | None:
    """The image decoded at about the size of `box`, fitted inside it, as RGB; None if unreadable.

    JPEG is decoded at a reduced scale (draft) and everything else is reduced right after
    decoding, so a large file never stays in memory at full size for long.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with _open(source) as image:
                target = fit(image.size, box)
                image.draft("RGB", target)
                image.thumbnail(target, Image.Resampling.BICUBIC, reducing_gap=2.0)
                fitted = _flatten(image)
    except _UNREADABLE:
        return None
    if fitted.size != target:
        # Small inputs are scaled up so every thumbnail fills its box the same way.
        fitted = fitted.resize(target, Image.Resampling.BICUBIC)
    return fitted


def fitted_png(source: Source, box: tuple[int, int]) -> bytes | None:
    """`load_fitted` as PNG bytes (quick to write, lossless), or None when unreadable."""
    fitted = load_fitted(source, box)
    if fitted is None:
        return None
    out = io.BytesIO()
    fitted.save(out, "PNG", compress_level=1)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")
