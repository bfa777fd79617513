"""POST /{version}/models/{model}:countTokens: prompt tokens, counted as answers count them."""

from __future__ import annotations

from storyforge.fakeserver import schema
from storyforge.fakeserver.exchange import Answer, json_answer
from storyforge.fakeserver.responses import prompt_tokens
from storyforge.fakeserver.validate import FileLookup, known_model, read_contents, read_json


def count_tokens(raw: bytes, model: str, files: FileLookup, version: str = "v1beta") -> Answer:
    """The CountTokensResponse of a body with `contents` or a whole `generateContentRequest`.

    The estimate is the one generate answers put in `usageMetadata.promptTokenCount`, so a
    client comparing the two sees the same number.
    """
    request = schema.parse(read_json(raw), "CountTokensRequest")
    info = known_model(model, version)
    inner = request.get("generateContentRequest", {})
    # The service ignores `contents` when a whole generate request is given.
    contents = inner.get("contents") if inner else request.get("contents", [])
    texts, images = read_contents(contents or [], info, files)
    text, image = prompt_tokens("\n".join(texts), len(images))
    details = [{"modality": "TEXT", "tokenCount": text}]
    if images:
        details.append({"modality": "IMAGE", "tokenCount": image})
    return json_answer({"totalTokens": text + image, "promptTokensDetails": details})
