"""One page of the board PDF drawn from its layout: header, boards, marks and page number."""

from __future__ import annotations

from pathlib import Path

from storyforge.outputs.board_text import INK, MUTED, draw_text, line_text, paragraphs
from storyforge.outputs.boards import Board
from storyforge.outputs.pdf import PdfWriter
from storyforge.render.board_layout import BoardCell, BoardPage, wrap
from storyforge.render.geometry import Rect

SIZES = {3: 9.5, 6: 8.0, 9: 7.0, 12: 6.5}  # text points by boards per page
ACCENT = (194, 65, 12)  # the new-shot marker
BAD = (180, 35, 24)
FRAME_BG = (236, 236, 232)
RULE = (200, 200, 205)
EN_DASH = "\u2013"  # a range of numbers


def draw_page(
    pdf: PdfWriter, out: Path, layout: BoardPage, boards: tuple[Board, ...],
    facts: dict[str, str], number: tuple[int, int], per_page: int,
) -> list[tuple[Board, int, int]]:  # fmt: skip
    """Draw a page; returns (board, lines drawn, lines cut) for every board whose text was cut."""
    _header(pdf, layout.header, boards, facts, number, per_page)
    _footer(pdf, layout.footer, facts["title"], number)
    size = SIZES[per_page]
    cut = []
    for board, cell in zip(boards, layout.cells, strict=False):
        _picture(pdf, out, board, cell)
        _strip(pdf, board, cell.strip, size)
        drawn, left = draw_text(pdf, cell.text, paragraphs(board), size)
        if left:
            cut.append((board, drawn, left))
    return cut


def _header(
    pdf: PdfWriter, box: Rect, boards: tuple[Board, ...], facts: dict[str, str],
    number: tuple[int, int], per_page: int,
) -> None:  # fmt: skip
    line_text(pdf, box.x, box.y + 15, facts["title"], 15, INK, bold=True)
    scenes = " / ".join(dict.fromkeys(b.scene_title for b in boards))
    first = (number[0] - 1) * per_page + 1
    fields = [
        f"Scene: {scenes}" if scenes else "",
        f"Boards {first}{EN_DASH}{first + len(boards) - 1} of {facts['boards']}" if boards else "",
        f"Shots: {facts['shots']}",
        f"Running time: {facts['running_time']}",
        f"Aspect ratio: {facts['aspect']}",
        f"Draft: {facts['draft']}" if facts["draft"] else "",
    ]
    text = "   ·   ".join(f for f in fields if f)
    for n, line in enumerate(wrap(text, box.width, lambda t: pdf.text_width(t, 8))[:2]):
        pdf.text(box.x, box.y + 29 + n * 10, line, 8, MUTED)
    pdf.rect(Rect(box.x, box.bottom - 5, box.width, 0.6), fill=RULE)


def _footer(pdf: PdfWriter, box: Rect, title: str, number: tuple[int, int]) -> None:
    baseline = box.bottom - 2
    pdf.text(box.x, baseline, f"{title} · storyboard", 7, MUTED)
    page = f"{number[0]} / {number[1]}"
    pdf.text(box.right - pdf.text_width(page, 7), baseline, page, 7, MUTED)


def _picture(pdf: PdfWriter, out: Path, board: Board, cell: BoardCell) -> None:
    if board.new_shot:
        bottom = max(cell.strip.bottom, cell.frame.bottom)
        pdf.rect(Rect(cell.frame.x - 5, cell.frame.y, 2.5, bottom - cell.frame.y), fill=ACCENT)
    if cell.image.width < cell.frame.width - 0.5 or cell.image.height < cell.frame.height - 0.5:
        pdf.rect(cell.frame, fill=FRAME_BG)
    if board.ok and board.image is not None:
        data = (out / board.image.path).read_bytes()
        pdf.image(data, cell.image, cell.image, alt_text=board.caption or board.step_id)
        pdf.rect(cell.image, stroke=INK, width=0.6)
    else:
        _empty(pdf, cell.image, board)


def _empty(pdf: PdfWriter, box: Rect, board: Board) -> None:
    """A marked empty frame: pale red, crossed, with the status and the reason."""
    pdf.rect(box, fill=(251, 236, 234), stroke=BAD, width=1.0)
    corners = ((box.x, box.y), (box.right, box.bottom)), ((box.right, box.y), (box.x, box.bottom))
    for a, b in corners:
        pdf.shape([a, b], stroke=(236, 180, 175), width=0.5)
    word = board.status.upper()
    size = max(6.0, min(11.0, box.height / 6))
    middle = box.y + box.height / 2
    pdf.rect(Rect(box.x + 4, middle - size * 1.3, box.width - 8, size * 3.4), fill=(251, 236, 234))
    line_text(pdf, box.x + (box.width - pdf.text_width(word, size)) / 2, middle, word, size, BAD,
              bold=True)  # fmt: skip
    reason = wrap(board.reason, box.width - 10, lambda t: pdf.text_width(t, size * 0.7))[:2]
    for n, text in enumerate(reason):
        x = box.x + (box.width - pdf.text_width(text, size * 0.7)) / 2
        pdf.text(x, middle + size * (1.1 + 0.9 * n), text, size * 0.7, BAD)


def _strip(pdf: PdfWriter, board: Board, box: Rect, size: float) -> None:
    baseline = box.y + size + 2
    line_text(pdf, box.x, baseline, board.label, size, ACCENT if board.new_shot else INK, True)
    duration = f"{board.duration:g} s"
    right = box.right - pdf.text_width(duration, size)
    pdf.text(right, baseline, duration, size, INK)
    facts = " · ".join(f for f in ((board.shot or "").upper(), board.camera or "") if f)
    x = box.x + pdf.text_width(board.label, size) + size * 0.8
    room = right - x - size
    while facts and pdf.text_width(facts, size) > room:
        facts = facts[:-2] + "…"
    if facts and facts != "…":
        pdf.text(x, baseline, facts, size, MUTED)
