"""WebVTT captions for the animatic: each board's caption and lines, speakers as voices."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from storyforge.outputs.boards import Board
from storyforge.store.fsutil import atomic_write_text

Said = tuple[str | None, str]  # (speaker's name or None, words)
Cue = tuple[float, float, list[Said]]  # start and end in seconds, what is said


def cue_lines(board: Board) -> list[Said]:
    """What a board says on screen: its caption, then each line of dialogue."""
    said: list[Said] = [(None, board.caption)] if board.caption else []
    return said + [(line.who, line.text) for line in board.lines]


def as_text(said: Sequence[Said]) -> list[str]:
    """The lines as burned in: `Name: words`."""
    return [f"{who}: {text}" if who else text for who, text in said]


def timestamp(seconds: float) -> str:
    """Seconds as a WebVTT timestamp, hh:mm:ss.mmm."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def render_vtt(cues: Sequence[Cue]) -> str:
    """The WebVTT file for the cues."""
    blocks = ["WEBVTT"]
    for number, (start, end, said) in enumerate(cues, start=1):
        text = "\n".join(_line(who, words) for who, words in said)
        blocks.append(f"{number}\n{timestamp(start)} --> {timestamp(end)}\n{text}")
    return "\n\n".join(blocks) + "\n"


def write_vtt(path: Path, cues: Sequence[Cue]) -> None:
    """Write the captions file atomically."""
    atomic_write_text(path, render_vtt(cues), durable=False)


def _line(who: str | None, words: str) -> str:
    text = _escape(words)
    return f"<v {_escape(who)}>{text}" if who else text


def _escape(text: str) -> str:
    # A blank line would end the cue; with ">" escaped, "-->" cannot start a new one.
    text = " ".join(text.split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
