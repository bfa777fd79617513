"""`include:`: character, location and style libraries merged in from YAML files of the project.

A library is read like the story (`storyforge.story.yamltree`) from a regular, non-hidden
YAML file inside the project root (`storyforge.story.includepaths`), reached without a
symbolic link. Its entries join the story's as if written there, each keeping the position
and file it was written in, so every later diagnostic points into the library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from storyforge.diagnostics import Diagnostic, did_you_mean
from storyforge.errors import StoryError
from storyforge.story.includepaths import (
    IncludeProblem,
    project_root,
    read_library,
    resolve_include,
    shown_path,
)
from storyforge.story.sourcemap import SourceMap, YamlPath
from storyforge.story.yamltree import FAST_LOADER, Parsed, YamlLoader, parse_yaml

SECTIONS = ("characters", "locations", "styles")
_KEYS = (*SECTIONS, "include")
MAX_INCLUDED_FILES = 64


@dataclass(frozen=True, slots=True)
class Included:
    """What the includes added: the file of each entry, the files read, their problems."""

    files: dict[YamlPath, str]
    paths: tuple[Path, ...]
    problems: list[Diagnostic]


def merge_includes(story: Parsed, story_path: Path, loader: YamlLoader = FAST_LOADER) -> Included:
    """Merge the libraries `story` includes (and theirs) into its document and positions.

    The story's own entries come first, then each library's in the order included; an id
    defined twice is an error at its second definition. A library included twice (by two
    libraries) is read once; a library that includes itself, directly or not, is an error.
    """
    folder = story_path.parent.resolve()
    merge = _Merge(story, folder, project_root(folder), str(story_path), loader)
    merge.own()
    merge.visit(story, folder, (story_path.resolve(),))
    return Included(merge.files, tuple(merge.read), merge.problems)


@dataclass(slots=True)
class _Merge:
    story: Parsed
    folder: Path  # the story folder, resolved
    root: Path  # the project root, resolved
    story_file: str  # the story path as given, for shown names
    loader: YamlLoader
    files: dict[YamlPath, str] = field(default_factory=dict)
    owners: dict[YamlPath, str] = field(default_factory=dict)  # entry -> where first defined
    read: list[Path] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    def own(self) -> None:
        document = self.story.document
        for section in SECTIONS:
            items = document.get(section)
            for id_ in items if isinstance(items, dict) else ():
                self.owners[(section, id_)] = _where(self.story, (section, id_))

    def visit(self, parsed: Parsed, folder: Path, chain: tuple[Path, ...]) -> None:
        includes = parsed.document.get("include") if isinstance(parsed.document, dict) else None
        if includes is None:
            return
        if not isinstance(includes, list):
            if parsed is not self.story:  # the story's own is reported by its model
                self._error(parsed, ("include",), "include must be a list of YAML files")
            return
        for n, ref in enumerate(includes):
            if isinstance(ref, str):
                self._include(parsed, ("include", n), ref, folder, chain)
            elif parsed is not self.story:
                self._error(parsed, ("include", n), "an include names a YAML file as text")

    def _include(
        self, parsed: Parsed, at: YamlPath, ref: str, folder: Path, chain: tuple[Path, ...]
    ) -> None:
        try:
            target = resolve_include(self.root, folder, ref)
            if target in chain:
                names = [shown_path(self.story_file, self.folder, p) for p in (*chain, target)]
                raise IncludeProblem(f"include cycle: {' -> '.join(names[1:])}; remove one")
            if target in self.read:
                return
            if len(self.read) >= MAX_INCLUDED_FILES:
                raise IncludeProblem(f"more than {MAX_INCLUDED_FILES} included files")
            text = read_library(target, shown_path(self.story_file, self.folder, target))
        except IncludeProblem as problem:
            self._error(parsed, at, str(problem))
            return
        except StoryError as error:  # not UTF-8: located in the library itself
            self.problems.extend(error.diagnostics)
            return
        self.read.append(target)
        library = self._parse(shown_path(self.story_file, self.folder, target), text)
        if library is not None:
            self._take(library)
            self.visit(library, target.parent, (*chain, target))

    def _parse(self, shown: str, text: str) -> Parsed | None:
        empty = "the included file is empty; give it characters:, locations: or styles:"
        try:
            library = parse_yaml(shown, text, empty=empty, noun="file", loader=self.loader)
        except StoryError as error:
            self.problems.extend(error.diagnostics)
            return None
        self.problems.extend(library.errors)
        if not isinstance(library.document, dict):
            self._error(library, (), "an included file is a mapping of characters:, locations:"
                        " and styles:")  # fmt: skip
            return None
        return library

    def _take(self, library: Parsed) -> None:
        for key in library.document:
            if key not in _KEYS:
                hint = did_you_mean(str(key), _KEYS) or "; keep it in the story"
                message = (
                    f"an included file holds only characters, locations, styles and include, "
                    f"not '{key}'{hint}"
                )
                line, column = library.keys.get((str(key),), (0, 0))
                self.problems.append(Diagnostic(library.file, line, column, "", message))
        taken: set[YamlPath] = set()
        for section in SECTIONS:
            taken |= self._section(library, section)
        self._positions(library, taken)

    def _section(self, library: Parsed, section: str) -> set[YamlPath]:
        items = library.document.get(section)
        if items is None:
            return set()
        if not isinstance(items, dict):
            self._error(library, (section,), f"{section} must be a mapping of ids")
            return set()
        into = self.story.document.setdefault(section, {})
        if not isinstance(into, dict):  # the story's own mistake, reported by its model
            return set()
        taken = set()
        for id_, value in items.items():
            entry: YamlPath = (section, id_)
            if entry in self.owners:
                message = f"id '{id_}' is also defined at {self.owners[entry]}; rename one"
                self._error(library, entry, message, at_key=True)
                continue
            self.owners[entry] = _where(library, entry)
            into[id_] = value
            self.files[entry] = library.file
            taken.add(entry)
        return taken

    def _positions(self, library: Parsed, taken: set[YamlPath]) -> None:
        story = self.story
        story.values.update((p, at) for p, at in library.values.items() if p[:2] in taken)
        story.keys.update((p, at) for p, at in library.keys.items() if p[:2] in taken)
        story.raw.update((p, text) for p, text in library.raw.items() if p[:2] in taken)
        story.refused.update(p for p in library.refused if p[:2] in taken)

    def _error(self, parsed: Parsed, at: YamlPath, message: str, *, at_key: bool = False) -> None:
        source = SourceMap(parsed.file, parsed.values, parsed.keys)
        self.problems.append(source.diagnostic(at, message, at_key=at_key))


def _where(parsed: Parsed, entry: YamlPath) -> str:
    line, column = SourceMap(parsed.file, parsed.values, parsed.keys).locate(entry, at_key=True)
    return f"{parsed.file}:{line}:{column}"
