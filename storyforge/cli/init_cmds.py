"""`storyforge init`: a starter story that validates and builds offline, in a new folder."""

from __future__ import annotations

import json
from pathlib import Path

import click

from storyforge.errors import UsageError

SCHEMA_NAME = "story.schema.json"

STARTER = """\
# yaml-language-server: $schema=story.schema.json
# A starter story: `storyforge validate`, `storyforge plan`, then `storyforge build`.
# Without GEMINI_API_KEY the build draws offline sketches, at no cost.
storyforge: 1.1
title: {title}
aspect_ratio: "16:9"
style: ink
styles:
  ink:
    prompt: bold ink linework with flat watercolour washes
characters:
  ada:
    name: Ada
    description: a young inventor with a red scarf and brass goggles
    # references: [refs/ada.png]   # photos or drawings of Ada, put in refs/
    sheet: true
locations:
  workshop:
    description: a cluttered attic workshop lit by one round window
scenes:
  - id: spark
    title: The spark
    location: workshop
    panels:
      - id: bench
        characters: [ada]
        shot: wide
        prompt: "{{{{ ada.name }}}} bends over a half-built clockwork bird"
        duration: 3
        camera: slow push in
        dialogue:
          - {{text: "Midnight, again.", kind: caption}}
      - id: wings
        characters: [ada]
        shot: close-up
        prompt: "the clockwork bird's wings twitch under {{{{ ada.name }}}}'s hands"
        duration: 2
        dialogue:
          - {{who: ada, text: "Come on... fly!", kind: shout}}
        sfx: [{{text: WHIRR}}]
"""

GITIGNORE = """\
# storyforge's local store: every paid image, found again by its request key.
.storyforge/
# The built outputs; commit them (with the lock) if your team reviews images in git.
out/
"""


@click.command("init")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=Path())
@click.option("--title", default="My Story", show_default=True, help="The story's title.")
def init_command(folder: Path, title: str) -> None:
    """Write a starter story, its schema, a refs/ folder and a .gitignore into FOLDER."""
    story = folder / "story.yaml"
    if story.exists():
        raise UsageError(f"{story} exists already; init writes new stories only: pick a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "refs").mkdir(exist_ok=True)
    story.write_text(STARTER.format(title=json.dumps(title, ensure_ascii=False)), "utf-8")
    from storyforge.outputs.schema import story_schema  # the models: only when writing

    schema = json.dumps(story_schema(), indent=2, sort_keys=True, ensure_ascii=False)
    (folder / SCHEMA_NAME).write_text(schema + "\n", "utf-8")
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text(GITIGNORE, "utf-8")
    click.echo(f"wrote {story}; next: storyforge validate {story}")


COMMANDS: list[click.Command] = [init_command]
