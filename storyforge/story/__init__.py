"""Reading a story: story.yaml's bytes and YAML syntax become a validated, located Story.

Here live the file reader, the safe YAML composer and its source map, the pydantic models
of the format, the wording of validation errors, id and model checks, and the reference
paths and image files a story names. Entry point: `storyforge.story.loader.load_story`.
Imports only `storyforge.store` (the downscale cache's atomic writes) and the ground floor.
"""
