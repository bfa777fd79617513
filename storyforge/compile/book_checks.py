"""A book's problems before any call: tier heights, crops that lose too much, text too big.

Errors: a scene's `heights` not matching its tiers; a line of lettering too big for its
panel or with no room left beside the others. Warnings: a panel whose image would lose
more than `CROP_WARNING` of its area to the cover-crop into its cell.
"""

from __future__ import annotations

from storyforge.compile.book import BookLayout, Slot, book_layout, tier_count
from storyforge.compile.lettering import letter_book
from storyforge.compile.settings import panel_settings
from storyforge.diagnostics import Diagnostic
from storyforge.render.geometry import crop_loss, parse_ratio
from storyforge.story.models import Story
from storyforge.story.sourcemap import SourceMap

CROP_WARNING = 0.12  # DELIVERABLES 2.2: past this, a face or a horizon is usually cut


def book_diagnostics(story: Story, source: SourceMap) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(errors, warnings) of the story's book; none when it has no `book:`."""
    layout = book_layout(story)
    if layout is None:
        return [], []
    errors = _height_problems(story, source) + _lettering_problems(story, layout, source)
    warnings = [_crop_warning(story, slot, source) for page in layout.pages for slot in page]
    return errors, [w for w in warnings if w is not None]


def _height_problems(story: Story, source: SourceMap) -> list[Diagnostic]:
    problems = []
    for i, scene in enumerate(story.scenes):
        tiers = tier_count(scene)
        if scene.heights is None or len(scene.heights) == tiers:
            continue
        what = f"its layout has {tiers} tier{'s' * (tiers != 1)}" if tiers else "it has no layout"
        message = f"{len(scene.heights)} heights but {what}; give one height per tier"
        problems.append(source.diagnostic(("scenes", i, "heights"), message))
    return problems


def _lettering_problems(story: Story, layout: BookLayout, source: SourceMap) -> list[Diagnostic]:
    problems = []
    for panel_id, (text, lettering) in letter_book(story, layout).items():
        for trouble in lettering.troubles:
            message = f"panel '{panel_id}': {trouble.message}"
            problems.append(source.diagnostic(text.paths[trouble.index], message))
    return problems


def _crop_warning(story: Story, slot: Slot, source: SourceMap) -> Diagnostic | None:
    scene = story.scenes[slot.scene_index]
    panel = scene.panels[slot.panel_index]
    ratio = panel_settings(story, scene, panel, slot.frame.ratio).aspect_ratio
    loss = crop_loss(slot.frame.ratio, parse_ratio(ratio))
    if loss <= CROP_WARNING:
        return None
    message = (
        f"panel '{panel.id}': its cell is {slot.frame.ratio:.2f}:1 and its image {ratio}, so "
        f"{loss:.0%} of the image is cropped away; change the layout or its heights"
        + (", or drop aspect_ratio" if panel.aspect_ratio else "")
    )
    path = ("scenes", slot.scene_index, "panels", slot.panel_index)
    return source.diagnostic(path, message, severity="warning")
