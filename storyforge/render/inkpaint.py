"""Ink primitives painted with Pillow: shapes supersampled per balloon, text at full size."""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image, ImageDraw

from storyforge.render.ink import Dashes, Primitive, Shape, Words
from storyforge.render.text import font

SUPERSAMPLE = 4  # Pillow's polygons are not anti-aliased: draw large, then scale down


def paint(page: Image.Image, primitives: Sequence[Primitive], scale: float) -> None:
    """Paint primitives (in points) onto an RGB page at `scale` pixels per point."""
    shapes = [p for p in primitives if not isinstance(p, Words)]
    if shapes:
        _paint_shapes(page, shapes, scale)
    draw = ImageDraw.Draw(page)
    for word in (p for p in primitives if isinstance(p, Words)):
        stroke = round(word.outline[1] * scale) if word.outline else 0
        draw.text(
            (word.x * scale, word.baseline * scale), word.text, font=font(round(word.size * scale)),
            fill=word.color, anchor="ls", stroke_width=stroke,
            stroke_fill=word.outline[0] if word.outline else None,
        )  # fmt: skip


def _paint_shapes(page: Image.Image, shapes: Sequence[Shape | Dashes], scale: float) -> None:
    left, top, right, bottom = _bounds(shapes, page.size, scale)
    if right <= left or bottom <= top:
        return
    k = scale * SUPERSAMPLE
    size = ((right - left) * SUPERSAMPLE, (bottom - top) * SUPERSAMPLE)
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    shift = (left * SUPERSAMPLE, top * SUPERSAMPLE)

    def at(point: tuple[float, float]) -> tuple[float, float]:
        return (point[0] * k - shift[0], point[1] * k - shift[1])

    for shape in shapes:
        if isinstance(shape, Dashes):
            for a, b in shape.segments:
                draw.line([at(a), at(b)], fill=shape.color, width=max(1, round(shape.width * k)))
            continue
        points = [at(p) for p in shape.points]
        if shape.stroke is not None and shape.width > 0:
            width = max(1, round(shape.width * k))
            draw.line(
                [*points, points[0], points[1]], fill=shape.stroke, width=width, joint="curve"
            )
        if shape.fill is not None:
            draw.polygon(points, fill=shape.fill)
    # Premultiplied, so the transparent black around a shape does not darken its edges.
    small = layer.convert("RGBa").resize((right - left, bottom - top), Image.Resampling.LANCZOS)
    small = small.convert("RGBA")
    page.paste(small.convert("RGB"), (left, top), small.getchannel("A"))


def _bounds(shapes: Sequence[Shape | Dashes], size: tuple[int, int],
            scale: float) -> tuple[int, int, int, int]:  # fmt: skip
    xs: list[float] = []
    ys: list[float] = []
    reach = 0.0
    for shape in shapes:
        points = (
            shape.points if isinstance(shape, Shape) else [p for s in shape.segments for p in s]
        )
        xs += [p[0] for p in points]
        ys += [p[1] for p in points]
        reach = max(reach, shape.width)
    if not xs:
        return (0, 0, 0, 0)
    margin = reach + 1
    return (
        max(0, int((min(xs) - margin) * scale)), max(0, int((min(ys) - margin) * scale)),
        min(size[0], int((max(xs) + margin) * scale) + 1),
        min(size[1], int((max(ys) + margin) * scale) + 1),
    )  # fmt: skip
