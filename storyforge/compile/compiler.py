"""compile_plan: a loaded story becomes its Plan, every problem found offline and reported at once.

The stages, in order: check every reference file where it is written; build one step per
character sheet (in character order) and per panel (in story order) with its settings,
inputs (see `storyforge.compile.references` for the policy) and rendered prompt; refuse cycles;
order the steps topologically, ties broken by story order, and rank them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import pairwise
from pathlib import Path

from storyforge.compile.book_checks import book_diagnostics
from storyforge.compile.graph import find_cycles, schedule
from storyforge.compile.plan import Plan
from storyforge.compile.steps import Built, StepBuilder
from storyforge.diagnostics import Diagnostic
from storyforge.errors import StoryError
from storyforge.story.checks import STEP_LIKE
from storyforge.story.images import ReferenceFiles
from storyforge.story.loader import LoadedStory, load_story
from storyforge.story.models import Ref, Story, ref_path
from storyforge.story.sourcemap import SourceMap, YamlPath


def load_checked(path: Path) -> LoadedStory:
    """`load_story`, and when only cross-references are wrong, the reference files too.

    Ids must be right before steps can be built, but files can be checked regardless, so
    a first report already names a missing or escaping file beside an unknown id.
    """
    try:
        return load_story(path)
    except StoryError as error:
        if not isinstance(error.partial, LoadedStory):
            raise
        loaded = error.partial
        builder = StepBuilder(loaded.story, loaded.source, ReferenceFiles(loaded.root))
        builder.check_files(
            (ref, at) for ref, at in _declared_files(loaded.story) if _is_file(ref, at)
        )
        raise StoryError([*error.diagnostics, *builder.problems]) from None


def _is_file(ref: str, at: YamlPath) -> bool:
    # The loader's rule: edit names a step; an id-like ref is a step (checked there).
    return at[-1] != "edit" and not STEP_LIKE.fullmatch(ref)


def compile_plan(loaded: LoadedStory) -> Plan:
    """Compile a loaded story into its Plan; never touches the network.

    Raises:
        StoryError: with every problem found: reference files (outside the story folder,
            missing, not images, too large), templates, explicit inputs beyond the model's
            limit, a book's tier heights and lettering that cannot fit, and dependency cycles.
    """
    story = loaded.story
    builder = StepBuilder(story, loaded.source, ReferenceFiles(loaded.root))
    builder.check_files(_declared_files(story))
    built = [builder.sheet(cid) for cid, char in story.characters.items() if char.sheet]
    built += [
        builder.panel(i, j)
        for i, scene in enumerate(story.scenes)
        for j in range(len(scene.panels))
    ]
    story_order = {b.step.id: n for n, b in enumerate(built)}
    deps = {b.step.id: tuple(dict.fromkeys(b.step.step_inputs)) for b in built}
    book_errors, book_warnings = book_diagnostics(story, loaded.source)
    problems = [*builder.problems, *book_errors]
    problems += _cycle_problems(deps, story_order, built, loaded.source)
    if problems:
        raise StoryError(list(dict.fromkeys(problems)))
    order, rank = schedule(deps, story_order)
    steps = {b.step.id: b.step for b in built}
    return Plan(
        story_path=loaded.path,
        root=loaded.root,
        story_sha256=loaded.sha256,
        title=story.title,
        steps=tuple(steps[sid] for sid in order),
        deps=deps,
        rank=rank,
        warnings=(*loaded.warnings, *builder.warnings(), *book_warnings),
    )


def _declared_files(story: Story) -> Iterator[tuple[str, YamlPath]]:
    owners: list[tuple[str, Mapping[str, object]]] = [
        ("characters", story.characters),
        ("locations", story.locations),
        ("styles", story.styles),
    ]
    for section, items in owners:
        for item_id, item in items.items():
            refs: tuple[str, ...] = getattr(item, "references", ())
            yield from ((ref, (section, item_id, "references", n)) for n, ref in enumerate(refs))
    for i, scene in enumerate(story.scenes):
        for j, panel in enumerate(scene.panels):
            at = ("scenes", i, "panels", j)
            if panel.edit is not None:
                yield panel.edit, (*at, "edit")
            for field in ("fuse", "references"):
                named: tuple[Ref, ...] = getattr(panel, field)
                for n, item in enumerate(named):
                    path: YamlPath = (*at, field, n)
                    yield ref_path(item), path if isinstance(item, str) else (*path, "ref")


def _cycle_problems(
    deps: Mapping[str, tuple[str, ...]],
    story_order: Mapping[str, int],
    built: list[Built],
    source: SourceMap,
) -> list[Diagnostic]:
    needs_at = {b.step.id: b.needs_at for b in built}
    problems = []
    for cycle in find_cycles(deps, story_order):
        links = list(pairwise(cycle))
        # A panel needs its previous panel through the scene's continuity, not a field.
        chained = [
            f"{a} follows {b} in a chained scene" for a, b in links if _is_chain(needs_at[a][b])
        ]
        why = f" ({'; '.join(chained)})" if chained else ""
        fix = "remove one of these inputs" + (" or set `continuity: none`" if chained else "")
        message = f"steps need each other: {' -> '.join(cycle)}{why}; {fix}"
        problems.append(source.diagnostic(needs_at[cycle[0]][cycle[1]], message))
    return problems


def _is_chain(path: YamlPath) -> bool:
    return len(path) == 4 and path[0] == "scenes"
