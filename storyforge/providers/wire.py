"""The generateContent wire format: request bodies out, responses classified into Outcomes."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storyforge.capabilities import model_info
from storyforge.mime import sniff_mime
from storyforge.providers.base import GeneratedImage, GenerateRequest, ImagePart, Outcome, Usage

_BASE64 = re.compile(r"[A-Za-z0-9+/\-_]*={0,2}")
# A finishReason without an image that means the model refused rather than broke.
BLOCKING_FINISH = frozenset(
    {"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION", "NO_IMAGE"}
)


@dataclass(frozen=True, slots=True)
class FileRef:
    """An input image already uploaded through the Files API."""

    uri: str
    mime_type: str


def b64_size(n: int) -> int:
    """Length of the standard base64 text of `n` bytes."""
    return 4 * ((n + 2) // 3)


def inline_size(request: GenerateRequest) -> int:
    """Roughly how many bytes the request's body takes with every image inline."""
    texts = len(request.text.encode()) + sum(len(i.label.encode()) for i in request.images)
    return texts + sum(b64_size(len(i.data)) for i in request.images)


def choose_uploads(request: GenerateRequest, budget: int) -> frozenset[int]:
    """Indices of the largest images to move to the Files API to fit the inline budget."""
    size = inline_size(request)
    chosen: set[int] = set()
    by_size = sorted(range(len(request.images)), key=lambda i: -len(request.images[i].data))
    for index in by_size:
        if size <= budget:
            break
        chosen.add(index)
        size -= b64_size(len(request.images[index].data))
    return frozenset(chosen)


def mime_of(image: ImagePart) -> str:
    """The type to declare for an input image: what its bytes are, whatever its label says."""
    return sniff_mime(image.data) or image.mime_type


def build_body(
    request: GenerateRequest, files: Sequence[FileRef | None] | None = None
) -> dict[str, Any]:
    """The JSON body: one user turn of prompt, then each label and image, then the config.

    `files[i]`, when given and set, sends image i as `fileData` instead of `inlineData`.
    """
    parts: list[dict[str, Any]] = [{"text": request.text}]
    for index, image in enumerate(request.images):
        ref = files[index] if files else None
        parts.append({"text": image.label})
        if ref is not None:
            parts.append({"fileData": {"mimeType": ref.mime_type, "fileUri": ref.uri}})
        else:
            data = base64.b64encode(image.data).decode("ascii")
            parts.append({"inlineData": {"mimeType": mime_of(image), "data": data}})
    return {
        "contents": [{"role": "user", "parts": parts}],
        "generationConfig": generation_config(request),
    }


def generation_config(request: GenerateRequest) -> dict[str, Any]:
    """Only fields the Gemini API accepts for the model: no candidateCount, no thinkingConfig."""
    wants_text = "text" in {m.lower() for m in request.modalities}
    image_config: dict[str, Any] = {"aspectRatio": request.aspect_ratio}
    info = model_info(request.model)
    if info.image_sizes:
        image_config["imageSize"] = request.image_size or info.default_size
    config: dict[str, Any] = {
        "responseModalities": ["TEXT", "IMAGE"] if wants_text else ["IMAGE"],
        "imageConfig": image_config,
    }
    if request.seed is not None:
        config["seed"] = request.seed
    if request.temperature is not None:
        config["temperature"] = request.temperature
    return config


def _count(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def parse_usage(metadata: Any) -> Usage:
    """Token counts of a usageMetadata object; image tokens from its IMAGE modality entries."""
    if not isinstance(metadata, dict):
        return Usage()
    details = metadata.get("candidatesTokensDetails")
    image = sum(
        _count(d.get("tokenCount"))
        for d in (details if isinstance(details, list) else ())
        if isinstance(d, dict) and str(d.get("modality", "")).upper() == "IMAGE"
    )
    return Usage(
        prompt_tokens=_count(metadata.get("promptTokenCount")),
        output_tokens=_count(metadata.get("candidatesTokenCount")),
        image_tokens=image,
        thoughts_tokens=_count(metadata.get("thoughtsTokenCount")),
        total_tokens=_count(metadata.get("totalTokenCount")),
    )


def decode_data(text: Any) -> bytes:
    """The bytes of a JSON `bytes` value in standard or URL-safe base64, padded or not.

    Exactly: one alphabet throughout, nothing skipped; anything else raises binascii.Error
    (a lenient decoder would drop the URL-safe characters and corrupt the image silently).
    """
    if not isinstance(text, str) or not _BASE64.fullmatch(text):
        raise binascii.Error("not base64 text")
    core = text.rstrip("=")
    url_safe = bool(set(core) & {"-", "_"})
    if (url_safe and set(core) & {"+", "/"}) or len(core) % 4 == 1:
        raise binascii.Error("not base64 in one alphabet")
    padded = core + "=" * (-len(core) % 4)
    return base64.b64decode(padded, altchars=b"-_" if url_safe else None, validate=True)


def _read_parts(parts: Any) -> tuple[list[GeneratedImage], list[str]]:
    images: list[GeneratedImage] = []
    texts: list[str] = []
    for part in parts if isinstance(parts, list) else ():
        if not isinstance(part, dict) or part.get("thought") is True:
            continue
        blob = part.get("inlineData") or part.get("inline_data")
        if isinstance(blob, dict) and "data" in blob:
            data = decode_data(blob["data"])
            images.append(GeneratedImage(data, sniff_mime(data) or "application/octet-stream"))
        elif isinstance(part.get("text"), str):
            texts.append(part["text"])
    # PROTOCOL.md §3: the final image is the last non-thought one (drafts come first), and
    # the build takes an outcome's first image, so it goes first.
    return images[-1:] + images[:-1], texts


def classify(payload: Any) -> Outcome:
    """Turn a (merged) GenerateContentResponse into generated, blocked or failed (§3).

    A body of the wrong shape (a list for parts, a null count) is a failed outcome, never
    an exception: the caller gets a value for every answer.
    """
    try:
        return _classify(payload)
    except (TypeError, ValueError, AttributeError, KeyError) as error:
        return Outcome("failed", reason=f"malformed response: {type(error).__name__}: {error}")


def _classify(payload: Any) -> Outcome:
    if not isinstance(payload, dict):
        return Outcome("failed", reason="malformed response: not a JSON object")
    usage = parse_usage(payload.get("usageMetadata"))
    version = str(payload.get("modelVersion", ""))
    candidates = payload.get("candidates") or []
    first = candidates[0] if isinstance(candidates, list) and candidates else {}
    content = first.get("content") if isinstance(first, dict) else None
    try:
        images, texts = _read_parts(content.get("parts") if isinstance(content, dict) else None)
    except binascii.Error:
        return Outcome("failed", reason="malformed response: bad base64 image data", usage=usage)
    text = "".join(texts)
    common: dict[str, Any] = {"text": text, "usage": usage, "model_version": version}
    if images:
        return Outcome("generated", images=tuple(images), **common)
    feedback = payload.get("promptFeedback")
    if isinstance(feedback, dict) and feedback.get("blockReason"):
        return Outcome("blocked", reason=str(feedback["blockReason"]), **common)
    finish = str(first.get("finishReason", "")).upper() if isinstance(first, dict) else ""
    if finish.startswith("IMAGE_") or finish in BLOCKING_FINISH:
        return Outcome("blocked", reason=finish, **common)
    if finish == "STOP":
        return Outcome("blocked", reason="no image", **common)
    if not first:
        return Outcome("failed", reason="no candidates in the response", **common)
    return Outcome("failed", reason=f"no image (finishReason {finish or 'missing'})", **common)
