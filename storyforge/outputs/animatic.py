"""OUT/animatic.mp4 and OUT/animatic.vtt: every panel for its duration, PyAV's one home.

The cut is frame-exact: panel boundaries fall on `round(seconds * fps)` of the running
total, so the file is exactly the title card plus the sum of the durations, to the frame,
whatever the rounding of single panels. Captions and dialogue go to a WebVTT sidecar
(speakers as `<v Name>` voices) on the same frame boundaries and, when the story asks,
are burned into the frames too. H.264 in MP4 at constant frame rate, which every editor
and browser reads.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av

from storyforge.outputs.boards import (
    Board,
    collect_boards,
    format_time,
    is_current,
    record_drawn,
    running_time,
)
from storyforge.outputs.derived import DerivedContext, fingerprint
from storyforge.outputs.vtt import Cue, as_text, cue_lines, write_vtt
from storyforge.render.animatic_frames import frame_size, panel_frame, title_frame
from storyforge.render.geometry import parse_ratio
from storyforge.story.models import Animatic

ANIMATIC_NAME = "animatic.mp4"
CAPTIONS_NAME = "animatic.vtt"
# Still frames: "stillimage" tuning and a long GOP keep repeated frames nearly free.
CODEC_OPTIONS = {"preset": "veryfast", "tune": "stillimage", "crf": "23"}


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of the cut: frames [start, end) showing one board, or the title card."""

    start: int
    end: int
    board: Board | None  # None for the title card


def timeline(boards: tuple[Board, ...], fps: int, title_card: float) -> list[Segment]:
    """Frame ranges of the title card and every board, cut at the rounded running total."""
    parts: list[tuple[float, Board | None]] = [(title_card, None)] if title_card > 0 else []
    parts += [(board.duration, board) for board in boards]
    segments, elapsed, start = [], 0.0, 0
    for seconds, board in parts:
        elapsed += seconds
        end = round(elapsed * fps)
        segments.append(Segment(start, end, board))
        start = end
    return segments


def write_animatic(context: DerivedContext) -> list[Path]:
    """Write the animatic and its captions unless they already show the same boards."""
    settings = context.story.animatic or Animatic()
    boards = collect_boards(context)
    size = frame_size(parse_ratio(context.story.aspect_ratio), settings.height)
    video, captions = context.out / ANIMATIC_NAME, context.out / CAPTIONS_NAME
    shown = fingerprint(
        "animatic", [b.shown() for b in boards], settings.model_dump(), context.story.title, size
    )
    if not is_current(context, "animatic", shown, [video, captions]):
        segments = timeline(boards, settings.fps, settings.title_card)
        with _replacing(video) as temporary:
            encode(temporary, context, segments, size, settings)
        write_vtt(captions, segments_cues(segments, settings.fps))
        record_drawn(context, "animatic", shown)
    return [video, captions]


def segments_cues(segments: list[Segment], fps: int) -> list[Cue]:
    """(start s, end s, lines) for every board with words and at least one frame."""
    return [
        (s.start / fps, s.end / fps, cue_lines(s.board))
        for s in segments
        if s.board is not None and s.end > s.start and cue_lines(s.board)
    ]


def encode(
    path: Path,
    context: DerivedContext,
    segments: list[Segment],
    size: tuple[int, int],
    settings: Animatic,
) -> None:
    """Encode the segments into an MP4 at `path`, one decoded picture in memory at a time."""
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=settings.fps, options=CODEC_OPTIONS)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for segment in segments:
            picture = _picture(context, segment, size, settings)
            frame = av.VideoFrame.from_bytes(picture, size[0], size[1], format="rgba")
            frame = frame.reformat(format="yuv420p")
            for index in range(segment.start, segment.end):
                frame.pts = index
                container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def _picture(
    context: DerivedContext, segment: Segment, size: tuple[int, int], settings: Animatic
) -> bytes:
    board = segment.board
    if board is None:
        boards = collect_boards(context)
        facts = [f"{len(context.story.scenes)} scenes", f"{len(boards)} boards",
                 f"running time {format_time(running_time(boards))}"]  # fmt: skip
        return title_frame(size, context.story.title, [" · ".join(facts)])
    image = (context.out / board.image.path).read_bytes() if board.ok and board.image else None
    words = as_text(cue_lines(board)) if settings.burn_in else []
    return panel_frame(size, image, (board.status, board.reason), words)


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` that replaces it when the block succeeds."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".mp4")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
