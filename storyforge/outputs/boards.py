"""The boards of a story: each panel with its shot, timing, words and image, in story order.

The board PDF, the viewer and the animatic all draw from these values, so the three agree
on numbering, durations and what a failed panel says. Shots: a panel that names its `shot`
(framing) starts a new shot, and so does the first panel of every scene; a panel without
one is a further board of the shot before it. Boards of a shot with several are lettered
`3A`, `3B`; a shot of one board is plain `3`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyforge.outputs.derived import DerivedContext
from storyforge.outputs.files import OutputFile, main_image
from storyforge.store.fsutil import atomic_write_text
from storyforge.story.models import Panel, Scene, Story

DEFAULT_DURATION = 2.0  # seconds, for a panel without `duration`


@dataclass(frozen=True, slots=True)
class BoardLine:
    """A line of dialogue or a caption, with the speaker's name resolved."""

    who: str | None
    text: str
    kind: str


@dataclass(frozen=True, slots=True)
class Board:
    """One panel as boards, the viewer and the animatic show it."""

    step_id: str
    scene_id: str
    scene_title: str
    number: int  # 1.. through the story
    shot_number: int
    label: str  # "3" or "3A"
    new_shot: bool
    shot: str | None
    camera: str | None
    duration: float
    action: str | None
    notes: str | None
    caption: str | None
    lines: tuple[BoardLine, ...]
    sfx: tuple[str, ...]
    status: str  # generated, cached, failed, blocked, skipped, or "missing" when not built
    reason: str
    aspect_ratio: str
    image: OutputFile | None
    takes: tuple[OutputFile, ...]

    @property
    def ok(self) -> bool:
        """Whether the board has its picture."""
        return self.image is not None and self.status in ("generated", "cached")

    def shown(self) -> dict[str, Any]:
        """What the board shows, JSON-able, with `cached` shown as `generated`."""
        data = dataclasses.asdict(self)
        data["status"] = "generated" if self.status == "cached" else self.status
        return data


def collect_boards(context: DerivedContext) -> tuple[Board, ...]:
    """Every panel of the story, numbered, with its result and files."""
    boards: list[Board] = []
    shot_number = 0
    for scene in context.story.scenes:
        for index, panel in enumerate(scene.panels):
            new_shot = index == 0 or panel.shot is not None
            shot_number += 1 if new_shot else 0
            boards.append(_board(context, scene, panel, len(boards) + 1, shot_number, new_shot))
    return _lettered(boards)


def _board(
    context: DerivedContext, scene: Scene, panel: Panel, number: int, shot: int, new: bool
) -> Board:
    result = context.results.get(panel.id)
    files = context.files.get(panel.id, ())
    image = main_image(files)
    ratio = context.plan.step(panel.id).aspect_ratio if panel.id in context.plan else "16:9"
    return Board(
        step_id=panel.id, scene_id=scene.id, scene_title=scene.title or scene.id,
        number=number, shot_number=shot, label=str(shot), new_shot=new, shot=panel.shot,
        camera=panel.camera, duration=panel.duration or DEFAULT_DURATION,
        action=panel.action, notes=panel.notes, caption=panel.caption,
        lines=tuple(_line(context.story, line.who, line.text, line.kind)
                    for line in panel.dialogue),
        sfx=tuple(s.text for s in panel.sfx),
        status=result.status if result else "missing",
        reason=result.reason if result else "not built in this run",
        aspect_ratio=ratio, image=image if result and result.ok else None,
        takes=tuple(sorted((f for f in files if is_take(f, panel.id)), key=lambda f: f.take)),
    )  # fmt: skip


def _line(story: Story, who: str | None, text: str, kind: str) -> BoardLine:
    character = story.characters.get(who or "")
    return BoardLine(character.name if character else who, text, kind)


def is_take(file: OutputFile, step_id: str) -> bool:
    """Whether a file is a take's first image (`<id>.png`, `takes/<id>-<n>.png`), not an extra."""
    return "/" not in file.path or Path(file.path).stem == f"{step_id}-{file.take}"


def _lettered(boards: list[Board]) -> tuple[Board, ...]:
    sizes: dict[int, int] = {}
    for board in boards:
        sizes[board.shot_number] = sizes.get(board.shot_number, 0) + 1
    out, seen = [], dict.fromkeys(sizes, 0)
    for board in boards:
        if sizes[board.shot_number] > 1:
            letter = _letters(seen[board.shot_number])
            board = dataclasses.replace(board, label=f"{board.shot_number}{letter}")
        seen[board.shot_number] += 1
        out.append(board)
    return tuple(out)


def _letters(index: int) -> str:
    """Board letters in a shot: A, B, … Z, then AA, AB and on."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def running_time(boards: tuple[Board, ...]) -> float:
    """Seconds of all boards together."""
    return sum(b.duration for b in boards)


def format_time(seconds: float) -> str:
    """Seconds as m:ss, with tenths when they are not whole: 1:05, 0:02.5."""
    minutes, rest = divmod(round(seconds * 10), 600)
    whole, tenth = divmod(rest, 10)
    return f"{minutes}:{whole:02d}" + (f".{tenth}" if tenth else "")


def is_current(context: DerivedContext, name: str, shown: str, paths: list[Path]) -> bool:
    """Whether the files of output `name` are there and were drawn from `shown`."""
    try:
        stamp = (context.cache / f"{name}.sha256").read_text("utf-8").strip()
    except OSError:
        return False
    return stamp == shown and all(p.is_file() for p in paths)


def record_drawn(context: DerivedContext, name: str, shown: str) -> None:
    """Remember that output `name` now shows `shown`."""
    context.cache.mkdir(parents=True, exist_ok=True)
    atomic_write_text(context.cache / f"{name}.sha256", shown + "\n", durable=False)
