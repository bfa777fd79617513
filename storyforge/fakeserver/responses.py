"""GenerateContentResponse bodies: a whole answer, or a stream's events with running usage."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any

from storyforge.capabilities import model_info
from storyforge.fakeserver.validate import Call

TOKENS_PER_INPUT_IMAGE = 258


@dataclass(frozen=True, slots=True)
class Reply:
    """What the model answered: its parts and how the candidate (or the prompt) ended."""

    parts: tuple[dict[str, Any], ...] = ()
    finish: str = "STOP"
    finish_message: str | None = None
    block_reason: str | None = None  # set: the prompt was blocked and there is no candidate
    # The content object of a candidate without parts, as the service sends it: MAX_TOKENS
    # carries {"role": "model"}, NO_IMAGE {}; None leaves `content` out (IMAGE_SAFETY).
    empty_content: dict[str, Any] | None = None


def text_part(text: str, *, thought: bool = False, signed: bool = False) -> dict[str, Any]:
    """A text part; thought drafts carry `thought: true`, signed ones a thoughtSignature."""
    part: dict[str, Any] = {"text": text}
    if thought:
        part["thought"] = True
    return _signed(part) if signed else part


def image_part(
    data: bytes, mime_type: str, *, thought: bool = False, signed: bool = False
) -> dict[str, Any]:
    """An inlineData image part with its bytes in standard base64."""
    part: dict[str, Any] = {
        "inlineData": {"mimeType": mime_type, "data": base64.b64encode(data).decode()}
    }
    if thought:
        part["thought"] = True
    return _signed(part) if signed else part


def new_response_id() -> str:
    """A random id like the service's responseId."""
    return secrets.token_urlsafe(17)


def whole(call: Call, reply: Reply, response_id: str) -> dict[str, Any]:
    """The unary answer: every part in one response."""
    return _body(call, reply, reply.parts, reply.parts, response_id, last=True)


def events(call: Call, reply: Reply, response_id: str) -> list[dict[str, Any]]:
    """The streamed answer: one response per part, usage as running totals, finishReason last."""
    if len(reply.parts) <= 1:
        return [whole(call, reply, response_id)]
    count = len(reply.parts)
    return [
        _body(
            call, reply, reply.parts[i : i + 1], reply.parts[: i + 1], response_id, i == count - 1
        )
        for i in range(count)
    ]


def prompt_tokens(text: str, images: int) -> tuple[int, int]:
    """Tokens of a prompt's text and of its input images, estimated as the service counts."""
    return len(text) // 4, TOKENS_PER_INPUT_IMAGE * images


def usage(call: Call, parts: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    """The usageMetadata of the request and the parts answered so far."""
    prompt_text, prompt_images = prompt_tokens(call.text, len(call.images))
    prompt = prompt_text + prompt_images
    per_image = image_tokens(call)
    images = sum(per_image for p in parts if "inlineData" in p and not p.get("thought"))
    texts = sum(_tokens(p["text"]) for p in parts if "text" in p and not p.get("thought"))
    thoughts = sum(_tokens(p["text"]) for p in parts if "text" in p and p.get("thought"))
    meta: dict[str, Any] = {"promptTokenCount": prompt}
    if images + texts:
        meta["candidatesTokenCount"] = images + texts
    meta["totalTokenCount"] = prompt + images + texts + thoughts
    if thoughts:
        meta["thoughtsTokenCount"] = thoughts
    meta["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prompt_text}]
    if call.images:
        meta["promptTokensDetails"].append(
            {"modality": "IMAGE", "tokenCount": prompt - prompt_text}
        )
    if images:
        meta["candidatesTokensDetails"] = [{"modality": "IMAGE", "tokenCount": images}]
    meta["serviceTier"] = "standard"
    return meta


def image_tokens(call: Call) -> int:
    """Output tokens of one image at the call's model and size (1290 on 2.5 Flash Image)."""
    info = model_info(call.model)
    return info.image_tokens.get(call.image_size or info.default_size, 1290)


def _body(
    call: Call,
    reply: Reply,
    shown: tuple[dict[str, Any], ...],
    counted: tuple[dict[str, Any], ...],
    response_id: str,
    last: bool,
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if reply.block_reason:
        body["promptFeedback"] = {"blockReason": reply.block_reason}
    else:
        candidate: dict[str, Any] = {}
        if shown:
            candidate["content"] = {"parts": list(shown), "role": "model"}
        elif reply.empty_content is not None:
            candidate["content"] = dict(reply.empty_content)
        if last:
            candidate["finishReason"] = reply.finish
            if reply.finish_message:
                candidate["finishMessage"] = reply.finish_message
        candidate["index"] = 0
        body["candidates"] = [candidate]
    body["usageMetadata"] = usage(call, counted)
    body["modelVersion"] = call.model
    body["responseId"] = response_id
    return body


def _tokens(text: str) -> int:
    return max(1, len(text) // 4) if text else 0


def _signed(part: dict[str, Any]) -> dict[str, Any]:
    return {**part, "thoughtSignature": base64.b64encode(secrets.token_bytes(48)).decode()}
