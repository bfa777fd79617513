"""Check a generateContent request as the service does and reduce it to what the answer needs."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from storyforge.capabilities import MODELS, ModelInfo
from storyforge.fakeserver import schema
from storyforge.fakeserver.envelopes import (
    field_error,
    file_not_found,
    invalid_argument,
    model_not_found,
)
from storyforge.mime import sniff_mime

INPUT_MIME = frozenset({"image/png", "image/jpeg", "image/webp", "image/heic", "image/heif"})
_UNREADABLE = (
    "Unable to process input image. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting"
)
_FILE_ID = re.compile(r"(?:^|/)files/([^/?#]+)$")

# Looks up an uploaded file's bytes by id; raises the 403 of a missing or expired file.
FileLookup = Callable[[str], bytes]


@dataclass(frozen=True, slots=True)
class Call:
    """A valid generate request, reduced to what the fake answer is drawn from."""

    model: str
    text: str  # the text parts of the contents, joined by newlines
    images: tuple[tuple[str, bytes], ...]  # (label, bytes) of each input image, in order
    aspect_ratio: str
    image_size: str | None
    with_text: bool  # responseModalities includes TEXT (or is omitted)
    max_output_tokens: int | None = None


def known_model(model: str) -> ModelInfo:
    """The capabilities of a model the service still serves; else the 404 of a retired id."""
    info = MODELS.get(model)
    if info is None or info.retired:
        raise model_not_found(model)
    return info


def is_gemini3(info: ModelInfo) -> bool:
    """Gemini 3 family models think, sign their images and answer in JPEG."""
    return info.output_mime == "image/jpeg"


def parse_call(raw: bytes, model: str, files: FileLookup) -> Call:
    """The checked request, or an ApiError with the status and wording of the real service."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise invalid_argument("Invalid JSON payload received. Unexpected token.") from None
    if not isinstance(body, dict):
        raise invalid_argument("Invalid JSON payload received. Expected an object.")
    request = schema.parse(body)
    info = known_model(model)
    texts, images = _contents(request.get("contents", []), info, files)
    config = request.get("generationConfig", {})
    image_config = config.get("imageConfig", {})
    check_config(config, info)
    return Call(
        model=model,
        text="\n".join(texts),
        images=tuple(images),
        aspect_ratio=image_config.get("aspectRatio", "1:1"),
        image_size=image_config.get("imageSize"),
        with_text=not config.get("responseModalities") or "TEXT" in config["responseModalities"],
        max_output_tokens=_int(config.get("maxOutputTokens")),
    )


def _contents(
    contents: list[dict[str, Any]], info: ModelInfo, files: FileLookup
) -> tuple[list[str], list[tuple[str, bytes]]]:
    if not contents:
        raise field_error("contents", "contents is not specified")
    texts: list[str] = []
    images: list[tuple[str, bytes]] = []
    for c, content in enumerate(contents):
        if content.get("role", "user") not in {"user", "model"}:
            raise invalid_argument("Please use a valid role: user, model.")
        parts = content.get("parts", [])
        if not parts:
            raise field_error(f"contents[{c}].parts", "contents.parts must not be empty.")
        label = ""
        for p, part in enumerate(parts):
            data = _part_data(part, f"contents[{c}].parts[{p}]", files)
            if isinstance(data, str):
                texts.append(data)
                label = data
                continue
            if (
                content.get("role") == "model"
                and is_gemini3(info)
                and "thoughtSignature" not in part
            ):
                raise invalid_argument(
                    f"Image part is missing a thought_signature in content position {c + 1}, "
                    f"part position {p + 1}."
                )
            images.append((label or f"Image {len(images) + 1}", data))
            label = ""
    return texts, images


def _part_data(part: dict[str, Any], path: str, files: FileLookup) -> str | bytes:
    present = [name for name in ("text", "inlineData", "fileData") if name in part]
    if not present:
        raise field_error(
            f"{path}.data", "required oneof field 'data' must have one initialized field"
        )
    if len(present) > 1:
        raise invalid_argument(
            f"Invalid JSON payload received. Oneof field 'data' is already set. "
            f"Cannot set '{present[1]}'"
        )
    if "text" in part:
        return str(part["text"])
    if "inlineData" in part:
        return _inline(part["inlineData"], f"{path}.inline_data")
    return _file(part["fileData"], f"{path}.file_data", files)


def _inline(blob: dict[str, Any], path: str) -> bytes:
    _check_mime(blob.get("mimeType"), path, required=True)
    text = str(blob.get("data", ""))
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        shown = text if len(text) <= 64 else text[:61] + "..."
        raise invalid_argument(
            f"Invalid value at '{path}.data' (TYPE_BYTES), Base64 decoding failed for \"{shown}\""
        ) from None
    if sniff_mime(data) not in INPUT_MIME:
        raise invalid_argument(_UNREADABLE)
    return data


def _file(file_data: dict[str, Any], path: str, files: FileLookup) -> bytes:
    _check_mime(file_data.get("mimeType"), path, required=False)
    uri = str(file_data.get("fileUri", ""))
    if not uri:
        raise field_error(f"{path}.file_uri", "file_uri is not specified")
    match = _FILE_ID.search(uri)
    if match is None:
        raise file_not_found(uri)
    return files(match.group(1))


def _check_mime(mime: Any, path: str, *, required: bool) -> None:
    if mime is None and not required:
        return
    if not mime:
        raise field_error(f"{path}.mime_type", "mime_type is not specified")
    if mime not in INPUT_MIME:
        raise invalid_argument(f"Unsupported MIME type: {mime}")


def check_config(config: dict[str, Any], info: ModelInfo) -> None:
    """Raise the service's 400 for a generationConfig (camelCase) the model does not accept."""
    model = f"models/{info.id}"
    if (_int(config.get("candidateCount")) or 1) > 1:
        raise invalid_argument(f"Multiple candidates is not enabled for {model}")
    modalities = set(config.get("responseModalities", ()))
    if modalities and (modalities - {"TEXT", "IMAGE"} or "IMAGE" not in modalities):
        wanted = ", ".join(sorted(m.lower() for m in modalities))
        raise invalid_argument(
            f"Model does not support the requested response modalities: {wanted}"
        )
    _check_image_config(config.get("imageConfig", {}), info)
    thinking = config.get("thinkingConfig")
    if thinking is not None:
        if not is_gemini3(info):
            raise invalid_argument(f"Thinking is not enabled for {model}")
        level = thinking.get("thinkingLevel")
        if level is not None and level.lower() not in info.thinking_levels:
            raise invalid_argument(f"Thinking level {level} is not supported for {model}.")


def _check_image_config(image_config: dict[str, Any], info: ModelInfo) -> None:
    ratio = image_config.get("aspectRatio")
    if ratio is not None and ratio not in info.ratios:
        allowed = ", ".join(f"'{r}'" for r in info.ratios)
        raise field_error(
            "generation_config.image_config.aspect_ratio",
            f"aspect_ratio must be one of {allowed} for models/{info.id}, got '{ratio}'.",
        )
    size = image_config.get("imageSize")
    if size is None:
        return
    if not info.image_sizes:
        raise invalid_argument(f"image_size is not supported for models/{info.id}.")
    if size not in info.image_sizes:
        allowed = ", ".join(f"'{s}'" for s in info.image_sizes)
        raise invalid_argument(
            f"image_size must be one of {allowed} for models/{info.id}, got '{size}'."
        )


def _int(value: Any) -> int | None:
    # The schema has already checked the value is an integer or a string of one.
    return None if value is None else int(value)
