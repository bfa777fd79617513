"""Whether a build calls through the Batch API: the provider it gets, opened only when asked."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from storyforge.errors import UsageError
from storyforge.providers.base import Provider


@asynccontextmanager
async def batch_mode(
    enabled: bool, provider: Provider, store_root: Path, notice: Callable[[str], None]
) -> AsyncIterator[Provider]:
    """The provider a build calls: `provider` itself, or a BatchProvider around it.

    The batch modules (and the HTTP client's) are imported only for `--batch`, so an
    interactive or offline build starts without them.
    """
    if not enabled:
        yield provider
        return
    http = getattr(provider, "http", None)
    if provider.name != "gemini" or http is None:
        raise UsageError("--batch needs the gemini provider: set GEMINI_API_KEY or drop --batch")
    from storyforge.build.batch import BatchProvider
    from storyforge.build.batch_receipts import Receipts
    from storyforge.providers.batch import BatchClient

    client = BatchClient(http, warn=notice)
    batched = BatchProvider(provider, client, Receipts(store_root, notice), notice)
    try:
        yield batched
    finally:
        await batched.aclose()
