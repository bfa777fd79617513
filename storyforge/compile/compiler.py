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
from storyforge.compile.scripts import script_warnings
from storyforge.compile.steps import Built, StepBuilder
from storyforge.diagnostics import Diagnostic
from storyforge.errors import StoryError
from storyforge.story.checks import STEP_LIKE
from storyforge.story.images import ReferenceFiles
from storyforge.story.loader import LoadedStory, load_story
from storyforge.story.models import Ref, Story, ref_path
from storyforge.story.sourcemap import SourceMap, YamlPath


def load_checked(path: Path) -> LoadedStory:
    """`load_story`, and when only cross-references are wrong, the files and cycles too.

    Ids must be right before a plan can be built, but files can be checked regardless, and
    cycles found over the first use of each id, so a first report already names a missing
    file or a cycle beside an unknown or duplicate id.
    """
    try:
        return load_story(path)
    except StoryError as error:
        if not isinstance(error.partial, LoadedStory):
            raise
        loaded = error.partial
        files = ReferenceFiles(loaded.root)
        builder = StepBuilder(loaded.story, loaded.source, files)
        builder.check_files(
            (ref, at) for ref, at in _declared_files(loaded.story) if _is_file(ref, at)
        )
        # Its own problems (templates, input limits) are the next round's, once ids are right.
        graph_builder = StepBuilder(loaded.story, loaded.source, files)
        cycles = _graph_problems(_build_steps(graph_builder, loaded.story), loaded.source)
        raise StoryError([*error.diagnostics, *builder.problems, *cycles]) from None


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
    built = _build_steps(builder, story)
    story_order, deps = _graph(built)
    book_errors, book_warnings = book_diagnostics(story, loaded.source)
    problems = [*builder.problems, *book_errors, *_graph_problems(built, loaded.source)]
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
        warnings=(
            *loaded.warnings,
            *builder.warnings(),
            *book_warnings,
            *script_warnings(story, loaded.source),
        ),
    )


def _build_steps(builder: StepBuilder, story: Story) -> list[Built]:
    """Every sheet and panel step in story order; a reused id keeps its first use only."""
    built = [builder.sheet(cid) for cid, char in story.characters.items() if char.sheet]
    seen = {b.step.id for b in built}
    for i, scene in enumerate(story.scenes):
        for j, panel in enumerate(scene.panels):
            if panel.id not in seen:
                seen.add(panel.id)
                built.append(builder.panel(i, j))
    return built


def _graph(built: list[Built]) -> tuple[dict[str, int], dict[str, tuple[str, ...]]]:
    story_order = {b.step.id: n for n, b in enumerate(built)}
    # A step naming itself is its own error (`check_story`), not a cycle to report again.
    deps = {
        b.step.id: tuple(d for d in dict.fromkeys(b.step.step_inputs) if d != b.step.id)
        for b in built
    }
    return story_order, deps


def _graph_problems(built: list[Built], source: SourceMap) -> list[Diagnostic]:
    story_order, deps = _graph(built)
    return _cycle_problems(deps, story_order, built, source)


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
