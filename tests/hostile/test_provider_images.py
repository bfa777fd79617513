"""An answer image counts only if it decodes whole as PNG, JPEG or WebP; else nothing is kept."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from typing import Any

import pytest
from PIL import Image

from storyforge.fakeserver import FakeGemini
from storyforge.fakeserver.auth import Mode
from storyforge.providers.base import GenerateRequest
from tests.fakeserver_support import KEY, MODEL, provider_call, tiny_png


def _encoded(fmt: str) -> bytes:
    picture = Image.new("RGB", (40, 30), (20, 110, 120))
    for x in range(40):
        picture.putpixel((x, x % 30), (250, 200, 10))
    out = io.BytesIO()
    picture.save(out, fmt)
    return out.getvalue()


def _half_zlib_png() -> bytes:
    # Every chunk's CRC is right; only the pixel stream stops halfway.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = zlib.compress((b"\x00" + bytes((9, 99, 199)) * 64) * 64)
    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows[: len(rows) // 2])
        + chunk(b"IEND", b"")
    )  # fmt: skip


JPEG, WEBP = _encoded("JPEG"), _encoded("WEBP")
BROKEN = {
    "empty": b"",
    "text": b"Here is your image!",
    "truncated-png": tiny_png(size=32)[:-40],
    "half-zlib-png": _half_zlib_png(),
    "truncated-jpeg": JPEG[: len(JPEG) // 2],
    "truncated-webp": WEBP[: len(WEBP) // 2],
    "gif": b"GIF89a" + bytes(40),
}


def _answer(data: bytes) -> dict[str, Any]:
    part = {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(data).decode()}}
    return {
        "candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 1290},
        "modelVersion": MODEL,
    }


@pytest.mark.parametrize(
    ("provider", "stream"), [("gemini", False), ("gemini", True), ("cometapi", None)]
)
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_an_image_that_does_not_decode_whole_fails_and_keeps_nothing(
    provider: str, stream: bool | None, name: str
) -> None:
    mode: Mode = "comet" if provider == "cometapi" else "google"
    with FakeGemini(mode=mode, api_key=KEY) as server:
        server.replay(_answer(BROKEN[name]))
        request = GenerateRequest(model=MODEL, text="Mara.", label="p1")
        outcome = provider_call(provider, server, request, stream=stream)
    assert (outcome.status, outcome.images, outcome.attempts) == ("failed", (), 1)
    assert "does not decode as a whole PNG, JPEG or WebP image" in outcome.reason


@pytest.mark.parametrize("data", [tiny_png(size=32), JPEG, WEBP], ids=["png", "jpeg", "webp"])
def test_whole_images_of_each_format_are_kept_byte_for_byte(data: bytes) -> None:
    with FakeGemini(api_key=KEY) as server:
        server.replay(_answer(data))
        outcome = provider_call("gemini", server, GenerateRequest(model=MODEL, text="Mara."))
    assert outcome.status == "generated"
    assert [image.data for image in outcome.images] == [data]
