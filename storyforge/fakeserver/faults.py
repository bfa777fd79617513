"""Which fault, if any, the next generate request gets: queued ones, seeded random ones, words."""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

# Faults that answer with an HTTP error before any content is produced.
ERROR_FAULTS = frozenset(
    {
        "429", "429-limit0", "503", "500", "502", "504", "408", "400-unknown-field",
        "400-aspect-ratio", "400-candidate-count", "400-thought-signature", "403-file",
        "404-model",
    }
)  # fmt: skip
# Faults of the transport or of an intermediary rather than of the API.
TRANSPORT_FAULTS = frozenset(
    {"malformed", "drop", "html", "redirect", "midstream-error", "slow-drip"}
)
# Faults that answer 200 with an unusual but well-formed body.
BODY_FAULTS = frozenset(
    {"safety", "prohibited", "text-only", "no-image", "max-tokens", "multi-image", "jpeg-as-png",
     "thought"}
)  # fmt: skip
FAULT_NAMES = ERROR_FAULTS | TRANSPORT_FAULTS | BODY_FAULTS


@dataclass(frozen=True, slots=True)
class Faults:
    """Faults the server injects into generate requests, beside those queued with `enqueue`.

    The probabilities are drawn from a generator seeded with `seed`, so a run repeats.
    A prompt containing `block_word` gets an IMAGE_SAFETY candidate, `prohibit_word` a
    PROHIBITED_CONTENT prompt block, and `text_only_word` a text answer without an image.
    """

    latency_s: float = 0.0  # each generate answer goes out this long after its request arrived
    p429: float = 0.0
    p503: float = 0.0
    p500: float = 0.0
    retry_delay_s: float = 2.0
    drip_s: float = 1.0  # the `slow-drip` fault sends its answer one byte per this many seconds
    block_word: str | None = None
    prohibit_word: str | None = None
    text_only_word: str | None = None
    seed: int = 0


@dataclass(frozen=True, slots=True)
class Replay:
    """A recorded answer to send as it is: a response or error body, or a stream's events.

    A list is a stream's events: `alt=sse` gets them as events, any other request as the
    JSON array the stream endpoint answers without `alt=sse`.
    """

    body: dict[str, Any] | list[dict[str, Any]]
    status: int = 200


class FaultPicker:
    """Picks each generate request's fault: queued first, then random, then words, else none."""

    def __init__(self, faults: Faults) -> None:
        self._faults = faults
        self._queue: deque[str | Replay] = deque()
        self._random = random.Random(faults.seed)
        self._lock = threading.Lock()

    def enqueue(self, *names: str) -> None:
        """Queue faults for the next generate requests, in order; unknown names raise ValueError."""
        unknown = sorted(set(names) - FAULT_NAMES)
        if unknown:
            known = ", ".join(sorted(FAULT_NAMES))
            raise ValueError(f"unknown fault {', '.join(unknown)}; known faults: {known}")
        with self._lock:
            self._queue.extend(names)

    def replay(self, answer: Replay) -> None:
        """Queue a recorded answer for the next generate request, after those already queued."""
        with self._lock:
            self._queue.append(answer)

    def pick(self, prompt: str) -> str | Replay | None:
        """The fault for one generate request whose prompt text is `prompt` (None: succeed)."""
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            draw = self._random.random()
        faults = self._faults
        for name, p in (("429", faults.p429), ("503", faults.p503), ("500", faults.p500)):
            if draw < p:
                return name
            draw -= p
        return self.words(prompt)

    def words(self, prompt: str) -> str | None:
        """The fault a prompt's words call for (block, prohibit, text-only), else None."""
        faults = self._faults
        for name, word in (
            ("prohibited", faults.prohibit_word),
            ("safety", faults.block_word),
            ("text-only", faults.text_only_word),
        ):
            if word and word.lower() in prompt.lower():
                return name
        return None
