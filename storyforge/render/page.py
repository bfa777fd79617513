"""A comic page drawn with Pillow: panels cover-cropped into their cells, borders, lettering."""

from __future__ import annotations

import io
from dataclasses import dataclass

import PIL
from PIL import Image, ImageDraw, features

from storyforge.render.geometry import PageBoxes, Rect, cover_crop, pt_to_px
from storyforge.render.ink import INK, PAPER, Primitive
from storyforge.render.inkpaint import paint
from storyforge.render.text import fit_line, font

EMPTY: tuple[int, int, int] = (226, 226, 226)  # a panel with no image yet


@dataclass(frozen=True, slots=True)
class PanelArt:
    """One panel on a page: where its art goes and what frames it."""

    frame: Rect  # the art's rectangle in points (past the trim when the panel bleeds)
    image: bytes | None  # the selected take as received, or None when there is none
    focus: tuple[float, float]  # the crop's focal point, 0..1 of the image
    bordered: bool  # bleeding panels have no border
    label: str  # shown in an empty frame: the panel id and why it is empty


@dataclass(frozen=True, slots=True)
class PageArt:
    """Everything one page shows."""

    boxes: PageBoxes
    dpi: int
    border: float  # points
    panels: tuple[PanelArt, ...]
    ink: tuple[Primitive, ...]  # the lettering, in drawing order


def render_page(page: PageArt) -> bytes:
    """The page as PNG bytes, at its dpi, covering the media box (trim plus bleed)."""
    scale = page.dpi / 72
    media = page.boxes.media
    size = (round(pt_to_px(media.width, page.dpi)), round(pt_to_px(media.height, page.dpi)))
    canvas = Image.new("RGB", size, PAPER)
    for panel in page.panels:
        _panel(canvas, panel, scale)
    draw = ImageDraw.Draw(canvas)
    for panel in page.panels:
        if panel.bordered and page.border > 0:
            width = max(1, round(page.border * scale))
            draw.rectangle(_px(panel.frame, scale), outline=INK, width=width)
    paint(canvas, page.ink, scale)
    out = io.BytesIO()
    canvas.save(out, "PNG", optimize=False)
    return out.getvalue()


def toolchain() -> dict[str, str | None]:
    """The versions that decide a page's pixels (text metrics differ between builds)."""
    return {
        "pillow": PIL.__version__,
        "freetype2": features.version("freetype2"),
        "raqm": features.version("raqm"),
    }


def _panel(canvas: Image.Image, panel: PanelArt, scale: float) -> None:
    box = _px(panel.frame, scale)
    width, height = box[2] - box[0], box[3] - box[1]
    if width <= 0 or height <= 0:
        return
    if panel.image is None:
        _empty(canvas, box, panel.label, scale)
        return
    with Image.open(io.BytesIO(panel.image)) as source:
        picture = source.convert("RGB")
    crop = cover_crop(picture.width, picture.height, width / height, panel.focus)
    region = (crop.x, crop.y, crop.right, crop.bottom)
    canvas.paste(picture.resize((width, height), Image.Resampling.LANCZOS, box=region), box[:2])


def _empty(canvas: Image.Image, box: tuple[int, int, int, int], label: str, scale: float) -> None:
    draw = ImageDraw.Draw(canvas)
    draw.rectangle(box, fill=EMPTY)
    face = font(round(9 * scale))
    text = fit_line(label, face, (box[2] - box[0]) * 0.9)
    center = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    draw.text(center, text, font=face, fill=(120, 120, 120), anchor="mm")


def _px(rect: Rect, scale: float) -> tuple[int, int, int, int]:
    return rect.scaled(scale).as_box()
