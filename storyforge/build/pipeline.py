"""`storyforge build`: load, compile, execute, record; the one orchestrator, top to bottom."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from storyforge.build.adopt import adopt_out, refuse_lost_takes
from storyforge.build.batch_mode import batch_mode
from storyforge.build.calls import BuildStore, InputReader
from storyforge.build.executor import Context, Limits, execute
from storyforge.build.guards import (
    check_output_names,
    default_out,
    prepare_out,
    prepare_store,
    story_inputs,
)
from storyforge.build.recorder import MANIFEST_NAME, Recorder, Reporter, RunInfo
from storyforge.build.selection import resolve_ids
from storyforge.build.status import predict
from storyforge.compile.compiler import compile_plan, load_checked
from storyforge.compile.plan import Plan
from storyforge.errors import StoryError
from storyforge.outputs.derived import (
    DERIVED_DIR,
    DerivedContext,
    selected_outputs,
    write_derived,
)
from storyforge.outputs.results import StepResult
from storyforge.outputs.sheet_live import LiveSheet, live_sheet
from storyforge.providers import key_identity, open_provider, options_from_env, resolve_provider
from storyforge.providers.base import ProviderOptions
from storyforge.store.cacheconfig import configured_tier
from storyforge.store.lock import Lock
from storyforge.store.objects import Store
from storyforge.store.scrub import scrub_tree
from storyforge.store.shared import SharedTier
from storyforge.story.checks import check_story
from storyforge.story.images import load_reference_bytes
from storyforge.story.loader import LoadedStory

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """Everything `storyforge build` was asked to do."""

    story: Path
    out: Path | None = None  # default: out/ beside the story
    provider: str = "auto"
    model: str | None = None  # overrides every step's model
    limits: Limits = field(default_factory=Limits)
    only: tuple[str, ...] = ()
    force: tuple[str, ...] = ()
    timeout_s: float | None = None
    retries: int | None = None
    debug_http: bool = False
    env: Mapping[str, str] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()  # derived outputs asked for; default: the story's choice
    cache: bool = True  # the shared cache, when one is configured (--no-cache: False)
    cache_read_only: bool = False


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did, for the command's summary and exit code."""

    out: Path
    provider: str
    results: tuple[StepResult, ...]
    calls: int
    spent_usd: float
    interrupted: bool
    manifest: Path
    contact_sheet: Path | None
    # Where each step is declared (`story.yaml:LINE:COL`), for failures told at the end.
    places: Mapping[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when every step has its image, 1 when any did not, 130 when interrupted."""
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_OK if all(r.ok for r in self.results) else EXIT_FAILED


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A build made ready to run: everything decided before the first call."""

    loaded: LoadedStory
    plan: Plan
    provider: str  # the provider's name
    settings: ProviderOptions
    store: BuildStore
    out: Path
    outputs: tuple[str, ...]  # the derived outputs to write
    recorder: Recorder
    context: Context
    live: LiveSheet | None


async def build(options: BuildOptions, reporter: Reporter) -> BuildReport:
    """Build a story; failed steps are in the report, bad input raises StoryforgeError."""
    ready = _prepare(options, reporter)
    reporter.start(ready.plan.title, len(ready.context.selection or ready.plan.steps))
    try:
        async with (
            open_provider(ready.provider, ready.settings) as opened,
            batch_mode(options.limits.batch, opened, ready.store.root, reporter.notice) as provider,
        ):
            execution = await execute(ready.plan, provider, ready.context)
        # Saved while the sheet's worker may still be drawing the last row.
        ready.recorder.finish(execution.results, execution.calls)
    finally:
        reporter.stop()
        if ready.live is not None:
            ready.live.close()
    sheet = None if execution.interrupted else _write_outputs(ready)
    return BuildReport(
        ready.out, ready.provider, execution.results, execution.calls, execution.spent_usd,
        execution.interrupted, ready.out / MANIFEST_NAME, sheet, step_places(ready.plan),
    )  # fmt: skip


def _prepare(options: BuildOptions, reporter: Reporter) -> _Prepared:
    """Load, compile and check; ready the store, OUT and the record; refuse lost takes."""
    loaded, plan = load_and_compile(options.story, options.model)
    only = resolve_ids(plan, options.only, "--only")
    force = resolve_ids(plan, options.force, "--force")
    provider_name, notice = resolve_provider(options.provider, options.env)
    settings = options_from_env(
        provider_name, options.env, timeout_s=options.timeout_s,
        max_attempts=None if options.retries is None else options.retries + 1,
        debug_http=options.debug_http or None,
    )  # fmt: skip
    store, lock, out = _ready_files(options, loaded, plan, reporter)
    identity = key_identity(provider_name, options.env)
    selection = frozenset(plan.ancestors(only)) if only else None
    statuses = predict(plan, provider=identity, store=store, lock=lock, force=force)
    refuse_lost_takes(
        (s for s in statuses if selection is None or s.step.id in selection), plan.story_path.name
    )
    names = selected_outputs(loaded.story, options.outputs)
    # The contact sheet is drawn row by row as steps finish, while calls are in flight.
    live = live_sheet(loaded.story, plan, out, store.root) if "contact_sheet" in names else None
    info = RunInfo(provider_name, options.model or loaded.story.model)
    recorder = Recorder(plan, out, store, lock, reporter, info, live=live)
    recorder.keep_unselected(selection)  # OUT and the manifest describe the whole story
    for text in (notice and f"storyforge: {notice}", *(w.format() for w in plan.warnings)):
        if text:
            reporter.notice(text)
    context = Context(
        identity, store, lock,
        InputReader(loaded.root, store, load_reference_bytes),
        recorder, options.limits, selection, force,
    )  # fmt: skip
    return _Prepared(
        loaded, plan, provider_name, settings, store, out, names, recorder, context, live
    )


def _ready_files(
    options: BuildOptions, loaded: LoadedStory, plan: Plan, reporter: Reporter
) -> tuple[BuildStore, Lock, Path]:
    """The store (with its shared tier), the lock and OUT, checked and made safe to use."""
    shared = shared_tier(options, loaded.path, reporter.notice)
    store = BuildStore(Store.beside(loaded.path).root, warn=reporter.notice, shared=shared)
    lock = Lock.beside(loaded.path)
    check_output_names(plan)
    out = options.out or default_out(loaded.root)
    prepare_out(out, inputs=story_inputs(loaded, plan), store=store.root)
    prepare_store(store)
    scrub_tree(store.root, DERIVED_DIR)  # a shipped cache of drawn outputs holds no links
    adopt_out(out, store, lock)  # a fresh clone's committed out/ keeps its picks
    return store, lock, out


def _write_outputs(ready: _Prepared) -> Path | None:
    """Write the derived outputs, list them in the record; the contact sheet's first page."""
    derived = DerivedContext(
        ready.loaded.story, ready.loaded.path, ready.plan, ready.recorder.results,
        ready.recorder.files, ready.out, ready.store.root / DERIVED_DIR,
    )  # fmt: skip
    written = write_derived(derived, ready.outputs)
    ready.recorder.derived_written(written)
    return next(iter(written.get("contact_sheet", ())), None)


def dry_run(options: BuildOptions, reporter: Reporter) -> str:
    """What `build` would do, as `storyforge plan` shows it; makes no call, opens no socket."""
    from storyforge.build.status import format_plan

    loaded, plan = load_and_compile(options.story, options.model)
    only = resolve_ids(plan, options.only, "--only")
    force = resolve_ids(plan, options.force, "--force")
    provider_name, notice = resolve_provider(options.provider, options.env)
    if notice:
        reporter.notice(f"storyforge: {notice}")
    shared = shared_tier(options, loaded.path, reporter.notice)
    store = Store.beside(loaded.path, shared=shared, pull=False)  # a dry run copies nothing
    lock = Lock.beside(loaded.path)
    adopt_out(options.out or default_out(loaded.root), store, lock)
    identity = key_identity(provider_name, options.env)
    statuses = predict(
        plan, provider=identity, store=store, lock=lock, force=force, batch=options.limits.batch
    )
    if only:
        wanted = plan.ancestors(only)
        statuses = [s for s in statuses if s.step.id in wanted]
    return format_plan(plan, statuses, provider=provider_name)


def shared_tier(
    options: BuildOptions, story: Path, notice: Callable[[str], None]
) -> SharedTier | None:
    """The shared cache the options and the environment ask for, announced once."""
    return configured_tier(
        story, options.env, enabled=options.cache, read_only=options.cache_read_only, notice=notice
    )


def step_places(plan: Plan) -> dict[str, str]:
    """`story.yaml:LINE:COL` of each step declared in the story file, as editors link it."""
    return {
        s.id: f"{plan.story_path}:{s.line}:{s.column}" for s in plan.steps if s.line and s.column
    }


def load_and_compile(story_path: Path, model: str | None = None) -> tuple[LoadedStory, Plan]:
    """Load and compile a story, with every step's model replaced by `model` when given."""
    loaded = load_checked(story_path)
    if model:
        loaded = _with_model(loaded, model)
    return loaded, compile_plan(loaded)


def _with_model(loaded: LoadedStory, model: str) -> LoadedStory:
    story = loaded.story
    scenes = tuple(
        scene.model_copy(
            update={"panels": tuple(p.model_copy(update={"model": None}) for p in scene.panels)}
        )
        for scene in story.scenes
    )
    story = story.model_copy(update={"model": model, "scenes": scenes})
    # The story's ratios and sizes were checked against its own models: check them again.
    problems = [d for d in check_story(story, loaded.source) if d.severity == "error"]
    if problems:
        raise StoryError(problems)
    return dataclasses.replace(loaded, story=story)
