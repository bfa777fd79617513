"""GET /v1beta/models: the capability table's served image models as Model resources."""

from __future__ import annotations

from typing import Any

from storyforge.capabilities import MODELS, ModelInfo
from storyforge.fakeserver.exchange import Answer, json_answer
from storyforge.fakeserver.validate import is_gemini3, known_model

_METHODS = ["generateContent", "countTokens", "batchGenerateContent"]


def model_resource(info: ModelInfo) -> dict[str, Any]:
    """One Model resource in the shape the service lists."""
    resource: dict[str, Any] = {
        "name": f"models/{info.id}",
        "version": "3.0" if is_gemini3(info) else "2.0",
        "displayName": info.nickname,
        "description": f"{info.nickname} image generation and editing model.",
        "inputTokenLimit": 65536 if is_gemini3(info) else 32768,
        "outputTokenLimit": 32768,
        "supportedGenerationMethods": list(_METHODS),
        "temperature": 1,
        "topP": 0.95,
        "topK": 64,
        "maxTemperature": 2,
    }
    if is_gemini3(info):
        resource["thinking"] = True
    return resource


def list_models() -> Answer:
    """Every image model of the table that is not retired."""
    models = [model_resource(info) for info in MODELS.values() if not info.retired]
    return json_answer({"models": models})


def get_model(model: str, version: str = "v1beta") -> Answer:
    """One model, or the 404 of an unknown or retired id."""
    return json_answer(model_resource(known_model(model, version)))
