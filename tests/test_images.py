"""Reference images: content checks, downscaling, bytes for the executor, colour samples."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from storyforge.errors import StoryError
from storyforge.story import images
from storyforge.story.images import (
    DOWNSCALED_DIR,
    ReferenceFiles,
    average_color,
    check_reference,
    load_reference_bytes,
)
from storyforge.story.refpaths import ReferenceProblem, resolve_inside
from tests.compiler_support import jpeg, png


def encoded(im: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt)
    return out.getvalue()


def test_average_color_of_solid_images() -> None:
    assert average_color(png(color=(10, 200, 30))) == (10, 200, 30)
    r, g, b = average_color(jpeg(640, 480, (30, 90, 160)))
    assert abs(r - 30) <= 3 and abs(g - 90) <= 3 and abs(b - 160) <= 3


def test_average_color_puts_transparency_over_white() -> None:
    half = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    half.paste((0, 0, 0, 255), (0, 0, 10, 5))
    assert average_color(encoded(half, "PNG")) == (128, 128, 128)


def test_average_color_prefers_the_saturated_subject_over_a_grey_background() -> None:
    portrait = Image.new("RGB", (100, 100), (225, 230, 236))
    portrait.paste((235, 200, 40), (30, 50, 70, 100))  # a yellow coat on a pale grey wall
    r, g, b = average_color(encoded(portrait, "PNG"))
    assert abs(r - 235) <= 4 and abs(g - 200) <= 6 and abs(b - 40) <= 24  # edges blend in


def test_small_files_are_sent_as_they_are(tmp_path: Path) -> None:
    data = encoded(Image.new("RGB", (20, 10), "red"), "WEBP")
    (tmp_path / "a.webp").write_bytes(data)
    image = check_reference(tmp_path, "a.webp")
    assert (image.sha256, image.mime_type, image.downscaled) == (
        hashlib.sha256(data).hexdigest(), "image/webp", False,
    )  # fmt: skip
    assert load_reference_bytes(tmp_path, "a.webp") == (data, "image/webp")


def test_mime_follows_content_not_the_name(tmp_path: Path) -> None:
    (tmp_path / "photo.png").write_bytes(jpeg(16, 16))
    assert check_reference(tmp_path, "photo.png").mime_type == "image/jpeg"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "x.png is not an image (the file is empty)"),
        (b"GIF89a" + b"\x00" * 20, "x.png is a GIF image; Gemini takes PNG, JPEG or WebP: convert"),
        (png()[:40], "x.png is not a readable PNG image"),
        (jpeg(64, 64)[:200], "x.png is not a readable JPEG image"),
    ],
)
def test_unusable_content_is_refused(tmp_path: Path, data: bytes, message: str) -> None:
    (tmp_path / "x.png").write_bytes(data)
    with pytest.raises(ReferenceProblem) as caught:
        check_reference(tmp_path, "x.png")
    assert str(caught.value).startswith(message)


def test_a_directory_is_not_a_reference(tmp_path: Path) -> None:
    (tmp_path / "refs").mkdir()
    with pytest.raises(ReferenceProblem, match="refs is not a file"):
        resolve_inside(tmp_path, "refs")


def test_windows_style_absolute_paths_are_refused(tmp_path: Path) -> None:
    for ref in ("C:/x.png", "C:x.png", "\\\\server\\share\\x.png", "..\\x.png"):
        with pytest.raises(ReferenceProblem, match="leaves the story folder"):
            resolve_inside(tmp_path, ref)


def test_transparent_large_images_stay_png(tmp_path: Path) -> None:
    im = Image.new("RGBA", (3200, 100), (0, 128, 0, 128))
    (tmp_path / "wide.png").write_bytes(encoded(im, "PNG"))
    image = check_reference(tmp_path, "wide.png", keep=True)
    assert image.downscaled and image.mime_type == "image/png"
    assert image.sent_path.parent == tmp_path / DOWNSCALED_DIR
    with Image.open(image.sent_path) as small:
        assert small.size == (2048, 64)
        assert small.mode == "RGBA"


def test_files_over_the_byte_limit_are_reencoded_smaller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(images, "MAX_BYTES", 2000)
    noisy = Image.effect_noise((600, 400), 90).convert("RGB")
    (tmp_path / "noise.png").write_bytes(encoded(noisy, "PNG"))
    image = check_reference(tmp_path, "noise.png")
    data, mime = load_reference_bytes(tmp_path, "noise.png")
    assert mime == "image/jpeg" == image.mime_type
    with Image.open(io.BytesIO(data)) as small:
        assert max(small.size) < 600  # shrunk until small enough, or down to the floor
    assert hashlib.sha256(data).hexdigest() == image.sha256


def test_load_reference_bytes_reports_a_vanished_file_as_a_story_error(tmp_path: Path) -> None:
    with pytest.raises(StoryError, match=r"no such file 'gone\.png'"):
        load_reference_bytes(tmp_path, "gone.png")


def test_reference_files_check_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.png").write_bytes(png(color=(1, 2, 3)))
    calls: list[str] = []
    real = images.check_reference

    def counting(root: Path, ref: str, *, keep: bool = False) -> images.ReferenceImage:
        calls.append(ref)
        return real(root, ref, keep=keep)

    monkeypatch.setattr(images, "check_reference", counting)
    files = ReferenceFiles(tmp_path)
    for _ in range(3):
        files.check("a.png")
        assert files.color("a.png") == (1, 2, 3)
        with pytest.raises(ReferenceProblem):
            files.check("b.png")
    assert files.color("b.png") is None
    assert calls == ["a.png", "b.png"]
