"""Ids that would break an output file: too long for the filesystem, or one of storyforge's own.

Every output is named after its step (`OUT/<id>.png`, `OUT/takes/<id>.sheet-16.png`), so an
id is kept short enough that each name fits any common filesystem (255 bytes a name), with
room for the names later outputs will add, and may not be a name OUT gives its own files.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from storyforge.diagnostics import Diagnostic
from storyforge.names import is_reserved_output_name
from storyforge.story.models import Story
from storyforge.story.sourcemap import SourceMap, YamlPath

MAX_ID_CHARS = 64


def check_id_names(story: Story, source: SourceMap) -> list[Diagnostic]:
    """Ids over `MAX_ID_CHARS`, and scene or panel ids that are reserved output names."""
    problems = [
        source.diagnostic(path, _too_long(id_), at_key=at_key)
        for path, id_, at_key in _ids(story)
        if len(id_) > MAX_ID_CHARS
    ]
    problems += [
        source.diagnostic(path, _reserved(id_))
        for path, id_, at_key in _ids(story)
        if not at_key and is_reserved_output_name(id_)
    ]
    return problems


def _ids(story: Story) -> Iterator[tuple[YamlPath, str, bool]]:
    """Each id the story defines, where it is written, and whether that place is a key."""
    sections: dict[str, Mapping[str, object]] = {
        "characters": story.characters,
        "locations": story.locations,
        "styles": story.styles,
    }
    for section, items in sections.items():
        yield from (((section, id_), id_, True) for id_ in items)
    for i, scene in enumerate(story.scenes):
        yield ("scenes", i, "id"), scene.id, False
        for j, panel in enumerate(scene.panels):
            yield ("scenes", i, "panels", j, "id"), panel.id, False


def _too_long(id_: str) -> str:
    return (
        f"id is {len(id_)} characters; ids may have at most {MAX_ID_CHARS} characters, "
        "so that every output file name fits"
    )


def _reserved(id_: str) -> str:
    return f"'{id_}' is a name storyforge gives its own output files; choose another id"
