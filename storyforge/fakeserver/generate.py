"""Answer a valid generate call under its fault, as one JSON body, an SSE stream or a JSON array."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, Literal

from storyforge.fakeserver import fault_answers
from storyforge.fakeserver.exchange import Answer, json_answer
from storyforge.fakeserver.faults import BODY_FAULTS, ERROR_FAULTS, Replay
from storyforge.fakeserver.replies import INTRO, reply_for
from storyforge.fakeserver.responses import (
    Reply,
    events,
    image_part,
    new_response_id,
    text_part,
    whole,
)
from storyforge.fakeserver.validate import Call

Kind = Literal["unary", "sse", "array"]  # "array": the stream endpoint without alt=sse
SSE_TYPE = "text/event-stream"
# Enough of a PNG to look like the start of an image in a body that is cut off anyway.
_PNG_START = b"\x89PNG\r\n\x1a\n" + bytes(256)


@dataclass(frozen=True, slots=True)
class Options:
    """Server settings the answers depend on."""

    retry_delay_s: float
    base_url: str
    drip_s: float = 1.0


def answer(call: Call, fault: str | None, kind: Kind, options: Options) -> Answer:
    """The answer to `call` under `fault` (None: an image), shaped for the endpoint `kind`."""
    if fault in ERROR_FAULTS:
        return fault_answers.error_answer(fault, call.model, options.retry_delay_s)
    if fault == "drop":
        return Answer(0, drop=True)
    if fault == "html":
        return fault_answers.html_error()
    if fault == "redirect":
        return fault_answers.redirect(options.base_url)
    if fault == "malformed":
        return _malformed(call, kind)
    if fault == "midstream-error":
        return _midstream(call, kind, options)
    reply = reply_for(call, fault if fault in BODY_FAULTS else None)
    answer = package(call, reply, kind)
    return replace(answer, drip_s=options.drip_s) if fault == "slow-drip" else answer


def replayed(recorded: Replay, kind: Kind) -> Answer:
    """A recorded answer shaped for the endpoint `kind` (see faults.Replay)."""
    body = recorded.body
    if recorded.status != 200:
        return json_answer(body, recorded.status)
    events = body if isinstance(body, list) else [body]
    if kind == "sse":
        return sse_answer(events)
    return json_answer(body if kind == "unary" else events)


def package(call: Call, reply: Reply, kind: Kind) -> Answer:
    """A reply as the endpoint sends it: pretty JSON, SSE events or a JSON array of events."""
    response_id = new_response_id()
    if kind == "unary":
        return json_answer(whole(call, reply, response_id))
    if kind == "sse":
        return sse_answer(events(call, reply, response_id))
    return json_answer(events(call, reply, response_id))


def sse_answer(payloads: list[dict[str, Any]]) -> Answer:
    """An event stream: one `data: <compact JSON>` line per event, each ended by CRLF CRLF."""
    return Answer(200, content_type=SSE_TYPE, events=tuple(_event(p) for p in payloads))


def _event(payload: dict[str, Any] | bytes) -> bytes:
    data = (
        payload
        if isinstance(payload, bytes)
        else json.dumps(payload, separators=(",", ":")).encode()
    )
    return b"data: " + data + b"\r\n\r\n"


def _malformed(call: Call, kind: Kind) -> Answer:
    reply = Reply(parts=(text_part(INTRO), image_part(_PNG_START, "image/png")))
    cut = fault_answers.truncated(whole(call, reply, new_response_id()))
    if kind == "sse":
        return Answer(200, content_type=SSE_TYPE, events=(_event(cut),))
    return Answer(200, b"[" + cut if kind == "array" else cut)


def _midstream(call: Call, kind: Kind, options: Options) -> Answer:
    if kind == "unary":
        return fault_answers.error_answer("500", call.model, options.retry_delay_s)
    first = events(call, Reply(parts=(text_part(INTRO),)), new_response_id())[0]
    del first["candidates"][0]["finishReason"]  # the stream was not meant to end here
    payloads = [first, fault_answers.midstream_error()]
    return sse_answer(payloads) if kind == "sse" else json_answer(payloads)
