"""Read a story file's bytes and its text, failing with a located diagnostic."""

from __future__ import annotations

from pathlib import Path

from storyforge.diagnostics import Diagnostic
from storyforge.errors import StoryError


def read_text(path: Path) -> tuple[bytes, str]:
    """The file's bytes (for its hash) and its text (UTF-8, a leading BOM dropped).

    Raises:
        StoryError: the file cannot be read, or is not UTF-8 (placed at the first bad byte).
    """
    data = _read(path)
    return data, decode_text(str(path), data)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        message = f"cannot read the story: {error.strerror or error}"
        raise StoryError([Diagnostic(str(path), 0, 0, "", message)]) from None


def decode_text(file: str, data: bytes) -> str:
    """`data` as UTF-8 text (a leading BOM dropped).

    Raises:
        StoryError: located at the first byte that is not UTF-8.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        message = f"byte 0x{data[error.start]:02x} is not UTF-8 text; save the file as UTF-8"
        raise StoryError([Diagnostic(file, line, column, "", message)]) from None
