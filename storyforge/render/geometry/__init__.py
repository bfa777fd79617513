"""Page geometry every renderer shares: units, page boxes, cells, crops and rows, pure.

Nothing here draws, reads or writes: Pillow pages, the PDF and the viewer all take their
rectangles from these functions, so the three agree. Lengths are points (1/72 in) with the
origin at the top-left corner of the media box (the trimmed page plus its bleed), y down.
"""

from storyforge.render.geometry.aspect import (
    DEFAULT_FOCUS,
    cover_crop,
    crop_loss,
    nearest_ratio,
    parse_ratio,
)
from storyforge.render.geometry.cells import LAYOUT_PRESETS, bleed_cell, layout_cells, tiers_of
from storyforge.render.geometry.pages import (
    PAGE_PRESETS,
    PageBoxes,
    PageSpec,
    page_boxes,
    page_spec,
)
from storyforge.render.geometry.rect import Rect
from storyforge.render.geometry.rows import justified_rows
from storyforge.render.geometry.units import (
    POINTS_PER_INCH,
    inches,
    mm,
    pt_to_px,
    px_to_pt,
)

__all__ = [
    "DEFAULT_FOCUS",
    "LAYOUT_PRESETS",
    "PAGE_PRESETS",
    "POINTS_PER_INCH",
    "PageBoxes",
    "PageSpec",
    "Rect",
    "bleed_cell",
    "cover_crop",
    "crop_loss",
    "inches",
    "justified_rows",
    "layout_cells",
    "mm",
    "nearest_ratio",
    "page_boxes",
    "page_spec",
    "parse_ratio",
    "pt_to_px",
    "px_to_pt",
    "tiers_of",
]
