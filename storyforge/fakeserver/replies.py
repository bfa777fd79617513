"""What the model answers to a valid request: an image, several, thoughts, or a refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from storyforge.capabilities import model_info
from storyforge.fakeserver import images
from storyforge.fakeserver.responses import Reply, image_part, image_tokens, text_part
from storyforge.fakeserver.validate import Call, is_gemini3

INTRO = "Here is the image you asked for:\n\n"
REFUSAL = (
    "I can't create that image, but I can describe it: a storyboard frame of the scene, "
    "drawn in ink with soft washes."
)
SAFETY_MESSAGE = (
    "Unable to show the generated image. The generated image was filtered out because it "
    "violated Google's Generative AI Prohibited Use policy. You will not be charged for blocked "
    "images. Try rephrasing the prompt. If you think this was an error, send feedback."
)
THOUGHT = "**Planning the frame**\n\nI'm placing the figures first, then the light and the setting."
# What Gemini 3 answers once in a while (the `jpeg-as-png` fault): JPEG bytes labelled PNG.
WRONG_LABEL = "image/png"

_REFUSALS = {
    "safety": Reply(finish="IMAGE_SAFETY", finish_message=SAFETY_MESSAGE),
    "prohibited": Reply(block_reason="PROHIBITED_CONTENT"),
    "text-only": Reply(parts=(text_part(REFUSAL),)),
    "no-image": Reply(finish="NO_IMAGE", empty_content={}),
    "max-tokens": Reply(finish="MAX_TOKENS", empty_content={"role": "model"}),
}


def reply_for(call: Call, fault: str | None) -> Reply:
    """The model's answer to `call` under a body fault (None: the ordinary image answer)."""
    if fault in _REFUSALS:
        return _REFUSALS[fault]
    cap = call.max_output_tokens
    if fault is None and cap is not None and cap < image_tokens(call):
        # Too low a token cap ends the answer before the image, as PROTOCOL.md §2 warns.
        return _REFUSALS["max-tokens"]
    return _DRAWN.get(fault or "", _plain)(call)


def _plain(call: Call) -> Reply:
    return Reply(parts=(*_intro(call), _final(call, _drawing(call))))


def _multi(call: Call) -> Reply:
    second = _drawing(call, call.text + "\n(second take)")
    return Reply(parts=(*_intro(call), _final(call, _drawing(call)), _final(call, second)))


def _jpeg_as_png(call: Call) -> Reply:
    jpeg = images.as_jpeg(_png(call, call.text))
    return Reply(parts=(*_intro(call), image_part(jpeg, WRONG_LABEL, signed=_signs(call))))


def _thought(call: Call) -> Reply:
    width, height = _size(call)
    draft = images.sketch_png(
        max(width // 4, 64), max(height // 4, 64), f"Draft: {call.text}", call.images
    )
    final = image_part(_drawing(call), model_info(call.model).output_mime, signed=True)
    return Reply(
        parts=(
            text_part(THOUGHT, thought=True),
            image_part(draft, "image/png", thought=True),
            *_intro(call),
            final,
        )
    )


_DRAWN: dict[str, Callable[[Call], Reply]] = {
    "": _plain, "multi-image": _multi, "jpeg-as-png": _jpeg_as_png, "thought": _thought,
}  # fmt: skip


def _intro(call: Call) -> tuple[dict[str, Any], ...]:
    return (text_part(INTRO, signed=_signs(call)),) if call.with_text else ()


def _final(call: Call, data: bytes) -> dict[str, Any]:
    return image_part(data, model_info(call.model).output_mime, signed=_signs(call))


def _drawing(call: Call, text: str | None = None) -> bytes:
    png = _png(call, call.text if text is None else text)
    return images.as_jpeg(png) if is_gemini3(model_info(call.model)) else png


def _png(call: Call, text: str) -> bytes:
    width, height = _size(call)
    variant = 0 if call.seed is None else call.seed + 1
    return images.sketch_png(width, height, text, call.images, variant)


def _size(call: Call) -> tuple[int, int]:
    return model_info(call.model).pixels(call.aspect_ratio, call.image_size)


def _signs(call: Call) -> bool:
    return is_gemini3(model_info(call.model))
