"""Answer images checked whole: a take counts only if it decodes, header to last pixel."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from storyforge.mime import sniff_mime
from storyforge.providers.base import Outcome

OUTPUT_MIME = frozenset({"image/png", "image/jpeg", "image/webp"})
# Decoding at about this size still reads every byte of the stream (JPEG through its
# reduced-scale decoder), so truncation anywhere shows, without holding a 4K image.
_PROBE_BOX = (64, 64)


def decodes_whole(data: bytes) -> bool:
    """Whether the bytes are a PNG, JPEG or WebP image that decodes completely."""
    if sniff_mime(data) not in OUTPUT_MIME:
        return False
    # Pillow's one home is render/; its thumbnail loader is the existing way to decode
    # bytes that may not be (or not wholly be) an image without raising.
    from storyforge.render.thumbs import load_fitted

    return load_fitted(data, _PROBE_BOX) is not None


def check_images(outcome: Outcome) -> Outcome:
    """The outcome, or a failed one storing nothing when any of its images is not whole."""
    if outcome.status != "generated":
        return outcome
    for number, image in enumerate(outcome.images, start=1):
        if not decodes_whole(image.data):
            what = sniff_mime(image.data) or ("empty" if not image.data else "not an image")
            return replace(
                outcome,
                status="failed",
                images=(),
                reason=f"the answer's image {number} does not decode as a whole PNG, JPEG "
                f"or WebP image ({what}, {len(image.data)} bytes): nothing was stored",
            )
    return outcome


async def checked(outcome: Outcome) -> Outcome:
    """`check_images` in a worker thread: decoding a 4K image would stall the event loop."""
    if outcome.status != "generated":
        return outcome
    return await asyncio.to_thread(check_images, outcome)
