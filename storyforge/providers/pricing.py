"""What a call cost, from its token usage and the capability table's prices."""

from __future__ import annotations

from storyforge.capabilities import model_info
from storyforge.compile.costs import BATCH_PRICE_FACTOR
from storyforge.providers.base import Usage

_PER_TOKEN = 1e-6  # prices are per million tokens


def image_rate(model: str, image_size: str | None = None) -> float:
    """Dollars per image output token: the price of one image over its token count."""
    info = model_info(model)
    size = image_size or info.default_size
    tokens = info.image_tokens.get(size) or max(info.image_tokens.values())
    return info.price(size) / tokens


def cost_usd(usage: Usage, model: str, image_size: str | None = None, images: int = 0) -> float:
    """IMAGE tokens at the image rate, other output and thoughts at the text rate, prompt at input.

    When usageMetadata lists no IMAGE modality, each of the `images` returned is assumed to
    have taken the model's tokens per image, so a missing breakdown never makes images free.
    """
    info = model_info(model)
    image_tokens = usage.image_tokens
    if not image_tokens and images:
        size = image_size or info.default_size
        per_image = info.image_tokens.get(size) or max(info.image_tokens.values())
        image_tokens = min(usage.output_tokens, per_image * images) or per_image * images
    text_tokens = max(usage.output_tokens - image_tokens, 0) + usage.thoughts_tokens
    return (
        image_tokens * image_rate(model, image_size)
        + text_tokens * info.text_usd_per_mtok * _PER_TOKEN
        + usage.prompt_tokens * info.input_usd_per_mtok * _PER_TOKEN
    )


def batch_cost_usd(
    usage: Usage, model: str, image_size: str | None = None, images: int = 0
) -> float:
    """`cost_usd` at the Batch API's rate: half, input and output alike (BATCH.md §5.2)."""
    return BATCH_PRICE_FACTOR * cost_usd(usage, model, image_size, images)
