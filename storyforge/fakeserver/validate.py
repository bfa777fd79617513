"""Check a generateContent request as the service does and reduce it to what the answer needs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
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
EMPTY_INPUT = "Request has empty input."
# The members of Part's `data` oneof: exactly one must be set.
_DATA_FIELDS = (
    "text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode",
    "codeExecutionResult", "toolCall", "toolResponse",
)  # fmt: skip
BOTH_THINKING = "You can only set only one of thinking budget and thinking level."
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
    seed: int | None = None  # takes sent with their own seeds are drawn differently


def known_model(model: str, version: str = "v1beta") -> ModelInfo:
    """The capabilities of a model the service still serves; else the 404 of a retired id."""
    info = MODELS.get(model)
    if info is None or info.retired:
        raise model_not_found(model, version)
    return info


def is_gemini3(info: ModelInfo) -> bool:
    """Gemini 3 family models think, sign their images and answer in JPEG."""
    return info.output_mime == "image/jpeg"


def read_json(raw: bytes) -> dict[str, Any]:
    """A request body's JSON object, or the service's 400 for anything else."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise invalid_argument("Invalid JSON payload received. Unexpected token.") from None
    if not isinstance(body, dict):
        raise invalid_argument("Invalid JSON payload received. Expected an object.")
    return body


def parse_call(raw: bytes, model: str, files: FileLookup, version: str = "v1beta") -> Call:
    """The checked request, or an ApiError with the status and wording of the real service."""
    request = schema.parse(read_json(raw))
    info = known_model(model, version)
    texts, images = read_contents(request.get("contents", []), info, files)
    config = request.get("generationConfig", {})
    image_config = config.get("imageConfig", {})
    check_config(config, info)
    return Call(
        model=model,
        text="\n".join(texts),
        images=tuple(images),
        aspect_ratio=image_config.get("aspectRatio", "1:1"),
        # 2.5 Flash Image has one output size and ignores imageSize rather than refusing it.
        image_size=image_config.get("imageSize") if info.image_sizes else None,
        with_text=not config.get("responseModalities") or "TEXT" in config["responseModalities"],
        max_output_tokens=_int(config.get("maxOutputTokens")),
        seed=_int(config.get("seed")),
    )


def read_contents(
    contents: list[dict[str, Any]], info: ModelInfo, files: FileLookup
) -> tuple[list[str], list[tuple[str, bytes]]]:
    """The texts and the (label, bytes) images of a request's contents, checked."""
    if not contents:
        raise invalid_argument(EMPTY_INPUT)
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
            if data is None:
                continue
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


def _part_data(part: dict[str, Any], path: str, files: FileLookup) -> str | bytes | None:
    present = [name for name in _DATA_FIELDS if name in part]
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
    if "fileData" in part:
        return _file(part["fileData"], f"{path}.file_data", files)
    return None  # a function call or tool part: valid, and nothing an image is drawn from


def _inline(blob: dict[str, Any], path: str) -> bytes:
    _check_mime(blob.get("mimeType"), path, required=True)
    # The schema has already checked the data is base64 in one alphabet or the other.
    data = schema.decode_bytes(str(blob.get("data", "")))
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
    # 2.5 answers ["TEXT"] with text and an image anyway; Gemini 3 refuses it (unverified).
    text_only = modalities == {"TEXT"} and is_gemini3(info)
    if modalities - {"TEXT", "IMAGE"} or text_only:
        wanted = ", ".join(sorted(m.lower() for m in modalities))
        raise invalid_argument(
            f"Model does not support the requested response modalities: {wanted}"
        )
    _check_image_config(config.get("imageConfig", {}), info)
    if (thinking := config.get("thinkingConfig")) is not None:
        _check_thinking(thinking, info)


def _check_thinking(thinking: dict[str, Any], info: ModelInfo) -> None:
    model = f"models/{info.id}"
    if not is_gemini3(info):
        raise invalid_argument(f"Thinking is not enabled for {model}")
    if "thinkingLevel" in thinking and "thinkingBudget" in thinking:
        raise invalid_argument(BOTH_THINKING)
    level = thinking.get("thinkingLevel")
    if level is not None and level.lower() not in info.thinking_levels:
        raise invalid_argument(f"Thinking level {level} is not supported for {model}.")


def _check_image_config(image_config: dict[str, Any], info: ModelInfo) -> None:
    ratio = image_config.get("aspectRatio")
    if ratio is not None and ratio not in info.ratios:
        raise field_error(
            "generation_config.image_config.aspect_ratio",
            f"aspect_ratio must be one of {_choices(sorted(info.ratios, key=_ratio_order))}.",
        )
    size = image_config.get("imageSize")
    if size is not None and info.image_sizes and size not in info.image_sizes:
        raise field_error(
            "generation_config.image_config.image_size",
            f"image_size must be one of {_choices(info.image_sizes)}.",
        )


def _choices(values: Sequence[str]) -> str:
    quoted = [f"'{v}'" for v in values]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])}, or {quoted[-1]}"


def _ratio_order(ratio: str) -> tuple[int, int]:
    width, _, height = ratio.partition(":")
    return int(width), int(height)


def _int(value: Any) -> int | None:
    # The schema has already checked the value is an integer or a string of one.
    return None if value is None else int(value)
