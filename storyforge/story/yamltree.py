"""Compose YAML text safely into plain data, indexing where every value was written.

The one home of PyYAML besides the loader: tags are resolved by hand (no constructor
runs), aliases are counted as if expanded, nesting is bounded, and duplicate keys and
tags are located errors. The story and every file it includes are read through here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from storyforge.diagnostics import Diagnostic
from storyforge.errors import StoryError
from storyforge.story.sourcemap import YamlPath, format_path
from storyforge.story.syntax import SyntaxProblem, control_character_diagnostic, syntax_diagnostic

# libyaml composes many times faster; both are safe because tags are resolved by hand below.
YamlLoader = type[yaml.SafeLoader | yaml.CSafeLoader]
FAST_LOADER: YamlLoader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _MERGE = (_TAG + t for t in ("str", "seq", "map", "merge"))
_MAX_NODES = 2_000_000  # values after expanding aliases: far beyond any real story
_MAX_DEPTH = 100
_CONSTRUCT = yaml.constructor.SafeConstructor()
_SCALARS: dict[str, Callable[[yaml.ScalarNode], Any]] = {
    _STR: lambda node: node.value,
    _TAG + "int": _CONSTRUCT.construct_yaml_int,
    _TAG + "float": _CONSTRUCT.construct_yaml_float,
    _TAG + "bool": _CONSTRUCT.construct_yaml_bool,
    _TAG + "null": lambda _: None,
    # No story field is a date, so an unquoted date stays the text the user wrote.
    _TAG + "timestamp": lambda node: node.value,
}


class _TooLarge(Exception):
    pass


@dataclass(slots=True)
class _Builder:
    """One walk of the node tree: plain data, positions, and the problems met on the way."""

    file: str
    values: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    # Source text of non-string scalars; a key's under (*path, "[key]"), as pydantic places it.
    raw: dict[YamlPath, str] = field(default_factory=dict)
    refused: set[YamlPath] = field(default_factory=set)
    errors: list[Diagnostic] = field(default_factory=list)
    active: set[int] = field(default_factory=set)  # collections being built: cycle guard
    built: dict[int, tuple[Any, int]] = field(default_factory=dict)  # data and expanded size
    expanded: int = 0  # values counting every alias in full, to stop alias bombs

    def build(self, node: yaml.Node, path: YamlPath) -> Any:
        self.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            self._count(1)
            return self._scalar(node, path)
        if id(node) in self.active:
            return self._cycle(path)
        if id(node) in self.built:  # an alias: reuse what its anchor built
            self._count(self.built[id(node)][1])
            return self.built[id(node)][0]
        if len(path) > _MAX_DEPTH:
            return self._refuse(node, path, f"nested more than {_MAX_DEPTH} levels deep")
        before = self.expanded
        self._count(1)
        self.active.add(id(node))
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            data: Any = self._mapping(node, path)
        elif isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            data = [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        else:
            data = None
            self._refuse_tag(node, path)
        self.active.discard(id(node))
        self.built[id(node)] = (data, self.expanded - before)
        return data

    def _count(self, values: int) -> None:
        self.expanded += values
        if self.expanded > _MAX_NODES:
            raise _TooLarge

    def _cycle(self, path: YamlPath) -> None:
        # The node was written at its anchor: show the key the alias was used under.
        self.refused.add(path)
        line, column = self.keys.get(path, self.values[path])
        message = "an alias refers to a value that contains it"
        self.errors.append(Diagnostic(self.file, line, column, format_path(path), message))

    def _scalar(self, node: yaml.ScalarNode, path: YamlPath) -> Any:
        make = _SCALARS.get(node.tag)
        if make is None:
            return self._refuse_tag(node, path)
        if node.tag != _STR:
            self.raw[path] = node.value
        try:
            return make(node)
        except (ValueError, KeyError):
            return self._refuse(node, path, f"'{node.value}' is not a valid {_short(node.tag)}")

    def _mapping(self, node: yaml.MappingNode, path: YamlPath) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        # Merged entries first, so the mapping's own keys override them and keep their positions.
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self._merge(value_node, path, out)
        self.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        first: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                continue
            key = self._key(key_node, path)
            if key is _BAD:
                continue
            line = key_node.start_mark.line + 1
            if key in first:
                message = f"duplicate key '{key_node.value}' (first at line {first[key]})"
                self._error(key_node, path, message)
                continue
            first[key] = line
            key_path = (*path, key if isinstance(key, str | int) else str(key))
            self.keys[key_path] = (line, key_node.start_mark.column + 1)
            if key_node.tag != _STR:
                self.raw[(*key_path, "[key]")] = key_node.value
            out[key] = self.build(value_node, key_path)
        return out

    def _key(self, node: yaml.Node, path: YamlPath) -> Any:
        make = _SCALARS.get(node.tag) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(node, yaml.ScalarNode):
            self._error(node, path, "a key must be plain text, not a list or mapping")
        elif make is None:
            self._error(node, path, _tag_message(node.tag))
        else:
            try:
                return make(node)
            except (ValueError, KeyError):
                self._error(node, path, f"'{node.value}' is not a valid {_short(node.tag)}")
        return _BAD

    def _merge(self, node: yaml.Node, path: YamlPath, out: dict[Any, Any]) -> None:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        # The first of several merged mappings wins, so apply them last to first.
        for source in reversed(sources):
            merged = self.build(source, path) if isinstance(source, yaml.MappingNode) else None
            if isinstance(merged, dict):
                out.update(merged)
            elif not isinstance(source, yaml.MappingNode):
                self._error(source, path, "'<<' merges mappings only")

    def _refuse_tag(self, node: yaml.Node, path: YamlPath) -> None:
        return self._refuse(node, path, _tag_message(node.tag))

    def _refuse(self, node: yaml.Node, path: YamlPath, message: str) -> None:
        self.refused.add(path)
        self._error(node, path, message)

    def _error(self, node: yaml.Node, path: YamlPath, message: str) -> None:
        mark = node.start_mark
        where = format_path(path)
        self.errors.append(Diagnostic(self.file, mark.line + 1, mark.column + 1, where, message))


_BAD = object()


def _tag_message(tag: str) -> str:
    return f"tag '{_short(tag)}' is not allowed; a story is plain YAML without tags"


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


def _compose(file: str, text: str, loader: YamlLoader) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as error:
        found = SyntaxProblem.of(error)
        raise StoryError([syntax_diagnostic(file, text, found)]) from None
    except yaml.reader.ReaderError as error:
        code = error.character if isinstance(error.character, int) else 0
        raise StoryError([control_character_diagnostic(file, text, error.position, code)]) from None
    except RecursionError:
        message = f"nested more than {_MAX_DEPTH} levels deep"
        raise StoryError([Diagnostic(file, 0, 0, "", message)]) from None


@dataclass(frozen=True, slots=True)
class Parsed:
    """One YAML file as plain data, with its positions and the problems met reading it."""

    file: str
    document: Any
    values: dict[YamlPath, tuple[int, int]]
    keys: dict[YamlPath, tuple[int, int]]
    raw: dict[YamlPath, str]  # source text of non-string scalars, for "quote it" hints
    refused: set[YamlPath]  # paths already reported (bad tags, cycles, depth)
    errors: list[Diagnostic]


def parse_yaml(
    file: str, text: str, *, empty: str, noun: str = "story", loader: YamlLoader = FAST_LOADER
) -> Parsed:
    """Compose `text` (shown as `file` in diagnostics) into plain data and its positions.

    Raises:
        StoryError: a syntax error, an empty document (worded as `empty`), or aliases that
            expand past the bound, each located in `file`.
    """
    builder = _Builder(file)
    tree = _compose(file, text, loader)
    if tree is None:
        raise StoryError([Diagnostic(file, 0, 0, "", empty)])
    try:
        document = builder.build(tree, ())
    except _TooLarge:
        message = f"aliases expand the {noun} to more than {_MAX_NODES:,} values; use fewer"
        raise StoryError([Diagnostic(file, 0, 0, "", message)]) from None
    return Parsed(
        file, document, builder.values, builder.keys, builder.raw, builder.refused,
        builder.errors,
    )  # fmt: skip
