"""What each Gemini image model accepts and costs (PROTOCOL.md §9), as frozen data keyed by id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

A10 = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
A14 = (*A10, "1:4", "4:1", "1:8", "8:1")

# Output sizes at the default size. 2.5 Flash Image has its own table; the Gemini 3 family
# shares the 1K table, doubling per side at 2K and quadrupling at 4K (PROTOCOL.md §9.2).
_SIZES_25 = {
    "1:1": (1024, 1024), "2:3": (832, 1248), "3:2": (1248, 832), "3:4": (864, 1184),
    "4:3": (1184, 864), "4:5": (896, 1152), "5:4": (1152, 896), "9:16": (768, 1344),
    "16:9": (1344, 768), "21:9": (1536, 672),
}  # fmt: skip
_SIZES_3 = {
    "1:1": (1024, 1024), "2:3": (848, 1264), "3:2": (1264, 848), "3:4": (896, 1200),
    "4:3": (1200, 896), "4:5": (928, 1152), "5:4": (1152, 928), "9:16": (768, 1376),
    "16:9": (1376, 768), "21:9": (1584, 672), "1:4": (512, 2048), "4:1": (2048, 512),
    "1:8": (384, 3072), "8:1": (3072, 384),
}  # fmt: skip
_SCALE = {"512": 0.5, "1K": 1.0, "2K": 2.0, "4K": 4.0}


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """Limits and prices of one image model."""

    id: str
    nickname: str
    max_refs: int
    ratios: tuple[str, ...]
    image_sizes: tuple[str, ...]  # empty: never send imageSize
    thinking_levels: tuple[str, ...]  # empty: never send thinkingConfig
    usd_per_image: Mapping[str, float]  # by image size; "" when the model has no sizes
    image_tokens: Mapping[str, int]
    input_usd_per_mtok: float
    text_usd_per_mtok: float
    output_mime: str
    shutdown: dt.date | None = None
    retired: bool = False
    replacement: str | None = None
    known: bool = True
    notes: str = ""

    @property
    def default_size(self) -> str:
        """The image size used when a story names none ("" for models without sizes)."""
        return "1K" if "1K" in self.image_sizes else ""

    def pixels(self, ratio: str, size: str | None = None) -> tuple[int, int]:
        """Output width and height for an aspect ratio and image size."""
        if not self.image_sizes:
            return _SIZES_25.get(ratio, (1024, 1024))
        w, h = _SIZES_3.get(ratio, (1024, 1024))
        scale = _SCALE.get(size or self.default_size, 1.0)
        return int(w * scale), int(h * scale)

    def price(self, size: str | None = None) -> float:
        """Dollars per output image at a size."""
        return self.usd_per_image.get(size or self.default_size, max(self.usd_per_image.values()))


def _m(**kw: object) -> ModelInfo:
    for key in ("usd_per_image", "image_tokens"):
        kw[key] = MappingProxyType(dict(kw[key]))  # type: ignore[call-overload]
    return ModelInfo(**kw)  # type: ignore[arg-type]


_25 = _m(
    id="gemini-2.5-flash-image", nickname="Nano Banana", max_refs=3, ratios=A10, image_sizes=(),
    thinking_levels=(), usd_per_image={"": 0.039}, image_tokens={"": 1290},
    input_usd_per_mtok=0.30, text_usd_per_mtok=2.50, output_mime="image/png",
    shutdown=dt.date(2026, 10, 2), notes="PNG output; best with at most 3 references",
)  # fmt: skip
_3PRO = _m(
    id="gemini-3-pro-image", nickname="Nano Banana Pro", max_refs=14, ratios=A10,
    image_sizes=("1K", "2K", "4K"), thinking_levels=(),
    usd_per_image={"1K": 0.134, "2K": 0.134, "4K": 0.24},
    image_tokens={"1K": 1120, "2K": 1120, "4K": 2000},
    input_usd_per_mtok=2.00, text_usd_per_mtok=12.0, output_mime="image/jpeg",
    notes="always thinks (about 800 billed thinking tokens per image); JPEG output",
)  # fmt: skip
_31 = _m(
    id="gemini-3.1-flash-image", nickname="Nano Banana 2", max_refs=14, ratios=A14,
    image_sizes=("512", "1K", "2K", "4K"), thinking_levels=("minimal", "high"),
    usd_per_image={"512": 0.045, "1K": 0.067, "2K": 0.101, "4K": 0.151},
    image_tokens={"512": 747, "1K": 1120, "2K": 1680, "4K": 2520},
    input_usd_per_mtok=0.50, text_usd_per_mtok=3.0, output_mime="image/jpeg",
    shutdown=dt.date(2026, 10, 29), notes="deprecated 2026-10-06",
)  # fmt: skip
_31LITE = _m(
    id="gemini-3.1-flash-lite-image", nickname="Nano Banana 2 Lite", max_refs=14, ratios=A14,
    image_sizes=("1K",), thinking_levels=("minimal", "high"), usd_per_image={"1K": 0.034},
    image_tokens={"1K": 1120}, input_usd_per_mtok=0.50, text_usd_per_mtok=3.0,
    output_mime="image/jpeg", notes="1K only",
)  # fmt: skip
_21 = _m(
    id="gemini-nano-banana-2.1", nickname="Nano Banana 2.1", max_refs=14, ratios=A14,
    image_sizes=("1K", "2K", "4K"), thinking_levels=("minimal", "medium", "high"),
    usd_per_image={"1K": 0.0336, "2K": 0.0504, "4K": 0.0756},
    image_tokens={"1K": 1120, "2K": 1680, "4K": 2520},
    input_usd_per_mtok=1.50, text_usd_per_mtok=7.50, output_mime="image/jpeg",
    notes="recommended Flash image model; 2K/4K prices estimated",
)  # fmt: skip


def _retired(id_: str, successor: ModelInfo, when: dt.date) -> ModelInfo:
    return ModelInfo(
        **{f: getattr(successor, f) for f in ModelInfo.__slots__ if f not in {"id", "shutdown"}}
        | {"retired": True, "replacement": successor.id, "notes": f"shut down {when}"},
        id=id_,
        shutdown=when,
    )


MODELS: Mapping[str, ModelInfo] = MappingProxyType(
    {
        m.id: m
        for m in (
            _25,
            _3PRO,
            _31,
            _31LITE,
            _21,
            _retired("gemini-2.5-flash-image-preview", _25, dt.date(2026, 1, 15)),
            _retired("gemini-3-pro-image-preview", _3PRO, dt.date(2026, 6, 25)),
            _retired("gemini-3.1-flash-image-preview", _31, dt.date(2026, 6, 25)),
        )
    }
)

# gemini-2.5-flash-image, the design's original default, is past its scheduled shutdown
# (PROTOCOL.md §9.1), so the default is the recommended current Flash image model.
DEFAULT_MODEL = "gemini-nano-banana-2.1"


def model_info(model_id: str) -> ModelInfo:
    """Return the model's limits; an unknown id gets conservative limits and `known=False`."""
    if model_id in MODELS:
        return MODELS[model_id]
    return _m(
        id=model_id, nickname="unknown", max_refs=3, ratios=A10, image_sizes=(),
        thinking_levels=(), usd_per_image={"": 0.24}, image_tokens={"": 2000},
        input_usd_per_mtok=2.00, text_usd_per_mtok=12.0, output_mime="image/png", known=False,
        notes="not in storyforge's table: conservative limits and the highest price assumed",
    )  # fmt: skip
