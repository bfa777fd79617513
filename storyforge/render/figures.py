"""Characters as simple figures (head and body in their colour), placed on the frame by shot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from PIL import ImageDraw

from storyforge.render.paint import RGB, darker, lighter, pill
from storyforge.render.text import font

View = Literal["front", "three-quarter", "side", "back"]
ShotClass = Literal["wide", "full", "medium", "close", "extreme", "ots"]

# First match wins, so the specific phrases come before the words they contain.
_SHOT_WORDS: tuple[tuple[tuple[str, ...], ShotClass], ...] = (
    (("extreme close", "extreme-close", "ecu", "macro"), "extreme"),
    (("over-the-shoulder", "over the shoulder", "ots"), "ots"),
    (("close", "cu"), "close"),
    (("wide", "establishing", "long", "aerial", "bird", "panoram", "ws"), "wide"),
    (("full",), "full"),
)
# Figure height and head top as fractions of the frame height, per shot.
_SCALE: dict[ShotClass, tuple[float, float]] = {
    "wide": (0.30, 0.5), "full": (0.76, 0.15), "medium": (1.55, 0.16),
    "close": (3.4, 0.12), "extreme": (5.6, -0.14), "ots": (2.2, 0.14),
}  # fmt: skip
HEAD = 0.19  # head diameter as a fraction of figure height


@dataclass(frozen=True, slots=True)
class Placement:
    """One figure on the frame: where its head starts, how tall it is and which way it faces."""

    name: str
    color: RGB
    cx: float
    head_top: float
    height: float  # the whole figure, head to feet, even when the frame cuts it
    view: View = "front"
    facing: int = 1  # 1 looks right, -1 left (for three-quarter and side views)
    tag: str = ""  # text of the name tag; defaults to the name


def shot_class(shot: str | None) -> ShotClass:
    """The kind of framing a free-text shot name asks for ("medium" when unknown)."""
    words = (shot or "").lower()
    tokens = set(words.replace("-", " ").replace("/", " ").split())
    for keys, cls in _SHOT_WORDS:
        if any((key in tokens) if len(key) <= 3 else (key in words) for key in keys):
            return cls
    return "medium"


def arrange(
    shot: str | None, figures: tuple[tuple[str, RGB], ...], size: tuple[int, int]
) -> list[Placement]:
    """Place each figure on a frame of `size` the way the shot frames it."""
    width, height = size
    cls = shot_class(shot)
    if not figures:
        return []
    if cls == "ots":
        return _over_shoulder(figures, size)
    tall, top = _SCALE[cls]
    count = len(figures)
    # Heads never grow wider than their share of the frame, so a crowd still fits.
    figure_h = min(tall * height, 0.8 * width / count / HEAD)
    spread = min(0.62, 0.3 * (count - 1)) if cls in {"wide", "full"} else 0.8 * (count - 1) / count
    places = []
    for index, (name, color) in enumerate(figures):
        offset = (index / (count - 1) - 0.5) * spread if count > 1 else 0.0
        facing = 1 if offset <= 0 else -1
        view: View = "front" if count == 1 else "three-quarter"
        places.append(
            Placement(name, color, width * (0.5 + offset), top * height, figure_h, view, facing)
        )
    return places


def _over_shoulder(figures: tuple[tuple[str, RGB], ...], size: tuple[int, int]) -> list[Placement]:
    width, height = size
    (name, color), others = figures[0], figures[1:]
    places = []
    for index, (other, other_color) in enumerate(others):
        cx = width * (0.62 + 0.18 * index / max(1, len(others) - 1))
        places.append(Placement(other, other_color, cx, 0.16 * height, 2.0 * height,
                                "three-quarter", -1))  # fmt: skip
    # The shoulder we look over is drawn last: it is nearest the camera.
    places.append(Placement(name, color, width * 0.22, 0.3 * height, 2.6 * height, "back"))
    return places


def turnaround(name: str, color: RGB, size: tuple[int, int]) -> list[Placement]:
    """A character sheet: the same figure from the front, three-quarter and side."""
    width, height = size
    views: tuple[tuple[View, str, float], ...] = (
        ("front", "FRONT", 0.2), ("three-quarter", "3/4", 0.5), ("side", "SIDE", 0.8),
    )  # fmt: skip
    figure_h = min(0.64 * height, 0.3 * width / HEAD / 1.6)
    top = 0.86 * height - figure_h
    return [Placement(name, color, width * x, top, figure_h, view, 1, f"{name} - {label}")
            for view, label, x in views]  # fmt: skip


def draw_figure(draw: ImageDraw.ImageDraw, place: Placement) -> None:
    """Draw one figure: legs, arms, torso, then the head with eyes showing where it looks."""
    h, cx, top = place.height, place.cx, place.head_top
    body = darker(place.color, 0.25) if place.view == "back" else place.color
    line = darker(place.color, 0.55)
    stroke = min(4, max(1, round(h * 0.006)))
    narrow = {"front": 1.0, "three-quarter": 0.8, "side": 0.5, "back": 1.0}[place.view]
    shoulder_w, hip_w = 0.34 * h * narrow, 0.26 * h * narrow
    shoulder_y, hip_y, feet_y = top + HEAD * h * 1.08, top + 0.52 * h, top + h
    limb = darker(place.color, 0.3)
    for side in (-1, 1):
        leg_x = cx + side * 0.065 * h * narrow
        draw.rounded_rectangle((leg_x - 0.05 * h, hip_y - 0.02 * h, leg_x + 0.05 * h, feet_y),
                               radius=0.03 * h, fill=limb, outline=line, width=stroke)  # fmt: skip
        # Seen from the side, one arm hangs in front of the body and hides the other.
        arm_x = cx if place.view == "side" else cx + side * (shoulder_w / 2 - 0.02 * h)
        draw.rounded_rectangle((arm_x - 0.04 * h, shoulder_y + 0.01 * h, arm_x + 0.04 * h,
                                top + 0.56 * h), radius=0.04 * h, fill=limb, outline=line,
                               width=stroke)  # fmt: skip
    corner = 0.06 * h
    draw.polygon(
        [(cx - shoulder_w / 2, shoulder_y + corner), (cx - shoulder_w / 2 + corner, shoulder_y),
         (cx + shoulder_w / 2 - corner, shoulder_y), (cx + shoulder_w / 2, shoulder_y + corner),
         (cx + hip_w / 2, hip_y), (cx - hip_w / 2, hip_y)],
        fill=body, outline=line, width=stroke,
    )  # fmt: skip
    _draw_head(draw, place, line, stroke)


def _draw_head(draw: ImageDraw.ImageDraw, place: Placement, line: RGB, stroke: int) -> None:
    d, cx, top = HEAD * place.height, place.cx, place.head_top
    box = (cx - d / 2, top, cx + d / 2, top + d)
    hair = darker(place.color, 0.45)
    if place.view == "back":
        draw.ellipse(box, fill=hair, outline=line, width=stroke)
        return
    skin = lighter(place.color, 0.6)
    draw.ellipse(box, fill=skin, outline=line, width=stroke)
    draw.chord(box, 205, 335, fill=hair)
    if place.view in {"three-quarter", "side"}:
        base = cx + place.facing * d * (0.46 if place.view == "side" else 0.28)
        tip = base + place.facing * d * (0.14 if place.view == "side" else 0.08)
        nose = [(base, top + d * 0.44), (tip, top + d * 0.63), (base, top + d * 0.67)]
        draw.polygon(nose, fill=skin)
        draw.line(nose, fill=line, width=stroke)
    eye_r, eye_y = max(1.0, d * 0.045), top + d * 0.5
    shift = {"front": 0.0, "three-quarter": 0.14, "side": 0.3}[place.view] * place.facing * d
    spacing = {"front": 0.36, "three-quarter": 0.28, "side": 0.0}[place.view] * d
    for eye_x in sorted({cx + shift - spacing / 2, cx + shift + spacing / 2}):
        draw.ellipse((eye_x - eye_r, eye_y - eye_r, eye_x + eye_r, eye_y + eye_r), fill=line)


def draw_tag(draw: ImageDraw.ImageDraw, place: Placement, size: tuple[int, int]) -> None:
    """The figure's name in a badge of its colour, under its feet or at the frame's bottom."""
    width, height = size
    face = font(round(max(12, min(width, height) * 0.032)))
    label = place.tag or place.name
    tag_w = face.getlength(label) + face.size * 1.2
    tag_h = face.size * 1.8
    x = min(max(place.cx - tag_w / 2, 4), width - tag_w - 4)
    y = min(place.head_top + place.height + face.size * 0.4, height - tag_h - face.size * 0.5)
    pill(draw, (round(x), round(y)), label, face, place.color, max_width=width - 8,
         outline=(255, 255, 255))  # fmt: skip
