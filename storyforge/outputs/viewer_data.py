"""What the review viewer shows of each step: picture, takes, words, status and what was sent."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from storyforge.compile.plan import Step
from storyforge.outputs.boards import (
    Board,
    collect_boards,
    format_time,
    is_take,
    running_time,
)
from storyforge.outputs.derived import DerivedContext
from storyforge.outputs.files import OutputFile, main_image

SHEETS = "Character sheets"


def viewer_data(context: DerivedContext) -> dict[str, Any]:
    """The viewer's data: the story's title and totals, and its steps grouped by scene."""
    boards = {b.step_id: b for b in collect_boards(context)}
    steps = sorted(context.plan.steps, key=lambda s: (s.kind != "sheet", s.line, s.column))
    titles = {scene.id: scene.title or scene.id for scene in context.story.scenes}
    groups: dict[str, dict[str, Any]] = {}
    for step in steps:
        scene = "characters" if step.kind == "sheet" else step.scene or ""
        title = SHEETS if step.kind == "sheet" else titles.get(scene, scene)
        group = groups.setdefault(scene, {"id": scene, "title": title, "steps": []})
        group["steps"].append(_step(context, step, boards.get(step.id)))
    return {
        "title": context.story.title,
        "totals": _totals(context, tuple(boards.values())),
        "scenes": list(groups.values()),
    }


def _step(context: DerivedContext, step: Step, board: Board | None) -> dict[str, Any]:
    result = context.results.get(step.id)
    files = context.files.get(step.id, ())
    image = main_image(files) if result and result.ok else None
    return {
        "id": step.id,
        "kind": step.kind,
        "status": result.status if result else "missing",
        "reason": (result.reason or result.warning) if result else "not built in this run",
        "stale": bool(result and result.stale),
        "cost_usd": round(result.cost_usd, 6) if result else 0.0,
        "attempts": result.attempts if result else 0,
        "prompt": step.prompt,
        "model": step.model,
        "aspect_ratio": step.aspect_ratio,
        "inputs": [_input(context.files, step, n) for n in range(len(step.inputs))],
        "image": _file(image) if image else None,
        "takes": [
            {**_file(f), "selected": bool(result and f.take == result.selected)}
            for f in (board.takes if board else _takes(step.id, files))
        ],
        "board": _board(board) if board else None,
    }


def _input(files: Mapping[str, tuple[OutputFile, ...]], step: Step, index: int) -> dict[str, Any]:
    item = step.inputs[index]
    image = main_image(files.get(item.ref, ())) if item.source == "step" else None
    return {
        "label": step.labels[index],
        "ref": item.ref,
        "source": item.source,
        # Reference files stay in the story folder: the viewer links only what OUT holds.
        "path": image.path if image else None,
    }


def _board(board: Board) -> dict[str, Any]:
    return {
        "label": board.label,
        "new_shot": board.new_shot,
        "shot": board.shot,
        "camera": board.camera,
        "duration": board.duration,
        "action": board.action,
        "notes": board.notes,
        "caption": board.caption,
        "lines": [{"who": ln.who, "text": ln.text, "kind": ln.kind} for ln in board.lines],
        "sfx": list(board.sfx),
    }


def _totals(context: DerivedContext, boards: tuple[Board, ...]) -> dict[str, Any]:
    statuses = [r.status for r in context.results.values()]
    return {
        "steps": len(context.plan.steps),
        "boards": len(boards),
        "running_time": format_time(running_time(boards)),
        "failed": sum(s in ("failed", "blocked", "skipped") for s in statuses),
        # fsum: the same total whatever order the steps finished in, so the page stays put.
        "cost_usd": round(math.fsum(r.cost_usd for r in context.results.values()), 6),
    }


def _takes(step_id: str, files: tuple[OutputFile, ...]) -> list[OutputFile]:
    return sorted((f for f in files if is_take(f, step_id)), key=lambda f: f.take)


def _file(file: OutputFile) -> dict[str, Any]:
    return {
        "take": file.take,
        "path": file.path,
        "sha256": file.sha256,
        "width": file.width,
        "height": file.height,
    }
