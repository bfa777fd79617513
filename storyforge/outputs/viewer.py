"""OUT/index.html: the review viewer, one self-contained file that works offline and without JS.

CSS and JS are inlined from `outputs/viewer/`, the data sits in a JSON script element, and
images are linked by paths relative to OUT, so the folder can be zipped, mailed or opened
from `file://` and the page asks nothing of any network. Without JavaScript it is a plain
list of every step with all its text; the script turns it into a grid with a lightbox,
keys and a side-by-side view of takes.
"""

from __future__ import annotations

import json
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from storyforge.outputs.boards import is_current, record_drawn
from storyforge.outputs.derived import DerivedContext, fingerprint
from storyforge.outputs.viewer_data import viewer_data
from storyforge.store.fsutil import atomic_write_text

VIEWER_NAME = "index.html"
DATA_ID = "storyforge-data"


def write_viewer(context: DerivedContext) -> list[Path]:
    """Write OUT/index.html unless it already shows the same data."""
    data = viewer_data(context)
    path = context.out / VIEWER_NAME
    shown = fingerprint("viewer", data, _asset("viewer.css"), _asset("viewer.js"))
    if not is_current(context, "viewer", shown, [path]):
        atomic_write_text(path, render_viewer(data), durable=False)
        record_drawn(context, "viewer", shown)
    return [path]


def render_viewer(data: dict[str, Any]) -> str:
    """The whole page for the viewer's data."""
    title = escape(data["title"])
    sections = "\n".join(_scene(scene) for scene in data["scenes"])
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · storyforge</title>
<style>
{_asset("viewer.css")}
</style>
</head>
<body>
<header class="top">
<h1>{title}</h1>
<p class="stats">{_stats(data["totals"])}</p>
<p class="keys">← → or J K: previous, next · Enter: open · Esc: close</p>
</header>
<main>
{sections}
</main>
<script type="application/json" id="{DATA_ID}">{_json(data)}</script>
<script>
{_asset("viewer.js")}
</script>
</body>
</html>
"""


def _asset(name: str) -> str:
    return resources.files("storyforge.outputs").joinpath("viewer", name).read_text("utf-8")


def _json(data: dict[str, Any]) -> str:
    # `</script>` or `<!--` in a prompt must not end the element early.
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _stats(totals: dict[str, Any]) -> str:
    parts = [
        f"{totals['boards']} boards",
        f"{totals['steps']} steps",
        f"running time {totals['running_time']}",
        f"{totals['failed']} not built" if totals["failed"] else "all built",
        f"${totals['cost_usd']:.3f} this build",
    ]
    return " · ".join(escape(p) for p in parts)


def _scene(scene: dict[str, Any]) -> str:
    items = "\n".join(_item(step) for step in scene["steps"])
    return (
        f'<section class="scene" id="scene-{escape(scene["id"])}">\n'
        f'<h2>{escape(scene["title"])}</h2>\n<ol class="boards">\n{items}\n</ol>\n</section>'
    )


def _item(step: dict[str, Any]) -> str:
    sid = escape(step["id"])
    board = step["board"] or {}
    label = escape(board.get("label", "")) if board else ""
    shot = " new-shot" if board.get("new_shot") else ""
    classes = f"board status-{escape(step['status'])}{shot}"
    return f"""<li class="{classes}" id="p-{sid}" data-step="{sid}">
<div class="frame">{_frame(step)}</div>
<div class="info">
<p class="head"><b class="label">{label}</b> <span class="sid">{sid}</span> \
<span class="badge">{escape(step["status"])}</span></p>
<p class="meta">{escape(_meta(step))}</p>
{_words(board)}{_reason(step)}{_sent(step)}{_takes(step)}</div>
</li>"""


def _frame(step: dict[str, Any]) -> str:
    image = step["image"]
    if image is None:
        word = escape(step["status"].upper())
        return (
            f'<div class="empty"><strong>{word}</strong><span>{escape(step["reason"])}</span></div>'
        )
    return (
        f'<a href="{escape(image["path"])}"><img src="{escape(image["path"])}" '
        f'width="{image["width"]}" height="{image["height"]}" alt="{escape(step["id"])}" '
        f'data-sha="{image["sha256"]}" loading="lazy" decoding="async"></a>'
    )


def _meta(step: dict[str, Any]) -> str:
    board = step["board"] or {}
    parts = [board.get("shot"), board.get("camera")]
    if board:
        parts.append(f"{board['duration']:g} s")
    parts += [step["aspect_ratio"], f"${step['cost_usd']:.3f}", _attempts(step["attempts"])]
    return " · ".join(p for p in parts if p)


def _attempts(count: int) -> str:
    return "cached" if count == 0 else f"{count} attempt{'s' if count > 1 else ''}"


def _words(board: dict[str, Any]) -> str:
    keys = ("caption", "action", "notes")
    rows = [f'<p class="{key}">{escape(board[key])}</p>' for key in keys if board.get(key)]
    for line in board.get("lines", []):
        who = f"<b>{escape(line['who'])}:</b> " if line["who"] else ""
        rows.append(f'<p class="line {escape(line["kind"])}">{who}{escape(line["text"])}</p>')
    rows += [f'<p class="sfx">SFX: {escape(s)}</p>' for s in board.get("sfx", [])]
    return "".join(r + "\n" for r in rows)


def _reason(step: dict[str, Any]) -> str:
    return f'<p class="reason">{escape(step["reason"])}</p>\n' if step["reason"] else ""


def _sent(step: dict[str, Any]) -> str:
    inputs = "".join(
        f"<li>{escape(i['label'])} <code>{escape(i['ref'])}</code></li>" for i in step["inputs"]
    )
    return (
        f'<details class="sent"><summary>Sent to {escape(step["model"])}</summary>'
        f'<pre class="prompt">{escape(step["prompt"])}</pre>'
        f'<ol class="inputs">{inputs}</ol></details>\n'
    )


def _takes(step: dict[str, Any]) -> str:
    if len(step["takes"]) < 2:
        return ""
    cells = []
    for take in step["takes"]:
        mark = " selected" if take["selected"] else ""
        note = "selected" if take["selected"] else f"storyforge pick {step['id']} {take['take']}"
        cells.append(
            f'<figure class="take{mark}"><img src="{escape(take["path"])}" alt="take '
            f'{take["take"]}" loading="lazy"><figcaption>take {take["take"]} · '
            f"<code>{escape(note)}</code></figcaption></figure>"
        )
    return f'<div class="takes">{"".join(cells)}</div>\n'
