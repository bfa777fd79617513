"""Pictures storyforge draws itself: offline sketches and the contact sheet."""

from storyforge.render.contact import SheetPanel, render_contact_sheet
from storyforge.render.sketch import SketchSpec, render_sketch, spec_from_text

__all__ = ["SheetPanel", "SketchSpec", "render_contact_sheet", "render_sketch", "spec_from_text"]
