"""Server-sent event framing (however large an event) and merging a stream into one response."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from storyforge.providers.sse import EventSplitter, event_data, iter_events, merge_events
from storyforge.providers.wire import classify


def feed_all(splitter: EventSplitter, stream: bytes, size: int) -> list[bytes]:
    events: list[bytes] = []
    for at in range(0, len(stream), size):
        events += splitter.feed(stream[at : at + size])
    return events + splitter.close()


def test_crlf_and_lf_framing_in_any_chunking() -> None:
    stream = (
        b'data: {"a":1}\r\n\r\ndata: {"b":2}\n\n: comment\n\ndata: x\ndata: y\r\n\r\ndata: tail'
    )
    expected = [b'{"a":1}', b'{"b":2}', b"x\ny", b"tail"]
    for size in (1, 2, 3, 5, 7, len(stream)):
        assert feed_all(EventSplitter(), stream, size) == expected


def test_delimiter_split_across_chunks() -> None:
    splitter = EventSplitter()
    assert splitter.feed(b"data: 1\r\n") == []
    assert splitter.feed(b"\r") == []
    assert splitter.feed(b"\n") == [b"1"]
    assert splitter.close() == []


def test_event_data_ignores_other_fields() -> None:
    assert event_data(b"event: x\nid: 3\ndata:{}") == b"{}"
    assert event_data(b": keepalive") is None


def test_25_mb_event_in_small_chunks_is_read_whole_in_linear_work() -> None:
    payload = json.dumps({"candidates": [{"content": {"parts": [{"text": "x" * 25_000_000}]}}]})
    stream = b"data: " + payload.encode() + b"\r\n\r\n" + b'data: {"done":true}\r\n\r\n'
    splitter = EventSplitter()
    events = feed_all(splitter, stream, 16_384)
    assert [len(e) for e in events] == [len(payload), len(b'{"done":true}')]
    assert events[0] == payload.encode()
    # every byte is searched about once: overlap of two bytes per chunk, no re-scans
    assert splitter.scanned <= len(stream) + 2 * (len(stream) // 16_384 + 2)


def test_iter_events_over_an_async_byte_stream() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for part in (b"data: a\n", b"\ndata: b\r\n\r", b"\ndata: c"):
            yield part

    async def collect() -> list[bytes]:
        return [data async for data in iter_events(chunks())]

    assert asyncio.run(collect()) == [b"a", b"b", b"c"]


def test_merge_accumulates_parts_and_keeps_the_last_metadata() -> None:
    png = "iVBORw0KGgoAAAAN"
    image = {"inlineData": {"mimeType": "image/png", "data": png}}

    def event(parts: list[Any] | None, version: str, **extra: Any) -> dict[str, Any]:
        candidate: dict[str, Any] = {"index": 0, **extra}
        if parts is not None:
            candidate["content"] = {"role": "model", "parts": parts}
        return {"candidates": [candidate], "modelVersion": version}

    events = [
        event([{"text": "Here "}], "v1")
        | {"usageMetadata": {"promptTokenCount": 3}, "responseId": "r"},
        event([image], "v1")
        | {"usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 1290}},
        event(None, "v2", finishReason="STOP")
        | {"usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 1295}},
    ]
    merged = merge_events(events)
    assert merged == {
        "candidates": [
            {
                "index": 0,
                "finishReason": "STOP",
                "content": {
                    "role": "model",
                    "parts": [
                        {"text": "Here "},
                        {"inlineData": {"mimeType": "image/png", "data": png}},
                    ],
                },
            }
        ],
        "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 1295},
        "modelVersion": "v2",
        "responseId": "r",
    }
    outcome = classify(merged)
    assert outcome.status == "generated"
    assert outcome.images[0].mime_type == "image/png"
    assert outcome.text == "Here "


def test_merge_of_a_block_and_of_nothing() -> None:
    merged = merge_events([{"promptFeedback": {"blockReason": "OTHER"}}])
    assert classify(merged).reason == "OTHER"
    assert merge_events([]) == {}
