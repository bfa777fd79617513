"""`storyforge diff --html DIR`: one offline page, before and after side by side.

The images are copied byte for byte from the store into DIR/images (named by their
hash), so the folder can be uploaded as a CI artefact and opened anywhere.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from storyforge.build.diff import StepDiff, StoryDiff
from storyforge.build.diff_render import LABELS, MARKS, cost_line, counts_line, detail
from storyforge.errors import StoreError
from storyforge.mime import extension_for, sniff_mime
from storyforge.store.fsutil import atomic_write, atomic_write_text
from storyforge.store.objects import Store

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222;background:#fafafa}
h1{font-size:1.3rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.5rem;vertical-align:top;text-align:left}
img{max-width:360px;max-height:360px;display:block;background:#fff}
.missing{width:240px;height:135px;display:flex;align-items:center;justify-content:center;
border:1px dashed #aaa;color:#777;font-size:12px;text-align:center}
code{background:#eee;padding:0 .2rem}
"""

_MISSING = {("before", "added"): "new step", ("after", "removed"): "removed"}


def write_html(diff: StoryDiff, store: Store, folder: Path) -> Path:
    """Write DIR/index.html and the images it shows; return the page's path."""
    page = folder / "index.html"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        names = _copy_images(diff, store, folder)
        atomic_write_text(page, _page(diff, names))
    except OSError as error:
        raise StoreError(
            f"cannot write {page}: {error.strerror}; choose another --html folder"
        ) from error
    return page


def _copy_images(diff: StoryDiff, store: Store, folder: Path) -> dict[str, str]:
    """sha256 -> path relative to the page, for every image found in the store."""
    shas = dict.fromkeys(sha for s in diff.steps for sha in (s.before, s.after) if sha)
    names: dict[str, str] = {}
    for sha in shas:
        try:
            data = store.read_object(sha)
        except StoreError:
            continue  # not on this machine: the page says so
        name = f"images/{sha[:16]}{extension_for(sniff_mime(data) or '')}"
        try:
            (folder / "images").mkdir(parents=True, exist_ok=True)
            atomic_write(folder / name, data, durable=False)
        except OSError as error:
            raise StoreError(
                f"cannot write {folder / name}: {error.strerror}; choose another --html folder"
            ) from error
        names[sha] = name
    return names


def _page(diff: StoryDiff, names: dict[str, str]) -> str:
    changed = [s for s in diff.steps if s.change != "unchanged"]
    rows = (
        "\n".join(_row(s, names) for s in changed) or '<tr><td colspan="4">no differences</td></tr>'
    )
    unchanged = ", ".join(f"<code>{escape(s.id)}</code>" for s in diff.steps if s not in changed)
    title = escape(f"storyforge diff: {diff.title}")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{_STYLE}</style></head>
<body><h1>{title}</h1>
<p><code>{escape(diff.story)}</code>: {escape(diff.base)} → {escape(diff.head)}</p>
<p>{escape(counts_line(diff, marks=True))}</p>
<p>{escape(cost_line(diff))}</p>
<table><thead><tr><th>step</th><th>change</th><th>before</th><th>after</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<p>unchanged: {unchanged or "none"}</p>
</body></html>
"""


def _row(step: StepDiff, names: dict[str, str]) -> str:
    change = f"{MARKS[step.change]} {LABELS[step.change]}"
    return (
        f'<tr id="step-{escape(step.id)}"><td><code>{escape(step.id)}</code></td>'
        f"<td><b>{escape(change)}</b><br>{escape(detail(step))}</td>"
        f"<td>{_figure(step.before, names, 'before', step)}</td>"
        f"<td>{_figure(step.after, names, 'after', step)}</td></tr>"
    )


def _figure(sha: str | None, names: dict[str, str], side: str, step: StepDiff) -> str:
    if sha is None:
        text = _MISSING.get((side, step.change), "not built yet")
        return f'<div class="missing">{text}</div>'
    if sha not in names:
        return f'<div class="missing">{sha[:12]}: not in this store</div>'
    return f'<img src="{escape(names[sha])}" alt="{side}: {sha[:12]}" title="{sha}">'
