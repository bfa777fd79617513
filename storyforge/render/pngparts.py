"""A PNG assembled from bands compressed apart, so bands drawn earlier need not be redrawn.

Each band's filtered rows are deflated on their own and ended with a sync flush, which
leaves the stream byte-aligned: compressed bands can then be laid end to end as one
zlib stream, closed by an empty final block and the Adler-32 of all the rows (combined
from each band's own, as zlib's `adler32_combine` does). The pixels are exactly those a
single stream would give.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO

from PIL import Image

from storyforge.render.pngstream import LEVEL, _sub_filtered

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZLIB_HEADER = b"\x78\x5e"  # deflate, 32 KB window, a fast level (LEVEL)
_FINAL_BLOCK = b"\x03\x00"  # an empty fixed-Huffman block marked final
_IDAT_BYTES = 1 << 18
_BASE = 65521  # Adler-32's modulus
_FILTER_SUB = b"\x01"
_HEAD = struct.Struct(">III")  # adler32, raw length, height
_RUN_ROWS = 128  # rows of one colour deflated together, then repeated, for a blank band


@dataclass(frozen=True, slots=True)
class Part:
    """One band's rows, filtered and deflated on their own."""

    data: bytes
    adler: int  # Adler-32 of the band's raw (filtered) rows
    size: int  # length of those raw rows
    height: int

    def to_bytes(self) -> bytes:
        """The part as kept in a cache file."""
        return _HEAD.pack(self.adler, self.size, self.height) + self.data

    @classmethod
    def from_bytes(cls, raw: bytes) -> Part:
        """A part read back from `to_bytes`; ValueError when it is cut short."""
        if len(raw) < _HEAD.size:
            raise ValueError("not a band part")
        adler, size, height = _HEAD.unpack_from(raw)
        return cls(raw[_HEAD.size :], adler, size, height)


def compress_band(band: Image.Image) -> Part:
    """Filter and deflate one RGB band into a part."""
    raw = _sub_filtered(band).tobytes()
    stride = band.width * 3
    rows = b"".join(_FILTER_SUB + raw[at : at + stride] for at in range(0, len(raw), stride))
    data, adler, size = _deflated(rows)
    return Part(data, adler, size, band.height)


def blank_part(width: int, height: int, colour: tuple[int, int, int]) -> Part:
    """A band of one colour, as `compress_band` would give its pixels, without drawing it.

    A page's blank foot can be most of the page, and deflating it took longer than drawing
    everything else on the page. Its rows are all alike, so one run of them is deflated
    once and laid end to end: a run deflated from a fresh start and ended by a sync flush
    refers to nothing before it, so it decodes the same anywhere in the stream.
    """
    run, run_adler, run_size = _blank_run(width, colour)
    whole, rest = divmod(height, _RUN_ROWS)
    tail, tail_adler, tail_size = _deflated(_blank_row(width, colour) * rest)
    adler = 1
    for _ in range(whole):
        adler = _combine(adler, run_adler, run_size)
    adler = _combine(adler, tail_adler, tail_size)
    return Part(run * whole + tail, adler, (run_size * whole) + tail_size, height)


@lru_cache(maxsize=8)
def _blank_run(width: int, colour: tuple[int, int, int]) -> tuple[bytes, int, int]:
    return _deflated(_blank_row(width, colour) * _RUN_ROWS)


def _blank_row(width: int, colour: tuple[int, int, int]) -> bytes:
    # Filtered with Sub: the first pixel is itself, every later one is zero from its left.
    return _FILTER_SUB + bytes(colour) + bytes(3 * (width - 1))


def _deflated(rows: bytes) -> tuple[bytes, int, int]:
    deflate = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    data = deflate.compress(rows) + deflate.flush(zlib.Z_SYNC_FLUSH)
    return data, zlib.adler32(rows), len(rows)


def write_png(out: BinaryIO, width: int, height: int, parts: Iterable[Part]) -> None:
    """Write an 8-bit RGB PNG whose rows are the parts' bands, top to bottom."""
    out.write(_SIGNATURE)
    _chunk(out, b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    adler, rows = 1, 0
    pending = [_ZLIB_HEADER]
    size = len(_ZLIB_HEADER)
    for part in parts:
        adler = _combine(adler, part.adler, part.size)
        rows += part.height
        pending.append(part.data)
        size += len(part.data)
        if size >= _IDAT_BYTES:
            _chunk(out, b"IDAT", b"".join(pending))
            pending, size = [], 0
    if rows != height:
        raise ValueError(f"the parts hold {rows} of {height} rows")
    pending += [_FINAL_BLOCK, struct.pack(">I", adler)]
    _chunk(out, b"IDAT", b"".join(pending))
    _chunk(out, b"IEND", b"")


def _combine(adler1: int, adler2: int, length2: int) -> int:
    # zlib's adler32_combine: the checksum of two byte strings from each one's checksum.
    rem = length2 % _BASE
    sum1 = adler1 & 0xFFFF
    sum2 = (rem * sum1) % _BASE
    sum1 += (adler2 & 0xFFFF) + _BASE - 1
    sum2 += ((adler1 >> 16) & 0xFFFF) + ((adler2 >> 16) & 0xFFFF) + _BASE - rem
    sum1 %= _BASE
    sum2 %= _BASE
    return sum1 | (sum2 << 16)


def _chunk(out: BinaryIO, kind: bytes, data: bytes) -> None:
    out.write(struct.pack(">I", len(data)) + kind + data)
    out.write(struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
