"""Colours the sketch provider draws with: one per character, a tint per location.

A character's colour is the mean colour of its first reference image, else a stable
colour derived from its id; a location's tint is its first reference image's colour
lightened, else a stable light colour derived from its id. Each is computed once.
"""

from __future__ import annotations

import colorsys
import hashlib

from storyforge.compile.plan import RGB, Figure
from storyforge.story.images import ReferenceFiles
from storyforge.story.models import Story

NO_LOCATION_TINT: RGB = (236, 232, 222)


def hashed_color(key: str, *, light: bool) -> RGB:
    """A stable colour for a name: a hue from its hash, mid-tone or (for tints) pale."""
    digest = hashlib.sha256(key.encode()).digest()
    hue = int.from_bytes(digest[:2], "big") / 65536
    lightness, saturation = (0.88, 0.35) if light else (0.45, 0.55)
    r, g, b = colorsys.hls_to_rgb(hue, lightness, saturation)
    return round(r * 255), round(g * 255), round(b * 255)


def lighten(color: RGB, amount: float = 0.6) -> RGB:
    """The colour moved `amount` of the way towards white."""
    r, g, b = (round(c + (255 - c) * amount) for c in color)
    return r, g, b


class Palette:
    """Figures and tints of one story, each computed on first use."""

    def __init__(self, story: Story, files: ReferenceFiles) -> None:
        """Sample colours from `files`, the compile's checked reference files."""
        self._story = story
        self._files = files
        self._figures: dict[str, Figure] = {}
        self._tints: dict[str, RGB] = {}

    def figure(self, char_id: str) -> Figure:
        """How the sketch provider draws a character."""
        if char_id not in self._figures:
            char = self._story.characters[char_id]
            sampled = self._files.color(char.references[0]) if char.references else None
            color = sampled or hashed_color(char_id, light=False)
            self._figures[char_id] = Figure(char.name, color)
        return self._figures[char_id]

    def tint(self, location_id: str | None) -> RGB:
        """The background colour of a location's sketches."""
        if location_id is None or location_id not in self._story.locations:
            return NO_LOCATION_TINT
        if location_id not in self._tints:
            loc = self._story.locations[location_id]
            sampled = self._files.color(loc.references[0]) if loc.references else None
            self._tints[location_id] = (
                lighten(sampled) if sampled else hashed_color(location_id, light=True)
            )
        return self._tints[location_id]
