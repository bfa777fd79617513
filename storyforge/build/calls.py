"""One call of a step: its GenerateRequest in, its Outcome into the store before anything else."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from storyforge.compile.keys import canonical_request
from storyforge.compile.plan import Step
from storyforge.errors import StoreError
from storyforge.mime import image_dimensions, sniff_mime
from storyforge.providers.base import GenerateRequest, ImagePart, Outcome, SketchHints
from storyforge.store.leases import Lease
from storyforge.store.objects import Entry, Store, StoredOutput
from storyforge.store.tiers import StoreTier

ReadFile = Callable[[Path, str], tuple[bytes, str]]  # (story folder, ref) -> (bytes, mime)
LEASE_POLL_S = 0.05  # how often a build waiting for another's answer looks again
_FILE_CACHE_SIZE = 8  # reference files shared by many panels (style, location) are read once


class BuildStore(Store):
    """A store that remembers the entries it has read during one build.

    The reuse rule and the results both look entries up, three reads per step; a no-op
    rebuild of a thousand steps is mostly those reads. Entries found are kept (an entry
    is only ever replaced by this build's own `put_entry`, which updates the memory);
    misses are not, so an entry another build writes meanwhile is still found.
    """

    def __init__(
        self,
        root: Path,
        *,
        warn: Callable[[str], None] | None = None,
        shared: StoreTier | None = None,
    ) -> None:
        super().__init__(root, warn=warn, shared=shared)
        self._entries: dict[tuple[str, int], Entry] = {}

    def get_entry(self, key: str, take: int) -> Entry | None:
        """The stored entry for (key, take), read once per build."""
        found = self._entries.get((key, take))
        if found is None:
            found = super().get_entry(key, take)
            if found is not None:
                self._entries[key, take] = found
        return found

    def put_entry(self, entry: Entry) -> None:
        """Record a call's result and remember it."""
        super().put_entry(entry)
        self._entries[entry.key, entry.take] = entry


SEED_RANGE = 2**31  # the API's seed is an int32; a story's seed is 0 … 2**31 - 1


@contextlib.asynccontextmanager
async def call_lease(store: Store, key: str, take: int) -> AsyncIterator[None]:
    """Hold the store's lease on one call, waiting while another build holds it."""
    lease = Lease(store.root, key, take)
    while not lease.try_acquire():
        await asyncio.sleep(LEASE_POLL_S)
    try:
        yield
    finally:
        lease.release()


def take_seed(step: Step, take: int) -> int | None:
    """The seed sent for a take: takes of a seeded step differ by their seed.

    Take N sends `seed + N - 1`, wrapped to stay an int32 (2**31 - 1 is followed by 0), so
    every take still gets a seed of its own and the request is never refused for it.
    """
    return None if step.seed is None else (step.seed + take - 1) % SEED_RANGE


def make_request(step: Step, take: int, images: Sequence[ImagePart]) -> GenerateRequest:
    """The request of one take of a step, with its input images in the step's order."""
    hints = SketchHints(
        title=step.id,
        kind=step.kind,
        shot=step.shot,
        figures=tuple((f.name, f.color) for f in step.figures),
        tint=step.tint,
        location=step.location,
        take=take,
    )
    return GenerateRequest(
        model=step.model,
        text=step.prompt,
        images=tuple(images),
        aspect_ratio=step.aspect_ratio,
        image_size=step.image_size,
        modalities=step.modalities,
        seed=take_seed(step, take),
        temperature=step.temperature,
        label=step.id,
        hints=hints,
    )


class InputReader:
    """The bytes of a step's input images, read only when its call is about to start."""

    def __init__(self, root: Path, store: Store, read_file: ReadFile) -> None:
        self.root = root
        self.store = store
        self.read_file = read_file
        self._files: OrderedDict[str, tuple[bytes, str]] = OrderedDict()

    def images(self, step: Step, input_sha: Sequence[str]) -> tuple[ImagePart, ...]:
        """One labelled part per input; raises StoreError when a file changed since compile."""
        parts = []
        for label, item, sha in zip(step.labels, step.inputs, input_sha, strict=True):
            if item.source == "file":
                data, mime = self._file(item.ref, sha)
            else:
                data = self.store.read_object(sha)
                mime = sniff_mime(data) or "image/png"
            parts.append(ImagePart(label, data, mime))
        return tuple(parts)

    def _file(self, ref: str, sha: str) -> tuple[bytes, str]:
        if ref in self._files:
            self._files.move_to_end(ref)
            return self._files[ref]
        data, mime = self.read_file(self.root, ref)
        if hashlib.sha256(data).hexdigest() != sha:
            # The key was computed from the bytes seen at compile time; sending others would
            # store a result under a key that does not describe it.
            raise StoreError(f"{ref} changed during the build; build again")
        self._files[ref] = (data, mime)
        if len(self._files) > _FILE_CACHE_SIZE:
            self._files.popitem(last=False)
        return data, mime


def stored_output(store: Store, data: bytes) -> StoredOutput:
    """Put one image into the store, exactly as received, and describe it from its bytes."""
    sha = store.put_object(data)
    width, height = image_dimensions(data)
    mime = sniff_mime(data) or "application/octet-stream"
    return StoredOutput(sha, mime, width, height, len(data))


def store_outcome(
    store: Store,
    step: Step,
    input_sha: Sequence[str],
    *,
    key: str,
    take: int,
    outcome: Outcome,
    provider: str,
) -> Entry:
    """Record a generated outcome: objects first, then its index entry and request."""
    outputs = tuple(stored_output(store, image.data) for image in outcome.images)
    entry = Entry(
        key=key,
        take=take,
        outputs=outputs,
        text=outcome.text,
        usage=asdict(outcome.usage),
        cost_usd=outcome.cost_usd,
        attempts=outcome.attempts,
        provider=provider,
        model_version=outcome.model_version,
    )
    store.put_entry(entry)
    store.put_request(key, canonical_request(provider, step, input_sha))
    return entry


def entry_for_object(store: Store, key: str, take: int, sha: str) -> Entry:
    """An entry describing a stored object whose index entry is gone (a kept pick)."""
    data = store.read_object(sha)
    width, height = image_dimensions(data)
    mime = sniff_mime(data) or "application/octet-stream"
    return Entry(key=key, take=take, outputs=(StoredOutput(sha, mime, width, height, len(data)),))
