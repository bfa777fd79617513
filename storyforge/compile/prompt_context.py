"""What a prompt template sees, and the order a step's prompt pieces are rendered in.

Names in every template: `vars`, `story` (title, model, aspect_ratio, style), `style` (id
and prompt, or None), `scene` (id, title, location, continuity, or None for a sheet),
`panel` (id, kind, shot, caption, characters, location, style, or None for a sheet),
`location` (id, name, description, or None), each character by id (id, name,
description) and `characters` (the step's characters). The kind templates also see
`prompt` (the rendered panel prompt), for a sheet `character`, and ready-made phrases
(each "" when there is nothing to say): `shot` ("Wide shot"), `setting` (the location's
description, else its name), `cast` ("Mara, a keeper; Tomas, a boy") and `style_prompt`.
Dialogue is never in the context, so it can never reach the art; in a lettered book every
panel prompt ends by asking for art with no text at all (`NO_LETTERING`).

Style prompts and character descriptions are rendered first, seeing descriptions as
written; the panel prompt and the kind template then see the rendered ones. A character
whose id is one of the names above is hidden by that name.
"""

from __future__ import annotations

from typing import Any

from storyforge.compile.phrases import capfirst, clause, is_template
from storyforge.compile.prompts import PromptRenderer, TemplateProblem
from storyforge.story.models import Panel, Scene, Story
from storyforge.story.sourcemap import YamlPath

BUILTIN_NAMES = frozenset(
    {"vars", "story", "style", "scene", "panel", "location", "characters", "character", "prompt"}
)
Context = dict[str, Any]
# A lettered book letters its pages after generation: the art must leave that to it.
NO_LETTERING = "No text, captions, lettering or speech balloons anywhere in the image."


class PromptMaker:
    """Renders the full prompt of sheets and panels of one story."""

    def __init__(self, story: Story, renderer: PromptRenderer) -> None:
        """Precompute the parts shared by every step of `story`."""
        self._story = story
        self._renderer = renderer
        self._base: Context = {
            "vars": story.vars,
            "story": {
                "title": story.title,
                "model": story.model,
                "aspect_ratio": story.aspect_ratio,
                "style": story.style,
            },
        }
        self._raw: Context = {
            cid: {"id": cid, "name": c.name, "description": c.description.strip()}
            for cid, c in story.characters.items()
        }
        self._dynamic = [cid for cid, c in story.characters.items() if is_template(c.description)]

    def shadowed(self) -> list[str]:
        """Character ids hidden in templates by a built-in name."""
        return sorted(BUILTIN_NAMES.intersection(self._story.characters))

    def sheet(self, char_id: str) -> tuple[str, list[TemplateProblem]]:
        """The prompt of `<char_id>.sheet`, and every template problem met on the way."""
        extra: Context = {"scene": None, "panel": None, "location": None}
        return self._make("sheet", extra, self._story.style, (char_id,), None)

    def panel(
        self, scene: Scene, panel: Panel, at: YamlPath, kind: str
    ) -> tuple[str, list[TemplateProblem]]:
        """The prompt of a panel, edit or fusion declared at `at`, and its template problems."""
        location_id = panel.location or scene.location
        style_id = panel.style or scene.style or self._story.style
        extra: Context = {
            "scene": {
                "id": scene.id,
                "title": scene.title,
                "location": scene.location,
                "continuity": scene.continuity,
            },
            "panel": {
                "id": panel.id,
                "kind": kind,
                "shot": panel.shot,
                "caption": panel.caption,
                "characters": list(panel.characters),
                "location": location_id,
                "style": style_id,
            },
            "location": self._location(location_id),
        }
        source = (panel.prompt, (*at, "prompt"))
        prompt, problems = self._make(kind, extra, style_id, panel.characters, source)
        book = self._story.book
        if book is not None and book.lettered and prompt:
            prompt = f"{prompt}\n{NO_LETTERING}"
        return prompt, problems

    def _make(
        self,
        kind: str,
        extra: Context,
        style_id: str | None,
        cast: tuple[str, ...],
        source: tuple[str, YamlPath] | None,
    ) -> tuple[str, list[TemplateProblem]]:
        problems: list[TemplateProblem] = []
        style = self._story.styles.get(style_id) if style_id else None
        style_ctx: Context | None = None
        if style is not None and style_id is not None:
            style_ctx = {"id": style_id, "prompt": style.prompt.strip()}
        ctx: Context = {**self._raw, **self._base, **extra, "style": style_ctx}
        ctx["characters"] = [self._raw[c] for c in cast if c in self._raw]
        rendered = dict(self._raw)
        # The cast's plain descriptions too, so one too long is reported where it is written.
        for cid in dict.fromkeys([*self._dynamic, *(c for c in cast if c in self._raw)]):
            text = self._field(
                self._raw[cid]["description"], ctx, ("characters", cid, "description"), problems
            )
            rendered[cid] = {**self._raw[cid], "description": text}
        if style_ctx is not None:
            path = ("styles", style_ctx["id"], "prompt")
            style_ctx = {
                **style_ctx,
                "prompt": self._field(style_ctx["prompt"], ctx, path, problems),
            }
        final: Context = {**rendered, **self._base, **extra, "style": style_ctx}
        final["characters"] = [rendered[c] for c in cast if c in rendered]
        if kind == "sheet":
            final["character"] = final["characters"][0]
        final["prompt"] = self._field(source[0], final, source[1], problems) if source else ""
        final.update(_phrases(final))
        prompt_at = source[1] if source else ("characters", cast[0], "description")
        try:
            return self._renderer.compose(kind, final, prompt_at), problems
        except TemplateProblem as problem:
            return "", [*problems, problem]

    def _field(
        self, text: str, ctx: Context, path: YamlPath, problems: list[TemplateProblem]
    ) -> str:
        try:
            return self._renderer.render_field(text, ctx, path)
        except TemplateProblem as problem:
            problems.append(problem)
            return ""

    def _location(self, location_id: str | None) -> Context | None:
        loc = self._story.locations.get(location_id) if location_id else None
        if loc is None:
            return None
        return {"id": location_id, "name": loc.name, "description": loc.description.strip()}


def _phrases(ctx: Context) -> Context:
    panel, location, style = ctx["panel"], ctx["location"], ctx["style"]
    shot = clause(panel["shot"] or "") if panel else ""
    if shot and not shot.lower().endswith("shot"):
        shot += " shot"
    cast = "; ".join(
        f"{c['name']}, {clause(c['description'])}" if c["description"] else c["name"]
        for c in ctx["characters"]
    )
    return {
        "shot": capfirst(shot),
        "setting": clause(location["description"] or location["name"] or "") if location else "",
        "cast": cast,
        "style_prompt": clause(style["prompt"]) if style else "",
    }
