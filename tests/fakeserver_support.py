"""Helpers for the fake server's tests: request bodies, tiny images and header readers."""

from __future__ import annotations

import asyncio
import base64
import json
import struct
import zlib
from typing import Any

import httpx

from storyforge.fakeserver import FakeGemini
from storyforge.providers import open_provider
from storyforge.providers.base import GenerateRequest, Outcome, ProviderOptions

KEY = "fake-key-0123"
MODEL = "gemini-2.5-flash-image"
G3 = "gemini-nano-banana-2.1"


def tiny_png(rgb: tuple[int, int, int] = (200, 40, 40), size: int = 4) -> bytes:
    """A valid size x size RGB PNG of one colour, built without an image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


def b64(data: bytes) -> str:
    """Standard base64 text."""
    return base64.b64encode(data).decode()


def body(
    text: str = "Mara climbs the stairs. Wide shot.", /, *parts: dict[str, Any], **config: Any
) -> dict[str, Any]:
    """A one-turn generate body: the text, more parts, and generationConfig fields."""
    request: dict[str, Any] = {"contents": [{"role": "user", "parts": [{"text": text}, *parts]}]}
    if config:
        request["generationConfig"] = config
    return request


def image(data: bytes, mime: str = "image/png") -> dict[str, Any]:
    """An inlineData part."""
    return {"inlineData": {"mimeType": mime, "data": b64(data)}}


def client(server: FakeGemini, **headers: str) -> httpx.Client:
    """A client of the server sending the right key unless other headers are given."""
    return httpx.Client(
        base_url=server.base_url, headers=headers or {"x-goog-api-key": KEY}, timeout=60
    )


def generate(http: httpx.Client, request: dict[str, Any], model: str = MODEL) -> httpx.Response:
    """POST a unary generateContent."""
    return http.post(f"/v1beta/models/{model}:generateContent", json=request)


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The `error` object of a Google error envelope."""
    error: dict[str, Any] = response.json()["error"]
    return error


def parts_of(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The parts of the first candidate."""
    parts: list[dict[str, Any]] = payload["candidates"][0]["content"]["parts"]
    return parts


def decoded(part: dict[str, Any]) -> bytes:
    """The bytes of an inlineData part."""
    return base64.b64decode(part["inlineData"]["data"])


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR."""
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from a JPEG's start-of-frame marker."""
    at = 2
    while at < len(data):
        marker, length = data[at + 1], struct.unpack(">H", data[at + 2 : at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    raise ValueError("no start-of-frame marker")


def sse_events(raw: bytes) -> list[dict[str, Any]]:
    """The JSON payloads of an SSE body framed as `data: …\\r\\n\\r\\n`."""
    assert raw.endswith(b"\r\n\r\n")
    frames = raw.split(b"\r\n\r\n")[:-1]
    assert all(f.startswith(b"data: ") and b"\n" not in f for f in frames)
    return [json.loads(f[len(b"data: ") :]) for f in frames]


def provider_call(
    provider: str,
    server: FakeGemini,
    request: GenerateRequest,
    *,
    key: str = KEY,
    **options: Any,
) -> Outcome:
    """One generate call of an HTTP provider against the server, with quick backoff."""
    settings = ProviderOptions(
        **(
            {"api_key": key, "base_url": server.base_url, "timeout_s": 20,
             "backoff_initial_s": 0.01, "backoff_max_s": 0.05} | options
        )
    )  # fmt: skip

    async def run() -> Outcome:
        async with open_provider(provider, settings) as opened:
            return await opened.generate(request)

    return asyncio.run(run())


def generate_records(server: FakeGemini) -> list[dict[str, Any]]:
    """The log records of generate requests (streamed or not)."""
    return [
        r for r in server.requests if r["route"] in {"generateContent", "streamGenerateContent"}
    ]
