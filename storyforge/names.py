"""The names storyforge's own outputs take in OUT, which no step may take for its image.

A panel `contact_sheet` would be written over by the contact sheet, a panel `mara` built
into the story folder over the reference `mara.png`. The story's checks refuse these ids
and OUT's writer refuses them again as a last guard. The list holds the outputs planned
too (pages, board PDF, viewer, animatic), so a story valid today stays valid when they come.
"""

from __future__ import annotations

import re

RESERVED_OUTPUT_NAMES: frozenset[str] = frozenset(
    {
        "manifest",  # manifest.json
        "contact_sheet",  # contact_sheet.png, then contact_sheet-2.png, -3 … for more pages
        "contact_sheet-2",
        "takes",  # takes/ holds every other take
        "index",  # index.html, the review viewer
        "pages",  # pages/page-001.png …, the lettered comic pages
        "storyboard",  # storyboard.pdf, the board PDF
        "book",  # book.pdf
        "animatic",  # animatic.mp4 and its captions
    }
)
_NUMBERED = re.compile(r"contact_sheet-[0-9]+")


def is_reserved_output_name(name: str) -> bool:
    """Whether `name` is one of storyforge's own outputs (any page of the contact sheet too)."""
    return name in RESERVED_OUTPUT_NAMES or _NUMBERED.fullmatch(name) is not None
