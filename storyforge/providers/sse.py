"""Server-sent events of `streamGenerateContent?alt=sse`: framing and merging into one response."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import Any


class EventSplitter:
    """Cuts a byte stream into events' data payloads, however large one event is.

    An image event carries megabytes of base64 on one line, so there is no line buffer: chunks
    go into one bytearray and only the newly arrived tail (plus a few bytes of overlap, for a
    delimiter split across chunks) is searched, keeping the work linear in the stream's size.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._searched = 0  # bytes at the buffer's start known to hold no delimiter
        self.scanned = 0  # bytes searched in total (to show the search never re-scans)

    def feed(self, chunk: bytes) -> list[bytes]:
        """Add bytes; return the data of every event completed by them."""
        self._buffer += chunk
        events: list[bytes] = []
        while (found := self._find()) is not None:
            end, size = found
            event = bytes(self._buffer[:end])
            del self._buffer[: end + size]
            self._searched = 0
            if (data := event_data(event)) is not None:
                events.append(data)
        return events

    def close(self) -> list[bytes]:
        """The data of a last event the stream ended without a blank line after."""
        rest, self._buffer = bytes(self._buffer), bytearray()
        data = event_data(rest) if rest.strip() else None
        return [data] if data is not None else []

    def _find(self) -> tuple[int, int] | None:
        # A blank line ends an event: a "\n" followed by "\n" or by "\r\n" (as in "\r\n\r\n").
        # A "\n" in the last two bytes searched may start one whose rest is still to come.
        buffer, position = self._buffer, max(self._searched - 2, 0)
        while (at := buffer.find(b"\n", position)) >= 0:
            self.scanned += at + 1 - position
            if buffer[at + 1 : at + 2] == b"\n":
                return at, 2
            if buffer[at + 1 : at + 3] == b"\r\n":
                return at, 3
            position = at + 1
        self.scanned += len(buffer) - position
        self._searched = len(buffer)
        return None


def event_data(event: bytes) -> bytes | None:
    """The joined `data:` lines of one event (None when it has none, e.g. a comment)."""
    lines = [line.rstrip(b"\r") for line in event.split(b"\n")]
    data = [line[5:].removeprefix(b" ") for line in lines if line.startswith(b"data:")]
    return b"\n".join(data) if data else None


async def iter_events(chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """Yield each event's data from a stream of byte chunks (e.g. httpx's aiter_bytes)."""
    splitter = EventSplitter()
    async for chunk in chunks:
        for data in splitter.feed(chunk):
            yield data
    for data in splitter.close():
        yield data


def merge_events(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One response from a stream's events: parts in order; the last metadata wins."""
    parts: list[Any] = []
    merged: dict[str, Any] = {}
    candidate: dict[str, Any] = {}
    for event in events:
        for key in ("usageMetadata", "modelVersion", "responseId", "promptFeedback"):
            if key in event:
                merged[key] = event[key]
        candidates = event.get("candidates")
        if not isinstance(candidates, list) or not candidates:
            continue
        first = candidates[0] if isinstance(candidates[0], dict) else {}
        content = first.get("content")
        if isinstance(content, dict) and isinstance(content.get("parts"), list):
            parts.extend(content["parts"])
        candidate.update({k: v for k, v in first.items() if k != "content"})
    if candidate or parts:
        merged["candidates"] = [{**candidate, "content": {"role": "model", "parts": parts}}]
    return merged
