"""Jinja prompt rendering in a sandbox: story fields, kind templates, and located errors.

Every prompt-bearing field (panel `prompt`, style `prompt`, character `description`) is
a template rendered with strict undefined names in an immutable sandbox (templates can
read the context but never change it, so one panel cannot affect the next). Templates
load from the story folder (nothing outside it, not even through a symlink) and from the
built-in `storyforge/compile/templates/*.j2`, which are reachable as `builtin/<kind>.j2`.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.exceptions
import jinja2.runtime
from jinja2.sandbox import ImmutableSandboxedEnvironment

from storyforge.compile.phrases import capfirst, clause, is_template, sentence, tidy
from storyforge.compile.substitute import substitute
from storyforge.diagnostics import did_you_mean
from storyforge.story.refpaths import story_files
from storyforge.story.sourcemap import YamlPath

_Loaded = jinja2.Template | str  # a compiled template, or why it could not be compiled


class TemplateProblem(ValueError):
    """A template that cannot be rendered, with the YAML path of the field responsible."""

    def __init__(self, message: str, path: YamlPath) -> None:
        self.path = path
        super().__init__(message)


MAX_PROMPT_CHARS = 100_000  # far beyond any real prompt; a runaway template stops here


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with a bound on what a stranger's template can make.

    `"a" * 10**9` or `9 ** 9 ** 9` would exhaust memory or time before any output
    exists, so those operators are checked; output size is bounded while rendering.
    """

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        """Refuse `*` that would build a huge sequence and `**` with a large exponent."""
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise jinja2.exceptions.SecurityError("exponent too large in template")
        if operator == "*" and _huge_repeat(left, right):
            raise jinja2.exceptions.SecurityError(
                f"template text longer than {MAX_PROMPT_CHARS:,} characters"
            )
        return super().call_binop(context, operator, left, right)


def _huge_repeat(left: Any, right: Any) -> bool:
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(count, int):
            return len(seq) * count > MAX_PROMPT_CHARS
    return False


def _bounded(chunks: Iterable[str]) -> str:
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_PROMPT_CHARS:
            raise jinja2.exceptions.SecurityError(
                f"template text longer than {MAX_PROMPT_CHARS:,} characters"
            )
        out.append(chunk)
    return "".join(out)


class _LeavesFolder(jinja2.TemplateError):
    """A template path that resolves outside the story folder (not "not found": no fallback)."""


class _Undefined(jinja2.StrictUndefined):
    """Strict undefined values whose message says what was there instead."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        obj, name = self._undefined_obj, self._undefined_name
        if self._undefined_hint:
            return self._undefined_hint
        if isinstance(obj, Mapping) and isinstance(name, str) and not obj:
            return f"'{name}' is undefined in the prompt template; that value is empty"
        if isinstance(obj, Mapping) and isinstance(name, str):
            keys = ", ".join(sorted(map(str, obj)))
            return f"'{name}' is undefined in the prompt template; that value has {keys}" + (
                did_you_mean(name, map(str, obj))
            )
        if obj is None and isinstance(name, str):
            return f"'{name}' of None is undefined in the prompt template; check with {{% if %}}"
        return str(super()._undefined_message)


class _StoryFolderLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader (which already refuses `..`) that also refuses symlinks out."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self._root = root.resolve()

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source = super().get_source(environment, template)
        if not Path(source[1]).resolve().is_relative_to(self._root):
            raise _LeavesFolder(template)
        return source


class PromptRenderer:
    """Renders story fields and kind templates for one story folder; compiles each once."""

    def __init__(self, root: Path, overrides: Mapping[str, str | None]) -> None:
        """Build the sandbox for `root`; `overrides` maps a kind to a template file or None."""
        self._root = root
        self._overrides = dict(overrides)
        loader = jinja2.ChoiceLoader(
            [
                jinja2.PrefixLoader(
                    {"builtin": jinja2.PackageLoader("storyforge.compile", "templates")}
                ),
                _StoryFolderLoader(root),
            ]
        )
        self._env = _Sandbox(
            loader=loader,
            undefined=_Undefined,
            autoescape=False,
            keep_trailing_newline=False,
            auto_reload=False,
        )
        self._env.filters.update(sentence=sentence, clause=clause, capfirst=capfirst)
        self._inline: dict[str, _Loaded] = {}
        self._kinds: dict[str, _Loaded] = {}
        self._files: list[str] | None = None

    def render_field(self, source: str, context: Mapping[str, Any], path: YamlPath) -> str:
        """Render a template written in the story at `path` (plain text passes through).

        Raises:
            TemplateProblem: a syntax error, an undefined name, a refused unsafe access,
                a missing included file or any other error, located at `path`.
        """
        if not is_template(source):
            return source.strip()
        quick = substitute(source, context)
        if quick is not None:
            return quick.strip()
        template = self._inline.get(source)
        if template is None:
            template = self._inline[source] = self._load(lambda: self._env.from_string(source))
        return self._render(template, context, None, path).strip()

    def compose(self, kind: str, context: Mapping[str, Any]) -> str:
        """Render the kind's template (the story's override, else the built-in), tidied.

        Raises:
            TemplateProblem: located at `templates.<kind>` (the template line is named).
        """
        name = self._overrides.get(kind) or f"builtin/{kind}.j2"
        template = self._kinds.get(kind)
        if template is None:
            template = self._kinds[kind] = self._load(lambda: self._kind_template(name), name)
        return tidy(self._render(template, context, name, ("templates", kind)))

    def _kind_template(self, name: str) -> jinja2.Template:
        template = self._env.get_template(name)
        # Rendered once per step: a flat dict of globals halves Jinja's per-render overhead
        # (it copies them into every new context, and a ChainMap copies slowly).
        template.globals = dict(template.globals)
        return template

    def _load(self, make: Callable[[], jinja2.Template], name: str | None = None) -> _Loaded:
        # A broken template is remembered, so thousands of panels sharing it fail fast.
        try:
            return make()
        except Exception as error:  # a story's template may raise anything
            return self._explain(error, {}, name)

    def _render(
        self, template: _Loaded, context: Mapping[str, Any], name: str | None, path: YamlPath
    ) -> str:
        if isinstance(template, str):
            raise TemplateProblem(template, path)
        try:
            return _bounded(template.generate(context))
        except Exception as error:  # a story's template may raise anything
            raise TemplateProblem(self._explain(error, context, name), path) from None

    def _explain(self, error: Exception, context: Mapping[str, Any], name: str | None) -> str:
        message = _message(error, context, self._template_files)
        file, line = _origin(error)
        where = name if file is None or file.startswith("<") else self._relative(file)
        if isinstance(error, jinja2.TemplateNotFound) and where == name == error.name:
            return message
        if where:
            return f"{where}{f', line {line}' if line else ''}: {message}"
        return f"{message} (template line {line})" if line and line > 1 else message

    def _relative(self, file: str) -> str:
        path, root = Path(file).resolve(), self._root.resolve()
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else file

    def _template_files(self) -> list[str]:
        if self._files is None:
            self._files = story_files(self._root, frozenset({".j2", ".jinja", ".txt"}))
        return self._files


def _message(error: Exception, context: Mapping[str, Any], files: Callable[[], list[str]]) -> str:
    if isinstance(error, _LeavesFolder) or (
        isinstance(error, jinja2.TemplateNotFound) and _escapes(str(error.name))
    ):
        name = error.message if isinstance(error, _LeavesFolder) else error.name
        return f"template '{name}' leaves the story folder; templates must stay inside it"
    if isinstance(error, jinja2.TemplateNotFound):
        return f"no such template file '{error.name}'{did_you_mean(str(error.name), files())}"
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"template syntax error: {error.message}"
    if isinstance(error, jinja2.exceptions.SecurityError):
        return f"unsafe attribute access in template refused ({error})"
    if isinstance(error, jinja2.UndefinedError):
        return _undefined(str(error), context)
    return f"template error: {type(error).__name__}: {error}"


def _escapes(name: str) -> bool:
    return name.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", name)


def _undefined(text: str, context: Mapping[str, Any]) -> str:
    name = re.fullmatch(r"'(.+)' is undefined", text)
    if name:
        known = ", ".join(sorted(context))
        hint = did_you_mean(name[1], context)
        return f"'{name[1]}' is undefined in the prompt template; known names: {known}{hint}"
    return text if "prompt template" in text else f"{text} in the prompt template"


def _origin(error: Exception) -> tuple[str | None, int | None]:
    if isinstance(error, jinja2.TemplateSyntaxError):
        return error.filename or error.name, error.lineno
    frames = [
        f for f in traceback.extract_tb(error.__traceback__) if not f.filename.endswith(".py")
    ]
    return (frames[-1].filename, frames[-1].lineno) if frames else (None, None)
