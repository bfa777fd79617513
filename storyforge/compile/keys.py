"""Request keys: sha256 of the canonical request, including the bytes of every input image."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from storyforge.compile.plan import Step

KEY_VERSION = 1


def canonical_request(provider: str, step: Step, input_sha256: Sequence[str]) -> dict[str, Any]:
    """Everything that decides a step's output, as plain JSON data.

    `input_sha256` gives, for each of `step.inputs` in order, the sha256 of the bytes sent:
    the file's, or the selected take's of the step that makes it. Takes are not part of the
    request: take N of a request is stored under the same key.
    """
    if len(input_sha256) != len(step.inputs):
        raise ValueError(f"{step.id}: {len(step.inputs)} inputs but {len(input_sha256)} hashes")
    return {
        "v": KEY_VERSION,
        "provider": provider,
        "model": step.model,
        "config": {
            "aspect_ratio": step.aspect_ratio,
            "image_size": step.image_size,
            "modalities": list(step.modalities),
            "seed": step.seed,
            "temperature": step.temperature,
        },
        "text": step.prompt,
        "images": [
            {"label": label, "ref": i.ref, "sha256": sha}
            for label, i, sha in zip(step.labels, step.inputs, input_sha256, strict=True)
        ],
    }


def request_key(provider: str, step: Step, input_sha256: Sequence[str]) -> str:
    """The hex sha256 of the canonical request."""
    data = json.dumps(canonical_request(provider, step, input_sha256), sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()


def describe_change(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Say in a few words what differs between two canonical requests (for `plan`)."""
    reasons: list[str] = []
    if old.get("provider") != new.get("provider"):
        reasons.append(f"provider {old.get('provider')} -> {new.get('provider')}")
    if old.get("model") != new.get("model"):
        reasons.append(f"model {old.get('model')} -> {new.get('model')}")
    old_cfg, new_cfg = old.get("config", {}), new.get("config", {})
    for k in sorted(new_cfg):
        if old_cfg.get(k) == new_cfg.get(k):
            continue
        # A new aspect ratio is what a layout change costs: say which (layout first).
        ratio = k == "aspect_ratio" and old_cfg.get(k) is not None
        reasons.append(f"{k} {old_cfg[k]} -> {new_cfg[k]}" if ratio else f"{k} changed")
    if old.get("text") != new.get("text"):
        reasons.append("prompt changed")
    old_imgs = {i["ref"]: i for i in old.get("images", [])}
    new_imgs = {i["ref"]: i for i in new.get("images", [])}
    if [i["ref"] for i in old.get("images", [])] != [i["ref"] for i in new.get("images", [])]:
        reasons.append("input images changed")
    reasons += [
        f"input {ref} changed"
        for ref, img in new_imgs.items()
        if ref in old_imgs and old_imgs[ref]["sha256"] != img["sha256"]
    ]
    return ", ".join(reasons) or "request changed"
