"""The animatic read back with PyAV: frame-exact length, captions on the cut, cached, burned in."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import av
import pytest

from storyforge.outputs.animatic import timeline
from storyforge.outputs.vtt import render_vtt

from .board_support import BOARD_STORY, DURATIONS, build_boards


def _story(settings: str, text: str = BOARD_STORY) -> str:
    return text.replace(
        "title: The Lighthouse Keeper\n", f"title: The Lighthouse Keeper\n{settings}\n"
    )


def _frames(video: Path) -> tuple[int, float]:
    """Frames decoded and the stream's duration in seconds."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        decoded = sum(1 for _ in container.decode(stream))
        assert stream.duration is not None and stream.time_base is not None
        return decoded, float(stream.duration * stream.time_base)


def _cues(vtt: str) -> list[tuple[str, str, str]]:
    return re.findall(r"(\d\d:\d\d:\d\d\.\d\d\d) --> (\d\d:\d\d:\d\d\.\d\d\d)\n(.+)", vtt)


def test_the_length_is_the_title_card_plus_every_duration_to_the_frame(tmp_path: Path) -> None:
    report = build_boards(tmp_path, ("animatic",), _story("animatic: {height: 144}"))
    decoded, seconds = _frames(report.out / "animatic.mp4")
    total = 2.0 + sum(DURATIONS)  # the title card's 2 s, then 3 + 1.5 + 2 + 2.5 + 0.75
    assert decoded == round(total * 24) == 282
    assert seconds == pytest.approx(total, abs=1e-9)


@pytest.mark.parametrize("fps", [24, 25, 30])
def test_durations_that_fall_between_frames_still_add_up(tmp_path: Path, fps: int) -> None:
    odd = BOARD_STORY.replace("duration: 3\n", "duration: 0.33\n").replace(
        "duration: 1.5\n", "duration: 0.41\n"
    )
    text = _story(f"animatic: {{height: 144, fps: {fps}, title_card: 0}}", odd)
    report = build_boards(tmp_path, ("animatic",), text)
    total = 0.33 + 0.41 + 2.0 + 2.5 + 0.75
    decoded, seconds = _frames(report.out / "animatic.mp4")
    assert decoded == round(total * fps)
    assert abs(seconds - total) <= 0.5 / fps  # the nearest frame, never a frame per panel off


def test_the_cut_is_contiguous_and_rounded_on_the_running_total() -> None:
    class Fake:
        def __init__(self, duration: float) -> None:
            self.duration = duration

    boards = tuple(Fake(d) for d in (0.3, 0.3, 0.3, 0.3))
    segments = timeline(boards, 10, 0.0)  # type: ignore[arg-type]
    assert [(s.start, s.end) for s in segments] == [(0, 3), (3, 6), (6, 9), (9, 12)]
    segments = timeline(boards, 24, 1.0)  # type: ignore[arg-type]
    assert segments[0].board is None and segments[0].end == 24
    assert all(a.end == b.start for a, b in itertools.pairwise(segments))
    assert segments[-1].end == round(2.2 * 24)


def test_captions_and_dialogue_go_to_webvtt_on_the_cut(tmp_path: Path) -> None:
    report = build_boards(tmp_path, ("animatic",), _story("animatic: {height: 144}"))
    vtt = (report.out / "animatic.vtt").read_text("utf-8")
    assert vtt.startswith("WEBVTT\n")
    assert _cues(vtt) == [
        ("00:00:02.000", "00:00:05.000", "Every night for thirty years."),
        ("00:00:05.000", "00:00:06.500", "<v Mara>Who's there at this hour?"),
        ("00:00:08.500", "00:00:11.000", "At dawn, a sail."),
        ("00:00:11.000", "00:00:11.750", "<v Mara>Papa!"),
    ]


def test_words_cannot_break_the_captions_file() -> None:
    vtt = render_vtt([(0.0, 1.0, [("A <b>", "one\n\ntwo --> three & four")])])
    assert vtt.endswith(
        "00:00:00.000 --> 00:00:01.000\n<v A &lt;b&gt;>one two --&gt; three &amp; four\n"
    )


def _bottom_brightness(video: Path, at_frame: int) -> float:
    """The mean luma of the bottom quarter of one frame (0 black to 255 white)."""
    with av.open(str(video)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index == at_frame:
                luma = frame.planes[0]  # yuv420p: the first plane is Y, rows padded to line_size
                rows = range(frame.height * 3 // 4, frame.height)
                data = bytes(luma)
                values = [
                    v
                    for r in rows
                    for v in data[r * luma.line_size : r * luma.line_size + frame.width]
                ]
                return sum(values) / len(values)
    raise AssertionError(f"no frame {at_frame} in {video}")


def test_burned_in_captions_change_the_frames_where_they_are_said(tmp_path: Path) -> None:
    plain = build_boards(tmp_path / "plain", ("animatic",), _story("animatic: {height: 144}"))
    burned = build_boards(
        tmp_path / "burned", ("animatic",), _story("animatic: {height: 144, burn_in: true}")
    )
    frame = 2 * 24 + 36  # inside the first board, which has a caption
    a = _bottom_brightness(plain.out / "animatic.mp4", frame)
    b = _bottom_brightness(burned.out / "animatic.mp4", frame)
    assert abs(a - b) > 5


def test_it_is_encoded_again_only_when_what_it_shows_changed(tmp_path: Path) -> None:
    text = _story("animatic: {height: 144}")
    report = build_boards(tmp_path, ("animatic",), text)
    video = report.out / "animatic.mp4"
    first = video.stat().st_mtime_ns
    build_boards(tmp_path, ("animatic",), text)
    assert video.stat().st_mtime_ns == first
    build_boards(tmp_path, ("animatic",), text.replace("duration: 2.5", "duration: 3.5"))
    assert video.stat().st_mtime_ns != first
    assert _frames(video)[0] == round((2 + sum(DURATIONS) + 1) * 24)
