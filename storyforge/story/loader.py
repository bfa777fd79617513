"""Read story.yaml safely into a validated Story, indexing where every value was written."""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from storyforge.diagnostics import Diagnostic
from storyforge.errors import StoryError
from storyforge.story.checks import check_story
from storyforge.story.include import merge_includes
from storyforge.story.models import Story
from storyforge.story.sourcemap import SourceMap
from storyforge.story.storyfile import read_text
from storyforge.story.validation import validate_document
from storyforge.story.yamltree import FAST_LOADER, parse_yaml

_LOADER = FAST_LOADER  # tests swap in the pure-Python parser to compare the two
_EMPTY = "the story is empty; start it with `storyforge: 1`, a title and scenes"


@dataclass(frozen=True, slots=True)
class LoadedStory:
    """A valid story with where it came from and the warnings found while checking it."""

    path: Path  # the story file as given
    root: Path  # its folder, resolved (absolute)
    sha256: str  # of the file's bytes
    story: Story
    source: SourceMap  # file = str(path) as given; included entries name their own file
    warnings: tuple[Diagnostic, ...]
    includes: tuple[Path, ...] = ()  # the libraries read, resolved, in the order included


def load_story(path: Path) -> LoadedStory:
    """Read, validate and check the story at `path`; never runs code named in the YAML.

    Raises:
        StoryError: with every problem found in the file and the libraries it includes (and
            their warnings), sorted by position.
    """
    with _collector_paused():
        return _load(path)


def _load(path: Path) -> LoadedStory:
    data, text = read_text(path)
    parsed = parse_yaml(str(path), text, empty=_EMPTY, loader=_LOADER)
    if not isinstance(parsed.document, dict):
        source = SourceMap(parsed.file, parsed.values, parsed.keys)
        message = "a story is a mapping of keys such as `storyforge: 1` and `title:`"
        raise StoryError([*parsed.errors, source.diagnostic((), message)])
    included = merge_includes(parsed, path, _LOADER)
    source = SourceMap(parsed.file, parsed.values, parsed.keys, included.files)
    story, problems = validate_document(parsed.document, source, parsed.raw, parsed.refused)
    problems = [*parsed.errors, *included.problems, *problems]
    if story is None or any(p.severity == "error" for p in problems):
        raise StoryError(problems)
    problems += check_story(story, source)
    loaded = LoadedStory(
        path, path.parent.resolve(), hashlib.sha256(data).hexdigest(), story, source,
        tuple(sorted(problems)), included.paths,
    )  # fmt: skip
    if any(p.severity == "error" for p in problems):
        raise StoryError(problems, partial=loaded)
    return loaded


@contextmanager
def _collector_paused() -> Iterator[None]:
    # A big story is some 100k nodes and values without cycles: the cyclic collector would
    # walk them again and again, freeing nothing, and take most of the load time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
