"""Text in any script: every glyph drawn from a bundled font, never the missing-glyph box.

Tofu is found by pixels: a character drawn through the font chain is compared with the
missing-glyph box (.notdef) of every bundled font at the same size, and must have ink.
"""

from __future__ import annotations

import io
import pickle
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from storyforge.outputs.sheet_pages import render_contact_sheet
from storyforge.render.chainfont import NO_RAQM, ChainFont
from storyforge.render.contact_panel import SheetPanel
from storyforge.render.fontchain import (
    CHAIN,
    base_direction,
    coverage,
    font_path,
    split_runs,
    visual_runs,
)
from storyforge.render.sketch import SketchSpec, render_sketch
from storyforge.render.text import ELLIPSIS, fit_line, font, unsupported_scripts, wrap

SAMPLES = {
    "Latin": "Ça va, Zoë? Łódź, Ærø, Straße, Ñandú, Việt Nam",
    "Greek": "Καλημέρα κόσμε, Ωμέγα",
    "Cyrillic": "Привет, мир! Щука, Ёжик, Їжак",
    "CJK": "灯台守の物語、中文字幕，한국어 텍스트",  # noqa: RUF001 (a full-width comma)
    "Arabic": "مرحبا بالعالم، عاصفة أخرى",
    "Hebrew": "שלום עולם, סערה נוספת",
    "Devanagari": "नमस्ते दुनिया",
    "Thai": "สวัสดีชาวโลก",
    "Emoji": "😀 🎉 👍 ❤️ 🌊 ⚡ ✓ → ★",
}
NOWHERE = "\U0010fffd"  # private use, plane 16: no bundled font maps it
SIZE = 40


def clusters(text: str) -> Iterator[str]:
    """Visible characters with the marks, joiners and selectors that go with them."""
    current = ""
    for char in text:
        attached = unicodedata.category(char) in {"Mn", "Mc", "Me", "Cf"} or current.endswith(
            "\u200d"
        )
        if current and not attached:
            yield current
            current = ""
        current += char
    if current:
        yield current


def ink(face: ImageFont.FreeTypeFont, text: str) -> Image.Image:
    """The text drawn as callers draw it, cropped to its ink."""
    canvas = Image.new("L", (SIZE * (len(text) + 4), SIZE * 4))
    ImageDraw.Draw(canvas).text((SIZE, SIZE), text, font=face, fill=255)
    box = canvas.getbbox()
    return canvas.crop(box) if box else Image.new("L", (0, 0))


def same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and (a.size == (0, 0) or ImageChops.difference(a, b).getbbox() is None)


def members() -> list[ImageFont.FreeTypeFont]:
    return [ImageFont.truetype(str(font_path(i)), SIZE) for i in range(len(CHAIN))]


@pytest.fixture(scope="module")
def tofu() -> list[Image.Image]:
    """The missing-glyph box of every bundled font."""
    assert all(NOWHERE not in coverage(i) for i in range(len(CHAIN)))
    boxes = [ink(face, NOWHERE) for face in members()]
    assert all(box.getbbox() for box in boxes)  # a visible box, so it can be recognised
    return boxes


def is_tofu(glyph: Image.Image, boxes: list[Image.Image]) -> bool:
    return any(same(glyph, box) for box in boxes)


@pytest.mark.parametrize("script", SAMPLES)
def test_every_character_is_drawn_from_a_font_that_has_it(
    script: str, tofu: list[Image.Image]
) -> None:
    face = font(SIZE)
    for cluster in clusters(SAMPLES[script]):
        if cluster.isspace():
            continue
        glyph = ink(face, cluster)
        assert glyph.getbbox(), f"{script}: {cluster!r} drew nothing"
        assert not is_tofu(glyph, tofu), f"{script}: {cluster!r} drew the missing-glyph box"


def test_the_tofu_check_sees_a_missing_glyph(tofu: list[Image.Image]) -> None:
    # Tibetan is not bundled: the check must catch the box it is drawn as.
    assert is_tofu(ink(font(SIZE), "ཀ"), tofu)
    assert unsupported_scripts("Mara ཀ") == ["Tibetan"]


def columns_with_ink(image: Image.Image) -> list[bool]:
    return [bool(image.crop((x, 0, x + 1, image.height)).getbbox()) for x in range(image.width)]


def test_arabic_letters_join() -> None:
    joined = ink(font(SIZE), "ببببب")
    assert all(columns_with_ink(joined)), "joined letters leave no gap between them"
    # The same letters unshaped (what Pillow draws without raqm) stand apart, and wider.
    with pytest.warns(RuntimeWarning, match="libraqm is not available"):
        apart = ink(ChainFont(SIZE, ImageFont.Layout.BASIC), "ببببب")
    assert not all(columns_with_ink(apart))
    assert apart.width > joined.width * 1.5
    assert "raqm" in NO_RAQM


def test_without_raqm_left_to_right_scripts_still_fall_back_per_glyph(
    tofu: list[Image.Image],
) -> None:
    basic = ChainFont(SIZE, ImageFont.Layout.BASIC)
    for cluster in ["Zoë", "Καλη", "灯台", "한국", "😀", "→"]:
        glyph = ink(basic, cluster)
        assert glyph.getbbox() and not is_tofu(glyph, tofu), cluster
    assert basic.getlength("Zoë 灯台") == pytest.approx(
        font(SIZE).getlength("Zoë ") + font(SIZE).getlength("灯台"), abs=2
    )


def test_a_chain_font_survives_pickling_and_resizing() -> None:
    copy = pickle.loads(pickle.dumps(font(20)))
    assert isinstance(copy, ChainFont) and copy.getlength("灯台") == font(20).getlength("灯台")
    bigger = font(20).font_variant(size=40)
    assert isinstance(bigger, ChainFont) and bigger.getlength("灯台") == font(40).getlength("灯台")


def test_arabic_and_hebrew_read_right_to_left() -> None:
    # Alef, the tallest letter, is written first: it must end up at the right.
    arabic = ink(font(SIZE), "اببب")
    top = arabic.crop((0, 0, arabic.width, arabic.height // 4)).getbbox()
    assert top is not None and top[0] > arabic.width * 0.8
    # Yod, which floats above the baseline, is written first: nothing under it at the right.
    hebrew = ink(font(SIZE), "יששש")
    low = hebrew.crop((0, hebrew.height * 6 // 10, hebrew.width, hebrew.height)).getbbox()
    assert low is not None and low[2] < hebrew.width * 0.9 and low[0] < hebrew.width * 0.1


@pytest.mark.parametrize(
    ("text", "visual"),
    [
        ("Mara: مرحبا", [("Mara", False), (": ", False), ("مرحبا", True)]),
        ("שלום Mara!", [("!", True), ("Mara", False), (" ", True), ("שלום", True)]),
        (
            "Hi (שלום) there",
            [("Hi", False), (" (", False), ("שלום", True), (") ", False), ("there", False)],
        ),
    ],
)
def test_runs_are_ordered_as_the_bidi_algorithm_orders_them(
    text: str, visual: list[tuple[str, bool]]
) -> None:
    direction = "rtl" if text[0] in "שמ" or "\u0600" <= text[0] <= "\u06ff" else "ltr"
    assert [(run.text, rtl) for run, rtl in visual_runs(split_runs(text), direction)] == visual


def test_each_script_goes_to_its_own_font() -> None:
    runs = split_runs("Mara 灯台 مرحبا 😀")
    # A space stays with the run before it, so a phrase reaches the shaper whole.
    assert [(CHAIN[run.font].split("-")[0], run.text) for run in runs] == [
        ("NotoSans", "Mara "),
        ("NotoSansCJKjp", "灯台 "),
        ("NotoSansArabic", "مرحبا "),
        ("NotoEmoji", "😀"),
    ]
    # Emoji presentation (U+FE0F) picks the emoji font for a character a symbol font also has.
    assert CHAIN[split_runs("❤\ufe0f")[0].font] == "NotoEmoji-Regular.ttf"


@pytest.mark.parametrize("script", SAMPLES)
def test_no_bundled_script_is_reported_unsupported(script: str) -> None:
    assert unsupported_scripts(SAMPLES[script]) == []


def test_unsupported_scripts_are_named_once_in_order() -> None:
    text = "Tashi བཀྲ་ཤིས and ᠮᠣᠩᠭᠣᠯ, again བོད, then 𠀋 \U0010fffd"
    assert unsupported_scripts(text) == ["Tibetan", "Mongolian", "Han", "Private use"]
    assert unsupported_scripts("zero\u200dwidth\ufe0f joiners\t\n") == []


def test_long_text_wraps_in_any_script_and_nothing_is_lost() -> None:
    face = font(21)
    for text in (SAMPLES["CJK"] * 6, (SAMPLES["Arabic"] + " ") * 6, (SAMPLES["Latin"] + " ") * 6):
        lines = wrap(text, face, 300, 50)
        assert len(lines) > 2
        assert all(face.getlength(line) <= 300 for line in lines)
        joined = "".join(lines) if text.startswith("灯") else " ".join(lines)
        assert joined.replace(" ", "") == text.replace(" ", "")


def test_a_wrapped_line_keeps_its_paragraphs_direction() -> None:
    text = "HTTP 503: " + SAMPLES["Arabic"] + " " + SAMPLES["CJK"]
    lines = wrap(text, font(21), 180, 10)
    assert len(lines) > 2
    assert all(base_direction(line) == "ltr" for line in lines)
    assert "".join(lines).replace("\u200e", "").replace(" ", "") == text.replace(" ", "")
    # Without the mark the second line, which starts in Arabic, would read right to left.
    assert lines[1].startswith("\u200e") and base_direction(lines[1][1:]) == "rtl"
    assert wrap(SAMPLES["Hebrew"] * 3, font(21), 120, 10)[1][0] != "\u200f"


def test_cjk_lines_break_between_characters_but_not_before_closing_marks() -> None:
    lines = wrap("Mara: 灯台守の物語、中文字幕。" * 3, font(21), 200, 20)
    assert lines[0].startswith("Mara: 灯")  # the CJK text starts on the name's line
    assert not any(line[0] in "、。" for line in lines)


def test_text_is_cut_only_at_the_line_limit_and_never_inside_a_character() -> None:
    face = font(21)
    decomposed = "Cafe\u0301 " * 40
    lines = wrap(decomposed, face, 200, 2)
    assert len(lines) == 2 and lines[-1].endswith(ELLIPSIS)
    cut = fit_line("👨\u200d👩\u200d👧" * 30, face, 100)
    assert cut.endswith(ELLIPSIS)
    assert not cut[: -len(ELLIPSIS)].endswith("\u200d")
    assert unicodedata.category(fit_line(decomposed, face, 150)[-2]) != "Mn"


def recorded_runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every (font file, text) FreeType is asked to draw while the test runs."""
    drawn: list[tuple[str, str]] = []
    original = ImageFont.FreeTypeFont.getmask2

    def spy(self: ImageFont.FreeTypeFont, text: str, *args: object, **kwargs: object) -> object:
        drawn.append((str(self.path), text))
        return original(self, text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ImageFont.FreeTypeFont, "getmask2", spy)
    return drawn


def assert_no_tofu(drawn: list[tuple[str, str]], expected: list[str]) -> None:
    """Each character drawn is one its font has, and by pixels not that font's box."""
    faces = {
        str(font_path(i)): ImageFont.truetype(str(font_path(i)), SIZE) for i in range(len(CHAIN))
    }
    boxes = {path: ink(face, NOWHERE) for path, face in faces.items()}
    for path, text in drawn:
        for cluster in clusters(text):
            if cluster.isspace() or cluster in {"\u200e", "\u200f"}:  # direction marks
                continue
            glyph = ink(faces[path], cluster)
            assert glyph.getbbox() and not same(glyph, boxes[path]), (Path(path).name, cluster)
    shown = "".join(text for _, text in drawn)
    for word in expected:
        # Right-to-left runs reach FreeType in logical order, so every word is found whole.
        assert word in shown, f"{word!r} was not drawn as written"


WORDS = ["Zoë", "Καλημέρα", "Привет", "灯台守", "مرحبا", "שלום", "नमस्ते", "😀"]


def test_a_contact_sheet_in_six_scripts_has_no_tofu(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    panels = [
        SheetPanel(
            f"p{n}",
            "storm",
            "Буря — العاصفة — 嵐",
            "wide",
            caption,
            (("Zoë", said),),
            "failed",
            reason=f"HTTP 503: {caption}",
        )
        for n, (caption, said) in enumerate(
            [
                (SAMPLES["Latin"], SAMPLES["Greek"]),
                (SAMPLES["Cyrillic"], SAMPLES["CJK"]),
                (SAMPLES["Arabic"], SAMPLES["Hebrew"]),
                (SAMPLES["Devanagari"], SAMPLES["Emoji"]),
            ]
        )
    ]
    drawn = recorded_runs(monkeypatch)
    out = tmp_path / "contact_sheet.png"
    render_contact_sheet("Le Phare — Маяк — 灯台 — المنارة", panels, out)
    monkeypatch.undo()
    with Image.open(out) as page:
        assert page.size == (1654, 2339)
    assert_no_tofu(drawn, WORDS)


def test_a_sketch_in_six_scripts_has_no_tofu(monkeypatch: pytest.MonkeyPatch) -> None:
    prompt = " ".join(SAMPLES.values())
    spec = SketchSpec(
        1376,
        768,
        "p1-Ζωή",
        "panel",
        prompt,
        "wide",
        (("Zoë", (200, 120, 40)), ("مرحبا", (40, 120, 200))),
        location="灯台守",
    )
    drawn = recorded_runs(monkeypatch)
    image = Image.open(io.BytesIO(render_sketch(spec)))
    monkeypatch.undo()
    assert image.size == (1376, 768)
    assert_no_tofu(drawn, ["Zoë", "مرحبا", "灯台守", "Καλημέρα", "Привет"])


def test_every_bundled_font_is_in_the_chain_with_its_licence_beside_it() -> None:
    folder = font_path(0).parent
    assert sorted(p.name for p in folder.glob("*.[ot]tf")) == sorted(CHAIN)
    for name in CHAIN:
        licence = (folder / name).with_suffix(".OFL.txt").read_text(encoding="utf-8")
        assert "SIL OPEN FONT LICENSE Version 1.1" in licence
        assert licence.splitlines()[0]  # the font's own copyright line comes first
