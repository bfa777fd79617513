"""Reference image files: checked by content, bombs refused, large ones downscaled once.

A reference must be a PNG, JPEG or WebP file (told from its bytes, confirmed by Pillow) of
at most 50 megapixels; a file claiming more is refused from its header, never decoded.
One whose longest side exceeds 3072 px or whose size exceeds 7 MB is re-encoded with a
longest side of at most 2048 px (JPEG, or PNG when it has transparency; smaller still in
the rare case that is not enough to get under 7 MB), and the copy is kept at
`<story root>/.storyforge/downscaled/<source sha256>.<ext>` so it is made only once.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, ImageStat

from storyforge.diagnostics import Diagnostic
from storyforge.errors import StoryError
from storyforge.mime import extension_for, sniff_mime
from storyforge.store.nofollow import TooLarge, read_file
from storyforge.story.downscaled import find_copy, keep_copy, read_copy
from storyforge.story.refpaths import ReferenceProblem, resolve_inside

RGB = tuple[int, int, int]  # the same alias as the plan's: images sit below compile

MAX_PIXELS = 50_000_000
MAX_SIDE = 3072
MAX_BYTES = 7 * 1024 * 1024
MAX_FILE_BYTES = 256 << 20  # far above a 50-megapixel PNG; bounds what a story makes us read
TARGET_SIDE = 2048
_SMALLEST_SIDE = 256
ACCEPTED = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}
DOWNSCALED_DIR = Path(".storyforge", "downscaled")


@dataclass(frozen=True, slots=True)
class ReferenceImage:
    """A checked reference file and the bytes that will be sent for it."""

    ref: str
    sha256: str  # of the bytes sent (the downscaled copy when there is one)
    mime_type: str  # of the bytes sent
    sent_path: Path  # the file itself, or its downscaled copy
    downscaled: bool
    sent: bytes | None = None  # a downscaled copy made but not kept (validate and plan)


class ReferenceFiles:
    """The reference files of one compile: each checked, and its colour sampled, at most once."""

    def __init__(self, root: Path, *, keep: bool = False) -> None:
        """Check files under the story folder `root`; only a build `keep`s downscaled copies."""
        self.root = root
        self._keep = keep
        self._checked: dict[str, ReferenceImage | ReferenceProblem] = {}
        self._colors: dict[str, RGB | None] = {}

    def check(self, ref: str) -> ReferenceImage:
        """The checked file (cached).

        Raises:
            ReferenceProblem: as `check_reference`, once per call.
        """
        found = self._checked.get(ref)
        if found is None:
            try:
                found = check_reference(self.root, ref, keep=self._keep)
            except ReferenceProblem as problem:
                found = problem
            self._checked[ref] = found
        if isinstance(found, ReferenceProblem):
            raise ReferenceProblem(str(found))
        return found

    def color(self, ref: str) -> RGB | None:
        """The mean colour of a valid reference file's sent bytes, else None (cached)."""
        if ref not in self._colors:
            try:
                data = read_sent(self.check(ref))
                self._colors[ref] = average_color(data)
            except (OSError, ValueError):  # unusable files are reported where declared
                self._colors[ref] = None
        return self._colors[ref]


def check_reference(root: Path, ref: str, *, keep: bool = False) -> ReferenceImage:
    """Confine, read, identify and (when too large) downscale one reference file.

    A downscaled copy is kept in the story's cache only when `keep` is set (by the build):
    `validate` and `plan` write nothing, so they make the copy in memory when none is kept.

    Raises:
        ReferenceProblem: the file is outside the story folder, missing, not a PNG, JPEG
            or WebP image, undecodable, or larger than 50 megapixels.
    """
    path = resolve_inside(root, ref)
    data = _read(ref, path)
    size = _identify(ref, data)
    if max(size) <= MAX_SIDE and len(data) <= MAX_BYTES:
        mime = sniff_mime(data) or ""
        return ReferenceImage(ref, hashlib.sha256(data).hexdigest(), mime, path, False)
    source_sha = hashlib.sha256(data).hexdigest()
    found = find_copy(root, source_sha, _small_enough(ref))
    if found is not None:
        copy, small = found
    else:
        small, mime = _downscale(data)
        name = f"{source_sha}{extension_for(mime)}"
        if not keep:
            sha, mime = hashlib.sha256(small).hexdigest(), sniff_mime(small) or ""
            return ReferenceImage(ref, sha, mime, root / DOWNSCALED_DIR / name, True, small)
        copy = keep_copy(root, ref, name, small)
    mime = sniff_mime(small) or ""
    return ReferenceImage(ref, hashlib.sha256(small).hexdigest(), mime, copy, True)


def load_reference_bytes(root: Path, ref: str) -> tuple[bytes, str]:
    """The bytes to send for a reference file and their MIME type (reusing the downscale cache).

    Raises:
        StoryError: the file is no longer a valid reference (see `check_reference`).
    """
    try:
        image = check_reference(root, ref, keep=True)
        return read_sent(image), image.mime_type
    except (ReferenceProblem, OSError) as problem:
        raise StoryError([Diagnostic(str(root), 0, 0, "", str(problem))]) from None


def read_sent(image: ReferenceImage) -> bytes:
    """The bytes sent for a reference: a downscaled copy is read without following links."""
    if image.sent is not None:
        return image.sent
    return read_copy(image.sent_path) if image.downscaled else image.sent_path.read_bytes()


def _read(ref: str, path: Path) -> bytes:
    """A reference's bytes: a regular file, not a link swapped in since it was resolved, bounded."""
    try:
        return read_file(path, limit=MAX_FILE_BYTES)
    except TooLarge:
        raise ReferenceProblem(
            f"{ref} is larger than {MAX_FILE_BYTES >> 20} MB; export a smaller image"
        ) from None
    except OSError as error:
        raise ReferenceProblem(f"{ref} cannot be read ({error.strerror or error})") from None


def _small_enough(ref: str) -> Callable[[bytes], bool]:
    def accept(data: bytes) -> bool:
        try:
            return len(data) <= MAX_BYTES and max(_identify(ref, data)) <= TARGET_SIDE
        except ReferenceProblem:
            return False

    return accept


def average_color(data: bytes) -> RGB:
    """The colour that stands out in an image: its most saturated common colour.

    A plain mean washes a yellow coat on a grey background out to beige, so pixels are
    grouped by hue and the group with the most saturation wins; its mean is returned.
    A grey image (nothing saturated) gives its plain mean. Transparency counts as white.
    """
    with _open(data) as im:
        im.draft("RGB", (64, 64))  # JPEG decodes at a fraction of its size: only a sample
        im.thumbnail((32, 32), Image.Resampling.BOX)
        rgba = im.convert("RGBA")
    flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat.alpha_composite(rgba)
    rgb = flat.convert("RGB")
    weights: dict[int, float] = {}
    members: dict[int, list[tuple[int, int, int]]] = {}
    raw = rgb.tobytes()  # getdata() is deprecated in recent Pillow; bytes are stable
    for r, g, b in zip(raw[0::3], raw[1::3], raw[2::3], strict=True):
        h, s, v = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
        if s * v < 0.2:  # greys, whites and near-blacks say little about a character
            continue
        bucket = int(h * 12) % 12
        weights[bucket] = weights.get(bucket, 0.0) + s * v
        members.setdefault(bucket, []).append((r, g, b))
    if not weights:
        mr, mg, mb = (round(v) for v in ImageStat.Stat(rgb).mean)
        return mr, mg, mb
    chosen = members[max(weights, key=lambda k: weights[k])]
    n = len(chosen)
    return (
        round(sum(c[0] for c in chosen) / n),
        round(sum(c[1] for c in chosen) / n),
        round(sum(c[2] for c in chosen) / n),
    )


def _identify(ref: str, data: bytes) -> tuple[int, int]:
    mime = sniff_mime(data)
    if mime not in ACCEPTED:
        raise ReferenceProblem(_describe(ref, data, mime))
    fmt = ACCEPTED[mime]
    try:
        im = _open(data)
    except Image.DecompressionBombError as error:
        claimed = re.search(r"\((\d+) pixels\)", str(error))
        raise ReferenceProblem(_bomb(ref, _megapixels(int(claimed[1]) if claimed else 0))) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ReferenceProblem(_damaged(ref, fmt, error)) from None
    with im:
        w, h = im.size
        if w * h > MAX_PIXELS:
            raise ReferenceProblem(_bomb(ref, f"{w}x{h}, {_megapixels(w * h)}"))
        if im.format != fmt:
            raise ReferenceProblem(_damaged(ref, fmt, f"Pillow reads it as {im.format}"))
        try:
            _decode_check(im)
        except (OSError, SyntaxError, ValueError) as error:
            raise ReferenceProblem(_damaged(ref, fmt, error)) from None
    return w, h


def _decode_check(im: Image.Image) -> None:
    # PNG: verify() checks every chunk's CRC without inflating the pixels. JPEG: a draft
    # decode at 1/8 scale reads the whole stream cheaply. WebP has no cheaper check.
    if im.format == "PNG":
        im.verify()
        return
    im.draft("RGB", (max(1, im.width // 8), max(1, im.height // 8)))
    im.load()


def _open(data: bytes) -> Image.Image:
    # Pillow warns between its own limit and twice it; storyforge's lower limit decides.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data))


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1e6:.0f} megapixels" if pixels else "too many pixels"


def _bomb(ref: str, size: str) -> str:
    return (
        f"{ref} is too large ({size}); references may have at most "
        f"{MAX_PIXELS // 1_000_000} megapixels, so it was not decoded"
    )


def _damaged(ref: str, fmt: str, error: object) -> str:
    return f"{ref} is not a readable {fmt} image ({error})"


def _describe(ref: str, data: bytes, mime: str | None) -> str:
    if mime:  # an image, but of a kind the models do not take
        kind = mime.removeprefix("image/").upper()
        return f"{ref} is a {kind} image; Gemini takes PNG, JPEG or WebP: convert it"
    if not data:
        return f"{ref} is not an image (the file is empty)"
    if b"\x00" in data[:4096]:
        return f"{ref} is not an image (its content is not PNG, JPEG or WebP)"
    return f"{ref} is not an image (its content is text)"


def _downscale(data: bytes) -> tuple[bytes, str]:
    # JPEG keeps photos small; PNG only when there is transparency to keep. The side shrinks
    # further only in the rare case that a noisy image is still over the byte limit.
    with _open(data) as opened:
        w, h = opened.size
        opened.draft(
            "RGB", (max(1, w * TARGET_SIDE // max(w, h)), max(1, h * TARGET_SIDE // max(w, h)))
        )
        im = ImageOps.exif_transpose(opened)
        icc = opened.info.get("icc_profile")
    alpha = im.mode in {"RGBA", "LA", "PA"} or "transparency" in im.info
    im = im.convert("RGBA" if alpha else "RGB")
    fmt, mime = ("PNG", "image/png") if alpha else ("JPEG", "image/jpeg")
    side = min(TARGET_SIDE, max(im.size))
    while True:
        scale = side / max(im.size)
        size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
        out = io.BytesIO()
        options: dict[str, Any] = {"icc_profile": icc} if icc else {}
        if fmt == "JPEG":
            options |= {"quality": 90, "optimize": False, "progressive": False}
        im.resize(size, Image.Resampling.LANCZOS).save(out, fmt, **options)
        if out.tell() <= MAX_BYTES or side <= _SMALLEST_SIDE:
            return out.getvalue(), mime
        side = side * 3 // 4
