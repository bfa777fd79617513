"""Jinja prompt rendering in a sandbox: story fields, kind templates, and located errors.

Every prompt-bearing field (panel `prompt`, style `prompt`, character `description`) is
a template rendered with strict undefined names in an immutable sandbox (templates can
read the context but never change it, so one panel cannot affect the next) that bounds
their time and size (`storyforge.compile.sandbox`). Templates load from the story's own
template files (`storyforge.compile.templatefiles`) and from the built-in
`storyforge/compile/templates/*.j2`, which are reachable as `builtin/<kind>.j2`.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.exceptions

from storyforge.compile import limits
from storyforge.compile.bounds import PromptTooLong, TemplateBound, TemplateOverrun
from storyforge.compile.phrases import capfirst, clause, is_template, sentence, tidy
from storyforge.compile.sandbox import BoundedSandbox
from storyforge.compile.substitute import substitute
from storyforge.compile.templatefiles import StoryFolderLoader, TemplateRefused
from storyforge.compile.undefined import StrictNames, undefined_message
from storyforge.diagnostics import did_you_mean
from storyforge.story.refpaths import story_files
from storyforge.story.sourcemap import YamlPath

_BUILTIN = Path(__file__).parent.resolve() / "templates"
_Loaded = jinja2.Template | str  # a compiled template, or why it could not be compiled


class TemplateProblem(ValueError):
    """A template that cannot be rendered, with the YAML path of the field responsible."""

    def __init__(self, message: str, path: YamlPath) -> None:
        self.path = path
        super().__init__(message)


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
                StoryFolderLoader(root),
            ]
        )
        self._env = BoundedSandbox(
            loader=loader,
            undefined=StrictNames,
            autoescape=False,
            keep_trailing_newline=False,
            auto_reload=False,
        )
        self._env.add_filters({"sentence": sentence, "clause": clause, "capfirst": capfirst})
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
            return _plain(source.strip(), path)
        quick = substitute(source, context, limits.MAX_PROMPT_CHARS)
        if quick is not None:
            return quick.strip()
        template = self._inline.get(source)
        if template is None:
            template = self._inline[source] = self._load(lambda: self._env.from_string(source))
        return self._render(template, context, None, path, (self._inline, source)).strip()

    def compose(
        self, kind: str, context: Mapping[str, Any], prompt_at: YamlPath | None = None
    ) -> str:
        """Render the kind's template (the story's override, else the built-in), tidied.

        Raises:
            TemplateProblem: located at `templates.<kind>` (the template line is named); a
                built-in template's output over the prompt limit at `prompt_at`, the text
                the story wrote, since the story has no template to fix.
        """
        override = self._overrides.get(kind)
        name = override or f"builtin/{kind}.j2"
        template = self._kinds.get(kind)
        if template is None:
            template = self._kinds[kind] = self._load(lambda: self._kind_template(name), name)
        where: YamlPath = ("templates", kind)
        cache = (self._kinds, kind)
        if override is not None or prompt_at is None:
            return tidy(self._render(template, context, name, where, cache))
        try:
            return tidy(self._render(template, context, name, where, cache, measure=True))
        except PromptTooLong as error:
            raise TemplateProblem(_too_long(kind, error.size), prompt_at) from None

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
        self,
        template: _Loaded,
        context: Mapping[str, Any],
        name: str | None,
        path: YamlPath,
        cache: tuple[dict[str, _Loaded], str],
        *,
        measure: bool = False,
    ) -> str:
        if isinstance(template, str):
            raise TemplateProblem(template, path)
        try:
            with self._env.rendering():
                return self._env.bounded(template.generate(context), measure=measure)
        except PromptTooLong:
            raise  # measured only for a caller that knows where the text was written
        except Exception as error:  # a story's template may raise anything
            message = self._explain(error, context, name)
            if isinstance(error, TemplateOverrun):  # so a thousand panels fail at once
                cache[0][cache[1]] = message
            raise TemplateProblem(message, path) from None

    def _explain(self, error: Exception, context: Mapping[str, Any], name: str | None) -> str:
        message = _message(error, context, self._template_files)
        file, line = _origin(error)
        where = name if file is None or file.startswith("<") else self._relative(file)
        refused = isinstance(error, jinja2.TemplateNotFound | TemplateRefused)
        if refused and where == name == getattr(error, "name", None):
            return message
        if where:
            return f"{where}{f', line {line}' if line else ''}: {message}"
        return f"{message} (template line {line})" if line and line > 1 else message

    def _relative(self, file: str) -> str:
        path, root = Path(file).resolve(), self._root.resolve()
        if path.is_relative_to(_BUILTIN):
            return f"builtin/{path.relative_to(_BUILTIN).as_posix()}"
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else file

    def _template_files(self) -> list[str]:
        if self._files is None:
            self._files = story_files(self._root, frozenset({".j2", ".jinja", ".txt"}))
        return self._files


def _message(error: Exception, context: Mapping[str, Any], files: Callable[[], list[str]]) -> str:
    if isinstance(error, TemplateRefused | TemplateBound):
        return str(error)
    if isinstance(error, jinja2.TemplateNotFound):
        return f"no such template file '{error.name}'{did_you_mean(str(error.name), files())}"
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"template syntax error: {error.message}"
    if isinstance(error, jinja2.exceptions.SecurityError):
        return f"unsafe attribute access in template refused ({error})"
    if isinstance(error, jinja2.UndefinedError):
        return undefined_message(error, context)
    return f"template error: {type(error).__name__}: {error}"


def _plain(text: str, path: YamlPath) -> str:
    if len(text) > limits.MAX_PROMPT_CHARS:
        message = (
            f"the prompt is {len(text):,} characters; prompts may have at most "
            f"{limits.MAX_PROMPT_CHARS:,} characters"
        )
        raise TemplateProblem(message, path)
    return text


def _too_long(kind: str, size: int) -> str:
    limit = limits.MAX_PROMPT_CHARS
    return (
        f"the rendered prompt is {size:,} characters, {size - limit:,} over the limit of "
        f"{limit:,}, once the built-in {kind} template adds the shot, setting, cast and "
        "style; shorten this text"
    )


def _origin(error: Exception) -> tuple[str | None, int | None]:
    if isinstance(error, jinja2.TemplateSyntaxError):
        return error.filename or error.name, error.lineno
    frames = [
        f for f in traceback.extract_tb(error.__traceback__) if not f.filename.endswith(".py")
    ]
    return (frames[-1].filename, frames[-1].lineno) if frames else (None, None)
