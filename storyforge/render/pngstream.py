"""A PNG written band by band, so a very tall image never has to exist in memory at once."""

from __future__ import annotations

import struct
import zlib
from typing import BinaryIO

from PIL import Image, ImageChops

# Deflate's fast level: half the time of the default (6) on a sheet's rows, for files about
# 8 % larger; a sheet is drawn at the end of every build that changed it.
LEVEL = 3
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IDAT_BYTES = 1 << 18  # compressed bytes gathered before an IDAT chunk is written
_FILTER_SUB = b"\x01"


class PngWriter:
    """Writes an 8-bit RGB PNG of a known size from horizontal bands, top to bottom.

    Pillow's encoder needs the whole image; this one keeps only the band in hand, which
    holds memory flat however tall the picture grows.
    """

    def __init__(self, out: BinaryIO, width: int, height: int) -> None:
        if width <= 0 or height <= 0:
            raise ValueError(f"a PNG needs a positive size, not {width}x{height}")
        self._out = out
        self.width = width
        self.height = height
        self._rows = 0
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._deflate = zlib.compressobj(LEVEL)
        out.write(_SIGNATURE)
        self._chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))

    def write(self, band: Image.Image) -> None:
        """Append the rows of an RGB band exactly `width` pixels wide."""
        if band.mode != "RGB" or band.width != self.width:
            raise ValueError(f"band must be RGB and {self.width} wide, got {band.mode} {band.size}")
        if self._rows + band.height > self.height:
            raise ValueError(f"bands exceed the declared height {self.height}")
        raw = _sub_filtered(band).tobytes()
        stride = self.width * 3
        rows = b"".join(_FILTER_SUB + raw[at : at + stride] for at in range(0, len(raw), stride))
        self._queue(self._deflate.compress(rows))
        self._rows += band.height

    def close(self) -> None:
        """Finish the image; every declared row must have been written."""
        if self._rows != self.height:
            raise ValueError(f"wrote {self._rows} of {self.height} rows")
        self._queue(self._deflate.flush())
        self._flush()
        self._chunk(b"IEND", b"")

    def _queue(self, data: bytes) -> None:
        if data:
            self._pending.append(data)
            self._pending_size += len(data)
        if self._pending_size >= _IDAT_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._chunk(b"IDAT", b"".join(self._pending))
            self._pending, self._pending_size = [], 0

    def _chunk(self, kind: bytes, data: bytes) -> None:
        self._out.write(struct.pack(">I", len(data)) + kind + data)
        self._out.write(struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _sub_filtered(band: Image.Image) -> Image.Image:
    # PNG's "Sub" filter (each byte minus the same channel one pixel left) turns the sheet's
    # flat areas into zeros, which deflate packs far better than raw pixels.
    left = Image.new("RGB", band.size, (0, 0, 0))
    left.paste(band.crop((0, 0, band.width - 1, band.height)), (1, 0))
    return ImageChops.subtract_modulo(band, left)
