"""Pictures storyforge draws itself: offline sketches and contact-sheet pages, in memory.

Pure drawing with Pillow: nothing here reads a story or writes a file. Entry points:
`sketch.render_sketch` (a sketch frame from a spec) and `contact.write_page` (one sheet
page). Nothing is imported here, so a module that needs only the page geometry
(`render.geometry`) does not load Pillow and the sketch renderer with it.
"""
