"""The ids `--only` and `--force` take: step ids and scene ids, typos named with a fix."""

from __future__ import annotations

from collections.abc import Iterable

from storyforge.compile.plan import Plan
from storyforge.diagnostics import did_you_mean
from storyforge.errors import UsageError


def resolve_ids(plan: Plan, ids: Iterable[str], option: str) -> frozenset[str]:
    """The step ids meant: a scene id stands for every step of that scene.

    Raises:
        UsageError: for an id that is neither, naming the closest step or scene id.
    """
    scenes: dict[str, list[str]] = {}
    for step in plan.steps:
        if step.scene:
            scenes.setdefault(step.scene, []).append(step.id)
    chosen: set[str] = set()
    for name in ids:
        if name in plan:
            chosen.add(name)
        elif name in scenes:
            chosen.update(scenes[name])
        else:
            hint = did_you_mean(name, [*(s.id for s in plan.steps), *scenes])
            raise UsageError(f"{option}: no step or scene '{name}' in {plan.story_path.name}{hint}")
    return frozenset(chosen)
