"""Lettering geometry with exact measures: in the live area, no overlaps, tails, order, rtl."""

from __future__ import annotations

import io
import itertools
import math

import pytest
from PIL import Image

from storyforge.render.balloons import TAIL_REACH, TextBlock, body_size, rim_point
from storyforge.render.geometry import PAGE_PRESETS, Rect, layout_cells, page_boxes
from storyforge.render.ink import balloon_ink
from storyforge.render.lettering import (
    LineSpec,
    letter_panel,
    speaker_point,
    type_sizes,
)
from storyforge.render.measure import measure_text
from storyforge.render.page import PageArt, PanelArt, render_page
from storyforge.render.placement import follows

BOXES = page_boxes(PAGE_PRESETS["us-comic"])
LIVE = BOXES.live
SIZES = type_sizes(LIVE.width)


def measure(text: str, size: float, width: float) -> TextBlock:
    """Every character half an em wide; greedy wrap at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and (len(lines[-1]) + 1 + len(word)) * size / 2 <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return TextBlock(tuple(lines), tuple(len(x) * size / 2 for x in lines), size, size * 1.2)


def _cell() -> Rect:
    return layout_cells([[1], [1, 1]], LIVE, 9)[0]


def _lines(cell: Rect) -> list[LineSpec]:
    mara, tomas = speaker_point(cell, 0, 2), speaker_point(cell, 1, 2)
    return [
        LineSpec("caption", "Every night for thirty years."),
        LineSpec("speech", "My father's boat hasn't come back.", target=tomas),
        LineSpec("speech", "Then we'll show him the way.", target=mara),
        LineSpec("thought", "Not again.", target=mara),
        LineSpec("whisper", "Will he see it?", target=tomas),
        LineSpec("sfx", "KRAK", at="bottom-right"),
    ]


def test_type_sizes_scale_with_the_live_area() -> None:
    assert SIZES["speech"] == 8.0
    assert type_sizes(LIVE.width * 1.5)["caption"] == pytest.approx(7.5 * 1.5)


def test_balloons_inside_the_live_area_and_never_overlapping() -> None:
    cell = _cell()
    result = letter_panel(cell, LIVE, _lines(cell), SIZES, measure, border=1.5)
    assert result.troubles == ()
    assert [b.index for b in result.balloons] == [0, 1, 2, 3, 4, 5]
    for balloon in result.balloons:
        assert LIVE.contains(balloon.box)
        assert cell.contains(balloon.box)
    for a, b in itertools.combinations(result.balloons, 2):
        assert not a.box.overlaps(b.box), (a.text, b.text)


def test_balloon_sized_to_its_text_at_the_one_size_of_its_kind() -> None:
    cell = _cell()
    result = letter_panel(cell, LIVE, _lines(cell), SIZES, measure)
    for balloon in result.balloons:
        assert balloon.block.size == SIZES[balloon.kind]
        assert (balloon.box.width, balloon.box.height) == pytest.approx(
            body_size(balloon.kind, balloon.block)
        )
        assert " ".join(balloon.block.lines) == balloon.text  # never cut or squeezed


def test_tails_point_at_their_target_and_end_short_of_it() -> None:
    cell = _cell()
    lines = _lines(cell)
    result = letter_panel(cell, LIVE, lines, SIZES, measure)
    tailed = [b for b in result.balloons if b.kind in {"speech", "whisper", "thought"}]
    assert len(tailed) == 4
    for balloon in tailed:
        assert balloon.tail is not None
        target = lines[balloon.index].target
        assert target is not None and balloon.tail.target == target
        rim = rim_point(balloon.box, target)
        tip = balloon.tail.tip
        # The tip lies on the segment from the rim to the target, 55 % of the way.
        assert math.dist(rim, tip) + math.dist(tip, target) == pytest.approx(math.dist(rim, target))
        assert math.dist(rim, tip) == pytest.approx(TAIL_REACH * math.dist(rim, target))
    assert [b.tail for b in result.balloons if b.kind in {"caption", "sfx"}] == [None, None]


def test_reading_order_and_the_at_hint() -> None:
    cell = _cell()
    result = letter_panel(cell, LIVE, _lines(cell), SIZES, measure, border=1.5)
    dialogue = [b for b in result.balloons if b.kind not in {"sfx"}]
    for before, after in itertools.pairwise(dialogue):
        assert follows(after.box, before.box, "ltr"), (before.text, after.text)
    caption, sfx = result.balloons[0], result.balloons[-1]
    inner = cell.inset(0.75)
    assert (caption.box.x, caption.box.y) == pytest.approx((inner.x, inner.y))
    inside = cell.inset(0.75 + 5)
    assert (sfx.box.right, sfx.box.bottom) == pytest.approx((inside.right, inside.bottom))


def test_rtl_mirrors_speakers_and_balloon_order() -> None:
    cell = _cell()
    assert speaker_point(cell, 0, 2, "rtl") == pytest.approx(
        (cell.x + cell.width * 0.75, speaker_point(cell, 0, 2)[1])
    )
    lines = [LineSpec("caption", "One."), LineSpec("speech", "Two words here.")]
    ltr = letter_panel(cell, LIVE, lines, SIZES, measure, "ltr")
    rtl = letter_panel(cell, LIVE, lines, SIZES, measure, "rtl")
    axis = cell.center[0]
    for a, b in zip(ltr.balloons, rtl.balloons, strict=True):
        assert b.box.x == pytest.approx(2 * axis - a.box.right)
        assert b.box.y == pytest.approx(a.box.y)
    assert rtl.balloons[0].box.right == pytest.approx(cell.inset(0).right)
    assert follows(rtl.balloons[1].box, rtl.balloons[0].box, "rtl")


def test_text_that_cannot_fit_is_a_trouble_not_a_squeeze() -> None:
    cell = Rect(LIVE.x, LIVE.y, 120, 60)
    long = " ".join(["lighthouse"] * 30)
    result = letter_panel(cell, LIVE, [LineSpec("speech", long)], SIZES, measure)
    assert result.balloons == ()
    (trouble,) = result.troubles
    assert trouble.index == 0
    assert "needs" in trouble.message and "lines but the panel has room for" in trouble.message
    assert "at 8 pt" in trouble.message


def test_no_room_beside_the_others_is_a_trouble() -> None:
    cell = Rect(LIVE.x, LIVE.y, 160, 60)
    lines = [LineSpec("speech", "Hello there friend.")] * 6
    result = letter_panel(cell, LIVE, lines, SIZES, measure)
    assert result.troubles and "no room" in result.troubles[-1].message
    for a, b in itertools.combinations(result.balloons, 2):
        assert not a.box.overlaps(b.box)


def test_real_fonts_wrap_within_the_width() -> None:
    block = measure_text("Then we'll show him the way.", 8, 60)
    assert len(block.lines) >= 2
    assert max(block.widths) <= 60


def _red_panel() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_page_pixels_paper_inside_ink_on_the_outline_art_outside() -> None:
    cell = _cell()
    line = LineSpec("speech", "Hello.", target=speaker_point(cell, 0, 1))
    (balloon,) = letter_panel(cell, LIVE, [line], SIZES, measure_text).balloons
    art = PageArt(BOXES, 288, 1.5, (PanelArt(cell, _red_panel(), (0.5, 0.5), True, "a"),),
                  tuple(balloon_ink(balloon)))  # fmt: skip
    with Image.open(io.BytesIO(render_page(art))) as page:
        rgb = page.convert("RGB")
        assert rgb.size == (round(BOXES.media.width * 4), round(BOXES.media.height * 4))
        box = balloon.box.scaled(4)  # 288 dpi: four pixels a point
        inside = (round(box.x + box.width * 0.12), round(box.center[1]))
        assert rgb.getpixel(inside) == (255, 255, 255)
        edge = (round(box.x - 1.4), round(box.center[1]))  # the outline lies just outside
        assert max(rgb.getpixel(edge)) < 100  # type: ignore[arg-type]
        outside = (round(cell.x * 4 + 16), round(cell.bottom * 4 - 16))
        assert rgb.getpixel(outside) == (200, 30, 30)
        assert rgb.getpixel((2, 2)) == (255, 255, 255)  # bleed area outside the panel
