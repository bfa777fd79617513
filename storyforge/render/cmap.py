"""Which characters a font file maps to a glyph, read from its `cmap` table."""

from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass
from pathlib import Path

# Unicode subtables, best first: (platform, encoding) with format 12 (all planes) or 4 (BMP).
_PREFERRED = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3))


@dataclass(frozen=True, slots=True)
class Coverage:
    """The code points a font maps, as sorted, disjoint, inclusive ranges."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __contains__(self, char: object) -> bool:
        if not isinstance(char, str) or len(char) != 1:
            return False
        code = ord(char)
        at = bisect.bisect_right(self.starts, code) - 1
        return at >= 0 and code <= self.ends[at]


def read_coverage(path: Path) -> Coverage:
    """The characters of the font at `path` (an OpenType or TrueType file) that have a glyph.

    Raises ValueError when the file has no Unicode cmap subtable of format 4 or 12.
    """
    data = path.read_bytes()
    table = _table(data, b"cmap")
    (count,) = struct.unpack_from(">H", table, 2)
    records = {}
    for index in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", table, 4 + 8 * index)
        records[(platform, encoding)] = offset
    for key in _PREFERRED:
        if key in records:
            sub = table[records[key] :]
            (kind,) = struct.unpack_from(">H", sub)
            if kind == 12:
                return _merged(_format12(sub))
            if kind == 4:
                return _merged(_format4(sub))
    raise ValueError(f"{path.name}: no Unicode cmap of format 4 or 12")


def _table(data: bytes, tag: bytes) -> bytes:
    (tables,) = struct.unpack_from(">H", data, 4)
    for index in range(tables):
        name, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * index)
        if name == tag:
            return data[offset : offset + length]
    raise ValueError(f"no {tag.decode()} table")


def _format12(sub: bytes) -> list[tuple[int, int]]:
    (groups,) = struct.unpack_from(">I", sub, 12)
    return [struct.unpack_from(">II", sub, 16 + 12 * n) for n in range(groups)]


def _format4(sub: bytes) -> list[tuple[int, int]]:
    (doubled,) = struct.unpack_from(">H", sub, 6)
    segments = doubled // 2
    ends = struct.unpack_from(f">{segments}H", sub, 14)
    starts = struct.unpack_from(f">{segments}H", sub, 16 + doubled)
    deltas = struct.unpack_from(f">{segments}H", sub, 16 + 2 * doubled)
    range_at = 16 + 3 * doubled
    offsets = struct.unpack_from(f">{segments}H", sub, range_at)
    ranges: list[tuple[int, int]] = []
    segments_of = zip(starts, ends, deltas, offsets, strict=True)
    for n, (start, end, delta, offset) in enumerate(segments_of):
        if start == 0xFFFF:
            continue
        if offset == 0:
            ranges += [(c, c) for c in range(start, end + 1) if (c + delta) & 0xFFFF]
            continue
        # The glyph index sits in glyphIdArray, addressed from this segment's idRangeOffset.
        for code in range(start, end + 1):
            (glyph,) = struct.unpack_from(">H", sub, range_at + 2 * n + offset + 2 * (code - start))
            if glyph:
                ranges.append((code, code))
    return ranges


def _merged(ranges: list[tuple[int, int]]) -> Coverage:
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(ranges):
        if ends and start <= ends[-1] + 1:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return Coverage(tuple(starts), tuple(ends))
