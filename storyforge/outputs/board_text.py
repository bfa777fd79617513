"""The words of a board in the PDF: lines wrapped to a box, bold dialogue, `[…]` where cut.

Text that does not fit its box is never cut silently: the last line that fits ends with
`[…]` and the caller gets the count of lines left out, for a located warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from storyforge.outputs.boards import Board, BoardLine
from storyforge.outputs.pdf import PdfWriter
from storyforge.render.board_layout import wrap
from storyforge.render.geometry import Rect

INK = (20, 20, 24)
MUTED = (105, 105, 115)
ELLIPSIS = " […]"
LEADING = 1.22  # line height over font size
BOLD = 0.28  # stroke width over font size that reads as bold (the bundled fonts are regular)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A run of text in one style."""

    text: str
    bold: bool = False
    color: tuple[int, int, int] = INK
    scale: float = 1.0  # of the board's font size


def paragraphs(board: Board) -> list[Paragraph]:
    """What the text box of a board says, in order: action, caption, dialogue, sound, notes."""
    out = [Paragraph(board.action)] if board.action else []
    if board.caption:
        out.append(Paragraph(f"CAPTION: {board.caption}", color=MUTED))
    out += [Paragraph(_spoken(line), bold=line.kind not in ("caption", "narration"))
            for line in board.lines]  # fmt: skip
    out += [Paragraph(f"SFX: {text}", bold=True) for text in board.sfx]
    if board.notes:
        out.append(Paragraph(f"Notes: {board.notes}", color=MUTED, scale=0.9))
    return out


def _spoken(line: BoardLine) -> str:
    if line.kind in ("caption", "narration"):
        return f"{line.kind.upper()}: {line.text}"
    manner = {"thought": " (thinks)", "whisper": " (whispers)", "shout": " (shouts)",
              "off": " (O.S.)"}.get(line.kind, "")  # fmt: skip
    who = (line.who or "").upper()
    return f"{who}{manner}: {line.text}" if who else line.text


def draw_text(pdf: PdfWriter, box: Rect, items: list[Paragraph], size: float) -> tuple[int, int]:
    """Draw the paragraphs into the box; (lines drawn, lines that did not fit)."""
    lines = [(text, item) for item in items for text in _wrapped(pdf, item, box.width, size)]
    room = max(0, int(box.height // (size * LEADING)))
    shown = lines[:room]
    if len(lines) > room and shown:
        text, item = shown[-1]
        shown[-1] = (_cut(pdf, text, box.width, size * item.scale), item)
    baseline = box.y + size
    for text, item in shown:
        line_text(pdf, box.x, baseline, text, size * item.scale, item.color, item.bold)
        baseline += size * LEADING
    return len(shown), len(lines) - len(shown)


def _wrapped(pdf: PdfWriter, item: Paragraph, width: float, size: float) -> list[str]:
    points = size * item.scale
    return wrap(item.text, width, lambda text: pdf.text_width(text, points))


def line_text(
    pdf: PdfWriter, x: float, baseline: float, text: str, size: float,
    color: tuple[int, int, int] = INK, bold: bool = False,
) -> None:  # fmt: skip
    """One line of text, bold drawn as fill and a thin stroke of the same colour."""
    if bold:
        # fpdf2 wraps text in its own graphics state only when the text colour differs from
        # the fill colour; unwrapped, the stroking render mode stays on for every later
        # line. An empty rectangle in another fill colour makes sure it is wrapped.
        pdf.rect(Rect(x, baseline, 0, 0), fill=(255 - color[0], color[1], color[2]))
    outline = (color, size * BOLD / 10) if bold else None
    pdf.text(x, baseline, text, size, color, outline)


def _cut(pdf: PdfWriter, text: str, width: float, size: float) -> str:
    while text and pdf.text_width(text + ELLIPSIS, size) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS
