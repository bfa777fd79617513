"""The sketch renderer and the sketch provider: geometry and sampled pixels, never PNG bytes."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from storyforge.capabilities import DEFAULT_MODEL, MODELS
from storyforge.providers.base import GenerateRequest, ImagePart, Outcome, Provider, SketchHints
from storyforge.providers.sketch import SketchProvider
from storyforge.render import scenes
from storyforge.render.paint import INK, lighter
from storyforge.render.sketch import SketchSpec, render_sketch, spec_from_text
from storyforge.render.sketch_layout import sketch_layout
from storyforge.render.text import ELLIPSIS, font, printable, wrap

MARA = ("Mara", (230, 190, 40))
TOM = ("Tom", (60, 120, 200))
TINT = (120, 170, 180)
GREEN = (10, 200, 30)


def solid(color: tuple[int, int, int], size: tuple[int, int] = (64, 48), fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def spec(**changes: object) -> SketchSpec:
    base: dict[str, object] = {
        "width": 1376, "height": 768, "title": "stairs", "kind": "panel",
        "prompt": "Mara climbs the spiral stairs at dusk", "shot": "wide",
        "figures": (MARA, TOM), "tint": TINT, "location": "lighthouse",
        "thumbnails": (("Image 1: character sheet of Mara", solid(GREEN)),),
    }  # fmt: skip
    return SketchSpec(**(base | changes))  # type: ignore[arg-type]


def draw(sketch: SketchSpec) -> Image.Image:
    image = Image.open(io.BytesIO(render_sketch(sketch)))
    image.load()
    return image


def near(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 8) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def count(image: Image.Image, color: tuple[int, int, int]) -> int:
    colors = image.getcolors(maxcolors=1 << 24) or []
    return next((n for n, c in colors if c == color), 0)


def test_size_and_mode_are_exactly_the_spec() -> None:
    image = draw(spec())
    assert image.size == (1376, 768)
    assert image.mode == "RGB"


def test_same_spec_same_bytes() -> None:
    assert render_sketch(spec()) == render_sketch(spec())


def test_ground_below_the_horizon_has_the_location_tint() -> None:
    sketch = spec()
    layout = sketch_layout(sketch.width, sketch.height, 1)
    left, top, _, bottom = layout.scene
    horizon = top + scenes.horizon_y(sketch.shot, bottom - top)
    pixel = draw(sketch).getpixel((left + 3, horizon + 3))
    assert isinstance(pixel, tuple)
    assert near(pixel, TINT)


def test_frame_border_surrounds_the_picture() -> None:
    sketch = spec()
    layout = sketch_layout(sketch.width, sketch.height, 1)
    image = draw(sketch)
    left, top, right, bottom = layout.frame
    middle_y, middle_x = (top + bottom) // 2, (left + right) // 2
    for xy in [(left, middle_y), (right - 1, middle_y), (middle_x, top), (middle_x, bottom - 1)]:
        assert image.getpixel(xy) == INK
    assert image.getpixel((left + layout.border, middle_y)) != INK


def test_every_figure_is_drawn_in_its_colour() -> None:
    scene = draw(spec()).crop(sketch_layout(1376, 768, 1).scene)
    assert count(scene, MARA[1]) > 400
    assert count(scene, TOM[1]) > 400


def test_close_up_heads_are_bigger_than_wide_shot_heads() -> None:
    face = lighter(MARA[1], 0.6)
    wide = count(draw(spec(shot="wide", figures=(MARA,))), face)
    close = count(draw(spec(shot="close-up", figures=(MARA,))), face)
    assert close > 10 * wide > 0


def test_input_thumbnail_appears_in_the_strip() -> None:
    layout = sketch_layout(1376, 768, 1)
    assert layout.strip is not None and layout.strip[0] >= layout.frame[2]
    left, top, right, bottom = layout.thumbs[0]
    assert draw(spec()).getpixel(((left + right) // 2, (top + bottom) // 2)) == GREEN


def test_portrait_strip_goes_under_the_frame() -> None:
    layout = sketch_layout(832, 1248, 2)
    assert layout.strip is not None and layout.strip[1] >= layout.frame[3]
    assert layout.thumbs[0][2] <= layout.thumbs[1][0]


def test_undecodable_thumbnail_is_a_marked_box() -> None:
    image = draw(spec(thumbnails=(("Image 1: broken", b"not an image"),)))
    left, top, _, bottom = sketch_layout(1376, 768, 1).thumbs[0]
    assert image.getpixel((left + 1, (top + bottom) // 2)) == (200, 40, 40)


def test_sheet_is_a_turnaround_of_three_views() -> None:
    sketch = spec(kind="sheet", shot=None, figures=(MARA,), thumbnails=())
    scene = draw(sketch).crop(sketch_layout(1376, 768, 0).scene)
    thirds = [scene.crop((n * scene.width // 3, 0, (n + 1) * scene.width // 3, scene.height))
              for n in range(3)]  # fmt: skip
    assert all(count(third, MARA[1]) > 400 for third in thirds)


def test_edit_shows_the_edited_image_large() -> None:
    base = (250, 0, 250)
    sketch = spec(kind="edit", thumbnails=(("Image 1: image to edit: lamp", solid(base)),))
    left, top, right, bottom = sketch_layout(1376, 768, 1).scene
    image = draw(sketch)
    assert image.getpixel(((left + right) // 2, (top + bottom) // 2)) == base
    assert count(image.crop((left, top, right, bottom)), scenes.EDIT_COLOR) > 200


def test_fuse_shows_every_input_in_the_collage() -> None:
    red, blue = (220, 20, 20), (20, 20, 220)
    parts = (("Image 1: image to combine: a", solid(red)), ("Image 2: b", solid(blue)))
    scene = draw(spec(kind="fuse", thumbnails=parts)).crop(sketch_layout(1376, 768, 2).scene)
    assert count(scene, red) > 5000
    assert count(scene, blue) > 5000


def test_long_prompt_is_cut_with_an_ellipsis() -> None:
    lines = wrap("word " * 400, font(20), 500, 3)
    assert len(lines) == 3
    assert lines[-1].endswith(ELLIPSIS)
    assert wrap("short prompt", font(20), 500, 3) == ["short prompt"]


def test_text_is_kept_as_written_on_one_line() -> None:
    assert printable("Café — “quoted”") == "Café — “quoted”"
    assert printable("two\tlines\nhere\x07") == "two lines here"


def test_spec_from_text_reads_the_built_in_prompt_phrases() -> None:
    text = (
        "Mara climbs the stairs.\nClose-up shot.\nSetting: a lighthouse on a cliff.\n"
        "Characters: Mara, a keeper; Tom, a boy.\n"
    )
    images = [("Image 1: character sheet of Mara", solid(GREEN)), ("Image 2: previous panel", b"")]
    made = spec_from_text(1024, 1024, text, images)
    assert (made.kind, made.shot, made.location) == ("panel", "close-up", "a lighthouse on a cliff")
    assert [name for name, _ in made.figures] == ["Mara", "Tom"]
    assert made == spec_from_text(1024, 1024, text, images)
    assert made.tint != spec_from_text(1024, 1024, "Setting: a desert.", []).tint


@pytest.mark.parametrize(
    ("text", "images", "kind"),
    [
        ("Character sheet of Mara, a keeper.\nA turnaround.", 0, "sheet"),
        ("Edit the image: cold morning light.", 1, "edit"),
        ("Combine the images: a film poster.", 2, "fuse"),
        ("A quiet harbour at night.", 1, "panel"),
    ],
)
def test_spec_from_text_guesses_the_kind(text: str, images: int, kind: str) -> None:
    parts = [(f"Image {n}: input", solid(GREEN)) for n in range(1, images + 1)]
    assert spec_from_text(512, 512, text, parts).kind == kind


def generate(request: GenerateRequest) -> tuple[Outcome, Image.Image]:
    provider: Provider = SketchProvider()
    outcome = asyncio.run(provider.generate(request))
    image = Image.open(io.BytesIO(outcome.images[0].data))
    image.load()
    return outcome, image


@pytest.mark.parametrize(
    ("model", "size"), [("gemini-2.5-flash-image", (1344, 768)), (DEFAULT_MODEL, (1376, 768))]
)
def test_provider_draws_at_the_models_size(model: str, size: tuple[int, int]) -> None:
    request = GenerateRequest(model=model, text="A wide view of the bay", aspect_ratio="16:9")
    outcome, image = generate(request)
    assert outcome.status == "generated"
    assert len(outcome.images) == 1
    assert outcome.images[0].mime_type == "image/png"
    assert (outcome.cost_usd, outcome.attempts, outcome.text) == (0.0, 1, "")
    assert outcome.usage.total_tokens == 0
    assert image.size == size


def test_provider_uses_hints_and_shows_input_thumbnails() -> None:
    hints = SketchHints(title="stairs", kind="panel", shot="wide", figures=(MARA,), tint=TINT)
    part = ImagePart("Image 1: character sheet of Mara", solid(GREEN), "image/png")
    request = GenerateRequest(
        model=DEFAULT_MODEL, text="Mara climbs", images=(part,), aspect_ratio="16:9",
        modalities=("text", "image"), hints=hints,
    )  # fmt: skip
    outcome, image = generate(request)
    assert outcome.text == "Sketch of stairs"
    left, top, right, bottom = sketch_layout(1376, 768, 1).thumbs[0]
    assert image.getpixel(((left + right) // 2, (top + bottom) // 2)) == GREEN
    assert count(image, MARA[1]) > 400


def test_provider_lists_every_current_model() -> None:
    listed = asyncio.run(SketchProvider().list_models())
    assert {m.id for m in listed} == {m.id for m in MODELS.values() if not m.retired}
    assert SketchProvider.name == "sketch" and SketchProvider.key_env_var is None
    assert SketchProvider.supports_streaming is False
