"""Page sizes: the presets, and the media, bleed, trim and live boxes of a page."""

from __future__ import annotations

from dataclasses import dataclass

from storyforge.render.geometry.rect import Rect
from storyforge.render.geometry.units import inches, mm


@dataclass(frozen=True, slots=True)
class PageSpec:
    """A page size in points: the trim, the bleed beyond it, the margins to the live area."""

    trim_width: float
    trim_height: float
    bleed: float
    margin_x: float  # trim edge to live area, left and right
    margin_y: float  # trim edge to live area, top and bottom


# US comic: trim 6.625 x 10.25 in, 0.125 in bleed, live area 6 x 9 in (ComiXpress).
# Manga B5 (JIS, 182 x 257 mm) and A4 take the 3 mm bleed of Japanese and European printers.
PAGE_PRESETS: dict[str, PageSpec] = {
    "us-comic": PageSpec(
        inches(6.625), inches(10.25), inches(0.125), inches(0.3125), inches(0.625)
    ),
    "manga-b5": PageSpec(mm(182), mm(257), mm(3), mm(14), mm(17)),
    "a4": PageSpec(mm(210), mm(297), mm(3), mm(15), mm(15)),
    "letter": PageSpec(inches(8.5), inches(11), inches(0.125), inches(0.5), inches(0.5)),
}


def page_spec(
    preset: str,
    width: float | None = None,
    height: float | None = None,
    bleed: float | None = None,
    margin: float | None = None,
) -> PageSpec:
    """A preset's page with any overrides given in inches; `custom` starts from Letter.

    A custom page keeps Letter's bleed and margins unless they are given.
    """
    base = PAGE_PRESETS["letter" if preset == "custom" else preset]
    return PageSpec(
        trim_width=base.trim_width if width is None else inches(width),
        trim_height=base.trim_height if height is None else inches(height),
        bleed=base.bleed if bleed is None else inches(bleed),
        margin_x=base.margin_x if margin is None else inches(margin),
        margin_y=base.margin_y if margin is None else inches(margin),
    )


@dataclass(frozen=True, slots=True)
class PageBoxes:
    """A page's boxes, in points from the media box's top-left corner."""

    media: Rect  # the whole sheet drawn: trim plus bleed on every side
    bleed: Rect  # equal to media: storyforge draws no printer's marks outside the bleed
    trim: Rect  # where the page is cut
    live: Rect  # where text and panel borders stay, safe from the cut


def page_boxes(spec: PageSpec) -> PageBoxes:
    """The media, bleed, trim and live boxes of a page."""
    media = Rect(0.0, 0.0, spec.trim_width + 2 * spec.bleed, spec.trim_height + 2 * spec.bleed)
    trim = Rect(spec.bleed, spec.bleed, spec.trim_width, spec.trim_height)
    return PageBoxes(
        media=media, bleed=media, trim=trim, live=trim.inset(spec.margin_x, spec.margin_y)
    )
