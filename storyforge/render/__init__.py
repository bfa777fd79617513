"""Pictures storyforge draws itself: offline sketches and contact-sheet pages, in memory.

Pure drawing with Pillow: nothing here reads a story or writes a file. Entry points:
`render_sketch` (a sketch frame from a spec) and `contact.write_page` (one sheet page).
"""

from storyforge.render.contact_panel import SheetPanel
from storyforge.render.sketch import SketchSpec, render_sketch, spec_from_text

__all__ = ["SheetPanel", "SketchSpec", "render_sketch", "spec_from_text"]
