"""A story diff as terminal text, or as Markdown short enough for a pull-request comment."""

from __future__ import annotations

from storyforge.build.diff import CHANGES, REFERENCE_PROVIDER, StepDiff, StoryDiff

LABELS = {
    "regenerated": "regenerated", "stale": "approved but stale", "take-switched": "take switched",
    "relettered": "re-lettered", "moved": "moved", "added": "added", "removed": "removed",
    "unchanged": "unchanged",
}  # fmt: skip
# The marks reviewers know from visual-regression comments (reg-suit), one per class.
MARKS = {
    "regenerated": "🔴", "stale": "🟠", "take-switched": "🟣", "relettered": "🟡",
    "moved": "🟤", "added": "⚪", "removed": "⚫", "unchanged": "🔵",
}  # fmt: skip
MARKDOWN_LIMIT = 65_536  # characters GitHub keeps in one comment
_RESERVE = 400  # room always kept for the truncation note and the closing lines
_LONG = 300  # a reason longer than this is folded into <details>
_LONGEST = 2_000  # and cut beyond this, so one step cannot fill the comment


def detail(step: StepDiff) -> str:
    """The reason, the move and the calls of one step, as one line."""
    parts = [step.detail] if step.detail else []
    if step.moved and step.change != "moved":
        parts.append(step.moved)
    if step.calls:
        parts.append(f"{step.calls} call{'s' if step.calls != 1 else ''}")
    return "; ".join(parts)


def counts_line(diff: StoryDiff, *, marks: bool = False) -> str:
    """`2 regenerated, 1 added, 3 unchanged` (with marks: `🔴 2 regenerated · …`)."""
    items = [
        (f"{MARKS[c]} " if marks else "") + f"{diff.counts[c]} {LABELS[c]}"
        for c in CHANGES
        if diff.counts[c]
    ]
    return (" · " if marks else ", ").join(items) or "no steps"


def cost_line(diff: StoryDiff, *, bold: bool = False) -> str:
    """What building the head would take: calls and the estimated spend."""
    b = "**" if bold else ""
    calls = f"{diff.calls} call{'s' if diff.calls != 1 else ''}"
    line = f"building {diff.head}: {b}{calls}{b}, estimated {b}${diff.cost_usd:.2f}{b}"
    line += f" with {diff.provider}"
    if diff.reference_usd is not None and diff.calls:
        line += f" (${diff.reference_usd:.2f} at {REFERENCE_PROVIDER} prices)"
    return line


def format_text(diff: StoryDiff) -> str:
    """One line per step that differs, then the counts and the cost."""
    lines = [f"diff: {diff.title} ({diff.story}), {diff.base} → {diff.head}"]
    shown = [s for s in diff.steps if s.change != "unchanged"]
    label_width = max((len(LABELS[s.change]) for s in shown), default=0)
    id_width = max((len(s.id) for s in shown), default=0)
    for step in shown:
        line = f"  {LABELS[step.change]:<{label_width}}  {step.id:<{id_width}}  {detail(step)}"
        lines.append(line.rstrip())
    if not shown:
        lines.append("  no differences")
    lines += [counts_line(diff), cost_line(diff)]
    return "\n".join(lines)


def format_markdown(diff: StoryDiff, *, limit: int = MARKDOWN_LIMIT) -> str:
    """A PR comment: counts, cost and a table of changed steps, cut to `limit` characters.

    When the table would not fit, whole rows are left out and a note says how many; a
    row is never cut in the middle.
    """
    parts = [
        f"### storyforge diff: {_cell(diff.title)}\n",
        f"`{diff.story}`: {diff.base} → {diff.head}\n",
        counts_line(diff, marks=True) + "\n",
        _sentence(cost_line(diff, bold=True)) + "\n",
    ]
    changed = [s for s in diff.steps if s.change != "unchanged"]
    if changed:
        parts.append("| step | change | why | before | after |\n| --- | --- | --- | --- | --- |")
    used = sum(len(p) + 1 for p in parts)
    shown = 0
    for step in changed:
        row = _row(step)
        if used + len(row) + 1 + _RESERVE > limit:
            break
        parts.append(row)
        used += len(row) + 1
        shown += 1
    if shown < len(changed):
        left = len(changed) - shown
        parts.append(
            f"\n_{left} more changed step{'s' if left != 1 else ''} not listed: a comment holds "
            f"at most {limit:,} characters. `storyforge diff --html DIR` shows every step._"
        )
    unchanged = _unchanged(diff)
    if unchanged and used + len(unchanged) + _RESERVE <= limit:
        parts.append("\n" + unchanged)
    return "\n".join(parts) + "\n"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _row(step: StepDiff) -> str:
    why = _cell(detail(step))
    if len(why) > _LONGEST:
        why = why[: _LONGEST - 1] + "…"
    if len(why) > _LONG:
        why = f"<details><summary>{why[:80]}…</summary>{why}</details>"
    mark = f"{MARKS[step.change]} {LABELS[step.change]}"
    return f"| `{step.id}` | {mark} | {why} | {_image(step.before)} | {_image(step.after)} |"


def _image(sha: str | None) -> str:
    return f"`{sha[:12]}`" if sha else "—"


def _cell(text: str) -> str:
    """Text safe inside one table cell: no pipes, no line breaks, no raw HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _unchanged(diff: StoryDiff) -> str:
    ids = [s.id for s in diff.steps if s.change == "unchanged"]
    if not ids:
        return ""
    listed = ", ".join(f"`{i}`" for i in ids)
    summary = f"{MARKS['unchanged']} {len(ids)} unchanged"
    return f"<details><summary>{summary}</summary>\n\n{listed}\n\n</details>"
