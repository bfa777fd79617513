"""What `storyforge models` shows: a provider's image models beside the capability table."""

from __future__ import annotations

from collections.abc import Sequence

from storyforge.capabilities import A10, A14, MODELS, ModelInfo
from storyforge.providers import open_provider
from storyforge.providers.base import ModelListing, ProviderOptions
from storyforge.providers.transport import show_debug_log

HEADER = ("model", "max refs", "ratios", "sizes", "$/image", "shutdown", "notes")
LEGEND = f"A10 = {' '.join(A10)}; A14 = A10 + {' '.join(A14[len(A10) :])}"


async def list_image_models(name: str, options: ProviderOptions) -> list[ModelListing]:
    """Open the provider, ask it for its image models, close it."""
    async with open_provider(name, options) as provider:
        return await provider.list_models()


def log_http_to_stderr() -> None:
    """Send `--debug-http` lines (logger `storyforge.http`, key already hidden) to stderr."""
    show_debug_log()


def _row(info: ModelInfo) -> tuple[str, ...]:
    ratios = {A10: "A10", A14: "A14"}.get(info.ratios, " ".join(info.ratios))
    prices = " ".join(f"{size} {usd:g}".strip() for size, usd in info.usd_per_image.items())
    shutdown = f"{info.shutdown or ''}{' (retired)' if info.retired else ''}".strip()
    sizes = " ".join(info.image_sizes) or "-"
    return (info.id, str(info.max_refs), ratios, sizes, prices, shutdown, info.notes)


def model_table(listings: Sequence[ModelListing]) -> list[str]:
    """Aligned lines: one per model, the table's limits for known ids, then the ratio legend."""
    if not listings:
        return ["no image models available to this key"]
    rows: list[tuple[str, ...]] = [HEADER]
    for listing in sorted(listings, key=lambda m: m.id):
        info = MODELS.get(listing.id)
        notes = listing.notes or "not in storyforge's table: limits unknown"
        rows.append(_row(info) if info else (listing.id, "?", "?", "?", "?", "", notes))
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER) - 1)]
    lines = [
        "  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]).rstrip()
        for row in rows
    ]
    return [*lines, "", LEGEND]
