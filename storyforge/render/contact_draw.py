"""Drawing the bands of a contact sheet's pages: page headers, scene headers and rows of cells."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

from storyforge.render.contact_layout import (
    BODY_SIZE,
    ID_SIZE,
    MARGIN,
    SCENE_SIZE,
    SUBTITLE_SIZE,
    TITLE_SIZE,
    Band,
    Cell,
)
from storyforge.render.contact_pages import SheetLayout
from storyforge.render.paint import (
    INK,
    PAPER,
    RGB,
    WHITE,
    Box,
    darker,
    hatch,
    lighter,
    pill,
)
from storyforge.render.text import Font, fit_line, font, line_height, wrap
from storyforge.render.thumbs import load_fitted

if TYPE_CHECKING:
    from storyforge.render.contact_panel import SheetPanel

STATUS_COLORS: dict[str, RGB] = {
    "ok": (40, 134, 84), "generated": (40, 134, 84), "cached": (52, 106, 168),
    "failed": (206, 36, 36),
    "blocked": (232, 112, 0), "skipped": (190, 120, 0), "pending": (120, 120, 132),
}  # fmt: skip
UNMARKED = (120, 120, 132)  # a frame whose image is missing though the step says it exists
SCENE_BAND: RGB = (38, 44, 58)
LETTERBOX: RGB = (232, 230, 224)
MUTED: RGB = (104, 104, 114)
_NO_PICTURE = {"failed", "blocked", "skipped"}


def draw_band(band: Band, layout: SheetLayout, panels: Sequence[SheetPanel]) -> Image.Image:
    """One band of the sheet as an RGB image the sheet's full width."""
    image = Image.new("RGB", (layout.width, band.height), PAPER)
    draw = ImageDraw.Draw(image)
    if band.kind == "title":
        _title(draw, band, layout.width)
    elif band.kind == "header":
        _header(draw, band, layout.width)
    elif band.kind == "scene":
        _scene(draw, band, layout.width)
    elif band.kind == "row":
        for cell in band.cells:
            _cell(image, draw, cell, panels[cell.index])
    return image


def _title(draw: ImageDraw.ImageDraw, band: Band, width: int) -> None:
    face, small = font(TITLE_SIZE), font(SUBTITLE_SIZE)
    draw.text((width - MARGIN, 52), "CONTACT SHEET", font=small, fill=MUTED, anchor="rs")
    room = width - 2 * MARGIN - small.getlength("CONTACT SHEET") - 40
    title = fit_line(band.heading or "Untitled story", face, room)
    draw.text((MARGIN, 46), title, font=face, fill=INK, stroke_width=1, stroke_fill=INK)
    y = 46 + TITLE_SIZE + 22
    draw.text((width - MARGIN, y), band.note, font=small, fill=INK, anchor="ra")
    room = width - 2 * MARGIN - small.getlength(band.note) - 40
    draw.text((MARGIN, y), fit_line(band.detail, small, room), font=small, fill=MUTED)
    draw.rectangle((MARGIN, band.height - 12, width - MARGIN, band.height - 9), fill=INK)


def _header(draw: ImageDraw.ImageDraw, band: Band, width: int) -> None:
    """The head of every page after the first: the story's title and where this page is."""
    face, small = font(SCENE_SIZE), font(SUBTITLE_SIZE)
    baseline = band.height - 36
    draw.text((width - MARGIN, baseline), band.note, font=small, fill=INK, anchor="rs")
    mark = "CONTACT SHEET  ·  "
    right = width - MARGIN - small.getlength(band.note)
    draw.text((right, baseline), mark, font=small, fill=MUTED, anchor="rs")
    room = right - small.getlength(mark) - MARGIN - 40
    title = fit_line(band.heading or "Untitled story", face, room)
    draw.text((MARGIN, baseline), title, font=face, fill=INK, anchor="ls", stroke_width=1,
              stroke_fill=INK)  # fmt: skip
    draw.rectangle((MARGIN, band.height - 12, width - MARGIN, band.height - 9), fill=INK)


def _scene(draw: ImageDraw.ImageDraw, band: Band, width: int) -> None:
    top, bottom = 26, band.height - 12
    draw.rounded_rectangle((MARGIN, top, width - MARGIN - 1, bottom), radius=10, fill=SCENE_BAND)
    face, small = font(SCENE_SIZE), font(SUBTITLE_SIZE)
    middle = (top + bottom) / 2
    label = pill(draw, (MARGIN + 18, round(middle - small.size * 0.9)), "SCENE", small,
                 lighter(SCENE_BAND, 0.2))  # fmt: skip
    note_w = small.getlength(band.note)
    draw.text((width - MARGIN - 22, middle), band.note, font=small, fill=(190, 194, 204),
              anchor="rm")  # fmt: skip
    x: float = label[2] + 16
    more = "(continued)" if band.continued else ""
    more_w = small.getlength(more) + 22 if more else 0
    heading = fit_line(band.heading, face, width - 2 * MARGIN - note_w - more_w - x)
    draw.text((x, middle), heading, font=face, fill=WHITE, anchor="lm", stroke_width=1,
              stroke_fill=WHITE)  # fmt: skip
    x += face.getlength(heading) + 22
    room = width - MARGIN - 44 - note_w - more_w - x
    if band.detail and room > 40:
        detail = fit_line(band.detail, face, room)
        draw.text((x, middle), detail, font=face, fill=(206, 210, 220), anchor="lm")
        x += face.getlength(detail) + 22
    if more:
        draw.text((x, middle), more, font=small, fill=(190, 194, 204), anchor="lm")


def _cell(image: Image.Image, draw: ImageDraw.ImageDraw, cell: Cell, panel: SheetPanel) -> None:
    left, top, right, bottom = cell.box
    draw.rectangle((left, top, right - 1, bottom - 1), fill=WHITE, outline=(214, 212, 204))
    _picture(image, draw, cell, panel)
    face, body = font(ID_SIZE), font(BODY_SIZE)
    inner_left, inner_right = cell.image_box[0], cell.image_box[2]
    y = cell.image_box[3] + 10
    color = STATUS_COLORS.get(panel.status, UNMARKED)
    badge = pill(draw, (inner_right, y), panel.status.upper(), font(BODY_SIZE - 4), color,
                 anchor_right=True)  # fmt: skip
    room = badge[0] - inner_left - 10
    ident = fit_line(panel.step_id, face, room)
    draw.text((inner_left, y), ident, font=face, fill=INK, stroke_width=1, stroke_fill=INK)
    shot_x = inner_left + face.getlength(ident) + 12
    if panel.shot and room - (shot_x - inner_left) > 30:
        shot = fit_line(panel.shot, body, room - (shot_x - inner_left))
        draw.text((shot_x, y + (ID_SIZE - BODY_SIZE)), shot, font=body, fill=MUTED)
    y += line_height(face) + 6
    for style, text in cell.lines:
        _line(draw, (inner_left, y), style, text, body)
        y += line_height(body)


def _line(
    draw: ImageDraw.ImageDraw, xy: tuple[int, int], style: str, text: str, face: Font
) -> None:
    if style == "caption":
        draw.text(xy, text, font=face, fill=(64, 64, 72))
        return
    speaker, colon, said = text.partition(": ")
    if style != "speaker" or not colon:
        draw.text((xy[0] + (12 if style == "continued" else 0), xy[1]), text, font=face, fill=INK)
        return
    # The speaker's name is set in heavier type so a line of dialogue reads like a script.
    draw.text(xy, speaker + ":", font=face, fill=INK, stroke_width=1, stroke_fill=INK)
    offset = face.getlength(speaker + ": ") + 2
    draw.text((xy[0] + offset, xy[1]), said, font=face, fill=INK)


def _picture(image: Image.Image, draw: ImageDraw.ImageDraw, cell: Cell, panel: SheetPanel) -> None:
    box = cell.image_box
    if panel.status in _NO_PICTURE:
        _empty_frame(image, draw, box, panel.status.upper(), panel.reason,
                     STATUS_COLORS[panel.status])  # fmt: skip
        return
    size = (box[2] - box[0], box[3] - box[1])
    picture = load_fitted(panel.image_path, size) if panel.image_path and cell.image else None
    if picture is None:
        word = "PENDING" if panel.status == "pending" else "NO IMAGE"
        reason = panel.reason or ("not built yet" if panel.status == "pending" else
                                  "the image file is missing or unreadable")  # fmt: skip
        _empty_frame(image, draw, box, word, reason, UNMARKED)
        return
    draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=LETTERBOX)
    image.paste(picture, (box[0] + (size[0] - picture.width) // 2,
                          box[1] + (size[1] - picture.height) // 2))  # fmt: skip


def _empty_frame(
    image: Image.Image, draw: ImageDraw.ImageDraw, box: Box, word: str, reason: str, color: RGB
) -> None:
    """A frame that cannot pass for a picture: hatched, bordered and labelled in `color`."""
    hatch(image, box, lighter(color, 0.9), lighter(color, 0.62), spacing=18, width=3)
    draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), outline=color, width=6)
    width = box[2] - box[0]
    big, small = font(min(48, max(20, width // 9))), font(BODY_SIZE)
    room = (box[3] - box[1] - big.size * 1.3 - 40) // line_height(small)
    lines = wrap(reason, small, width * 0.78, min(4, int(room))) if reason else []
    plate_h = round(big.size * 1.3) + len(lines) * line_height(small) + 24
    middle = (box[1] + box[3]) / 2
    plate = (box[0] + width * 0.08, middle - plate_h / 2, box[2] - width * 0.08,
             middle + plate_h / 2)  # fmt: skip
    draw.rounded_rectangle(plate, radius=10, fill=WHITE, outline=color, width=2)
    y = plate[1] + 12
    draw.text(((box[0] + box[2]) / 2, y), word, font=big, fill=color, anchor="mt",
              stroke_width=1, stroke_fill=color)  # fmt: skip
    y += round(big.size * 1.3)
    for line in lines:
        draw.text(
            ((box[0] + box[2]) / 2, y), line, font=small, fill=darker(color, 0.35), anchor="mt"
        )
        y += line_height(small)
