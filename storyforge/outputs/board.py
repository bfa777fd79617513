"""OUT/storyboard.pdf: the board PDF a director marks up, drawn through fpdf2's one home.

Each page has a header (title, scenes, boards, shots, running time, aspect ratio and the
draft date of the story's last commit, never the clock), its boards laid out by
`render.board_layout`, and a page number. Each board shows its picture, shot label, shot
type, camera and duration, then action, dialogue in bold, sound and notes. A board
without a picture is a marked empty frame with the reason. Text that does not fit ends
in `[…]` and is reported as a located warning, every build, until it fits.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
from pathlib import Path

from storyforge.diagnostics import Diagnostic
from storyforge.outputs.board_draw import draw_page
from storyforge.outputs.boards import (
    Board,
    collect_boards,
    format_time,
    is_current,
    record_drawn,
    running_time,
)
from storyforge.outputs.derived import DerivedContext, fingerprint
from storyforge.outputs.pdf import EPOCH, PdfWriter
from storyforge.render.board_layout import MARGIN, board_page, page_count
from storyforge.render.geometry import PageBoxes, parse_ratio
from storyforge.store.fsutil import atomic_write, atomic_write_text
from storyforge.story.models import Board as BoardSettings

BOARD_NAME = "storyboard.pdf"
WARNINGS_NAME = "storyboard.warnings.json"  # in the derived cache, re-reported while current
log = logging.getLogger(__name__)


def write_board(context: DerivedContext) -> list[Path]:
    """Write OUT/storyboard.pdf unless it already shows the same boards."""
    settings = context.story.board or BoardSettings()
    boards = collect_boards(context)
    draft = draft_date(context.story_path)
    path = context.out / BOARD_NAME
    shown = fingerprint("board", [b.shown() for b in boards], settings.model_dump(), draft)
    if is_current(context, "board", shown, [path]):
        problems = _load_warnings(context)
    else:
        data, problems = render_board(context, boards, settings, draft)
        atomic_write(path, data, durable=False)
        atomic_write_text(
            context.cache / WARNINGS_NAME, json.dumps([p.format() for p in problems]), durable=False
        )
        record_drawn(context, "board", shown)
    for problem in problems:
        log.warning("%s", problem)
    return [path]


def render_board(
    context: DerivedContext, boards: tuple[Board, ...], settings: BoardSettings, draft: str | None
) -> tuple[bytes, list[str]]:
    """The PDF's bytes, and a warning for each board whose text did not fit."""
    first = board_page(settings.paper, settings.orientation, settings.per_page, [])
    boxes = PageBoxes(first.page, first.page, first.page, first.page.inset(MARGIN))
    created = dt.datetime.fromisoformat(draft).replace(tzinfo=dt.UTC) if draft else EPOCH
    pdf = PdfWriter(boxes, context.story.title, created)
    per = settings.per_page
    pages = page_count(len(boards), per)
    header = _header_facts(context, boards, draft)
    cut: list[tuple[Board, int, int]] = []
    for number in range(pages):
        chunk = boards[number * per : (number + 1) * per]
        aspects = [parse_ratio(b.aspect_ratio) for b in chunk]
        layout = board_page(settings.paper, settings.orientation, per, aspects)
        pdf.add_page()
        cut += draw_page(pdf, context.out, layout, chunk, header, (number + 1, pages), per)
    return pdf.output(), [_overflow(context, *item).format() for item in cut]


def _header_facts(
    context: DerivedContext, boards: tuple[Board, ...], draft: str | None
) -> dict[str, str]:
    ratios = sorted({b.aspect_ratio for b in boards} - {context.story.aspect_ratio})
    ratio = context.story.aspect_ratio + (f" (also {', '.join(ratios)})" if ratios else "")
    shots = len({b.shot_number for b in boards})
    return {
        "title": context.story.title,
        "boards": str(len(boards)),
        "shots": str(shots),
        "running_time": format_time(running_time(boards)),
        "aspect": ratio,
        "draft": draft or "",
    }


def _overflow(context: DerivedContext, board: Board, drawn: int, left: int) -> Diagnostic:
    step = context.plan.step(board.step_id)
    where = _panel_path(context, board.step_id)
    return Diagnostic(
        context.story_path.name, step.line, step.column, where,
        f"board {board.label} '{board.step_id}': its text needs {drawn + left} lines but the "
        f"board has room for {drawn}; the rest is cut with […] (shorten the action, dialogue "
        "or notes, or choose fewer boards per page)",
        severity="warning",
    )  # fmt: skip


def _panel_path(context: DerivedContext, step_id: str) -> str:
    for s, scene in enumerate(context.story.scenes):
        for p, panel in enumerate(scene.panels):
            if panel.id == step_id:
                return f"scenes[{s}].panels[{p}]"
    return ""


def _load_warnings(context: DerivedContext) -> list[str]:
    try:
        loaded = json.loads((context.cache / WARNINGS_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return [str(item) for item in loaded] if isinstance(loaded, list) else []


def draft_date(story: Path) -> str | None:
    """The date (YYYY-MM-DD) of the story file's last commit; None outside git or uncommitted."""
    try:
        done = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", story.name],
            cwd=story.parent, capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    date = done.stdout.strip()
    return date if done.returncode == 0 and len(date) == 10 else None
