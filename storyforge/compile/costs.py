"""What a call will cost before it is made: the estimate `plan` shows and `--max-cost` reserves."""

from __future__ import annotations

from storyforge.capabilities import model_info
from storyforge.compile.plan import Step

FREE_PROVIDERS = frozenset({"sketch"})
# The Batch API bills half the model's standard price, input and output (BATCH.md §5.2).
BATCH_PRICE_FACTOR = 0.5

# Input tokens per reference image (PROTOCOL.md §3, §9.1): 2.5 Flash Image tiles a ~1K image
# into about four 258-token tiles; Gemini 3 Pro bills 560, the Flash 3.x models 1120.
_IMAGE_INPUT_TOKENS = {"gemini-2.5-flash-image": 1032, "gemini-3-pro-image": 560}
# Pro always thinks: about 700-900 billed thinking tokens per image (PROTOCOL.md §7).
_THINKING_TOKENS = {"gemini-3-pro-image": 900}


def estimate_call_usd(step: Step, provider: str, *, batch: bool = False) -> float:
    """An upper-leaning estimate of one call's price in dollars (0 for offline providers).

    `batch`: the call goes through the Batch API, at half price.
    """
    if provider in FREE_PROVIDERS:
        return 0.0
    if batch:
        return BATCH_PRICE_FACTOR * estimate_call_usd(step, provider)
    info = model_info(step.model)
    per_image = _IMAGE_INPUT_TOKENS.get(info.id, 1120)
    prompt_tokens = len(step.prompt) // 3 + 16 * len(step.inputs) + per_image * len(step.inputs)
    thinking = _THINKING_TOKENS.get(info.id, 0)
    return (
        info.price(step.image_size)
        + prompt_tokens * info.input_usd_per_mtok / 1e6
        + thinking * info.text_usd_per_mtok / 1e6
    )
