"""Offline storyboard sketches: one framed, labelled preview picture per generation step."""

from __future__ import annotations

import colorsys
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from storyforge.render import scenes
from storyforge.render.paint import INK, PAPER, RGB, lighter, pill
from storyforge.render.sketch_layout import SketchLayout, sketch_layout
from storyforge.render.strip import draw_strip
from storyforge.render.text import draw_lines, fit_line, font, wrap

KIND_COLORS: dict[str, RGB] = {
    "sheet": scenes.SHEET_COLOR, "panel": (52, 110, 170), "edit": scenes.EDIT_COLOR,
    "fuse": scenes.FUSE_COLOR,
}  # fmt: skip
_SHOTS = (
    "extreme close-up", "close-up", "closeup", "close up", "over-the-shoulder",
    "over the shoulder", "extreme wide", "establishing", "wide", "long shot", "full shot",
    "medium", "two-shot", "bird's-eye", "low angle", "high angle",
)  # fmt: skip
# Phrases of the built-in templates and input labels that name who and where.
_CHARACTER_LABEL = re.compile(r"(?:character sheet|reference photo) of ([^,;:()]+)", re.IGNORECASE)
_CHARACTERS = re.compile(r"\bCharacters: ([^.\n]+)")
_SETTING = re.compile(r"\bSetting: ([^,.;\n]+)")
_SHEET = re.compile(r"\bcharacter sheet of ([^,.;\n]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SketchSpec:
    """Everything a sketch shows; the same spec always draws the same bytes."""

    width: int
    height: int
    title: str  # the step id
    kind: str  # sheet | panel | edit | fuse
    prompt: str  # drawn wrapped at the bottom, cut with an ellipsis when long
    shot: str | None = None  # e.g. "wide", "close-up", "over-the-shoulder"
    figures: tuple[tuple[str, RGB], ...] = ()  # (name, colour) per character
    tint: RGB = (236, 232, 222)  # background tint from the location
    location: str | None = None
    thumbnails: tuple[tuple[str, bytes], ...] = ()  # (label, image bytes) of the inputs given
    # Takes of one request differ by this (0: the plain drawing), so picking can be
    # rehearsed offline: the place is drawn from another seed, mirrored on odd variants.
    variant: int = 0
    variant_label: str = ""  # shown on the picture, e.g. "TAKE 2" or "SEED 12"


def render_sketch(spec: SketchSpec) -> bytes:
    """Draw the sketch at exactly `spec.width` x `spec.height` and return it as PNG bytes."""
    layout = sketch_layout(spec.width, spec.height, len(spec.thumbnails))
    canvas = Image.new("RGB", (spec.width, spec.height), PAPER)
    draw = ImageDraw.Draw(canvas)
    _draw_header(draw, layout, spec)
    canvas.paste(_scene(spec, layout), layout.scene[:2])
    for inset in range(layout.border):
        frame = layout.frame
        draw.rectangle((frame[0] + inset, frame[1] + inset, frame[2] - 1 - inset,
                        frame[3] - 1 - inset), outline=INK)  # fmt: skip
    _draw_badges(draw, layout, spec)
    draw_strip(canvas, layout, spec.thumbnails)
    _draw_prompt(draw, layout, spec.prompt)
    out = io.BytesIO()
    # No optimize pass and no metadata: the same spec gives the same bytes.
    canvas.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


def spec_from_text(
    width: int, height: int, text: str, images: Sequence[tuple[str, bytes]], variant: int = 0
) -> SketchSpec:
    """A spec from a bare request (prompt and labelled images), guessing what hints would say.

    Characters come from the prompt's "Characters:" clause and from image labels such as
    "character sheet of Mara"; the place from its "Setting:" clause; tint and shot from the
    text. The same text always gives the same spec.
    """
    lowered = text.lower()
    shot = next((word for word in _SHOTS if word in lowered), None)
    setting = _SETTING.search(text)
    location = setting.group(1).strip() if setting else None
    names = _character_names(text, images)
    kind = "panel"
    if not images and (sheet := _SHEET.search(text)):
        kind, names = "sheet", [sheet.group(1).strip()]
    elif images and re.search(r"\bedit\b", lowered):
        kind = "edit"
    elif len(images) > 1 and re.search(r"\b(combine|fuse|merge)", lowered):
        kind = "fuse"
    figures = tuple((name, _hue_color(name, 0.5, 0.55)) for name in names)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return SketchSpec(
        width, height, f"sketch-{digest[:8]}", kind, text, shot, figures,
        _hue_color(location or text, 0.84, 0.35), location, tuple(images), variant,
        f"SEED {variant - 1}" if variant else "",
    )  # fmt: skip


def _character_names(text: str, images: Sequence[tuple[str, bytes]]) -> list[str]:
    names: list[str] = []
    if clause := _CHARACTERS.search(text):
        names += [part.split(",")[0].strip() for part in clause.group(1).split(";")]
    names += [m.group(1).strip() for label, _ in images if (m := _CHARACTER_LABEL.search(label))]
    return [name for name in dict.fromkeys(names) if name]


def _hue_color(seed: str, lightness: float, saturation: float) -> RGB:
    hue = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:2], "big") / 65536
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
    return round(red * 255), round(green * 255), round(blue * 255)


def _scene(spec: SketchSpec, layout: SketchLayout) -> Image.Image:
    left, top, right, bottom = layout.scene
    size = (max(1, right - left), max(1, bottom - top))
    seed = (spec.location or spec.title) + (f"#{spec.variant}" if spec.variant else "")
    if spec.kind == "sheet":
        image = scenes.sheet_scene(size, spec.title, spec.figures)
    elif spec.kind == "edit" and spec.thumbnails:
        image = scenes.edit_scene(size, spec.tint, spec.thumbnails[0][1])
    elif spec.kind == "fuse" and spec.thumbnails:
        image = scenes.fuse_scene(size, spec.tint, spec.thumbnails)
    else:
        image = scenes.panel_scene(size, spec.tint, spec.shot, spec.figures, seed)
    return image.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if spec.variant % 2 else image


def _draw_header(draw: ImageDraw.ImageDraw, layout: SketchLayout, spec: SketchSpec) -> None:
    left, top, right, bottom = layout.header
    draw.rectangle((left, top, right - 1, bottom - 1), fill=INK)
    height = bottom - top
    face = font(round(height * 0.5))
    small = font(round(height * 0.36))
    pad = round(height * 0.3)
    kind_box = pill(draw, (pad, round(height * 0.18)), spec.kind.upper(), small,
                    KIND_COLORS.get(spec.kind, (110, 110, 120)))  # fmt: skip
    where = f"{spec.location}  ·  {spec.width}x{spec.height}" if spec.location else (
        f"{spec.width}x{spec.height}")  # fmt: skip
    where = fit_line(where, small, (right - left) * 0.4)
    where_w = small.getlength(where)
    draw.text((right - pad, height / 2), where, font=small, fill=(170, 172, 180), anchor="rm")
    room = right - pad * 3 - where_w - kind_box[2]
    title = fit_line(spec.title, face, room)
    white = (255, 255, 255)
    stroke = max(1, int(face.size) // 28)
    draw.text((kind_box[2] + pad, height / 2), title, font=face, fill=white, anchor="lm",
              stroke_width=stroke, stroke_fill=white)  # fmt: skip


def _draw_badges(draw: ImageDraw.ImageDraw, layout: SketchLayout, spec: SketchSpec) -> None:
    face = font(round(layout.unit * 3.2))
    pad = round(layout.unit * 2)
    x, y = layout.scene[0] + pad, layout.scene[1] + pad
    marker = {"edit": "EDIT", "fuse": "FUSE", "sheet": "CHARACTER SHEET"}.get(spec.kind)
    if marker:
        x = pill(draw, (x, y), marker, font(round(layout.unit * 3.6)), KIND_COLORS[spec.kind])[2]
        x += pad // 2
    if spec.shot and spec.kind != "sheet":
        pill(draw, (x, y), spec.shot.upper(), face, INK, max_width=layout.scene[2] - x - pad)
    if spec.variant_label:
        low = layout.scene[3] - pad - round(layout.unit * 5)
        pill(draw, (layout.scene[0] + pad, low), spec.variant_label, face, (150, 60, 40))


def _draw_prompt(draw: ImageDraw.ImageDraw, layout: SketchLayout, prompt: str) -> None:
    left, top, right, bottom = layout.prompt
    draw.rectangle((left, top, right - 1, bottom - 1), fill=lighter((226, 222, 212), 0.3))
    draw.line([(left, top), (right, top)], fill=(200, 196, 186), width=max(1, layout.border // 2))
    face = font(layout.text_size)
    pad = round(layout.unit * 1.6)
    lines = wrap(prompt, face, right - left - 2 * pad, layout.prompt_lines)
    draw_lines(draw, (left + pad, top + pad), lines, face, (52, 52, 60))
