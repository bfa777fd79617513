"""Before the first paid call: OUT and the store must be usable, and OUT must spare the inputs.

A call whose answer cannot be kept is money thrown away, so both folders are probed
before any call. An OUT that holds an input of the story (`build -o .` beside `mara.png`
and a panel `mara`) would let an output overwrite it, so such an OUT is refused.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from storyforge.compile.plan import Plan
from storyforge.errors import UsageError
from storyforge.names import is_reserved_output_name
from storyforge.store.lock import lock_path
from storyforge.store.objects import Store
from storyforge.story.loader import LoadedStory


def story_inputs(loaded: LoadedStory, plan: Plan) -> tuple[Path, ...]:
    """Every file of the story folder the build reads: story, templates, lock, references."""
    templates = loaded.story.templates.model_dump().values()
    refs = {i.ref for step in plan.steps for i in step.inputs if i.source == "file"}
    named = [loaded.path, lock_path(loaded.path)]
    named += [loaded.root / t for t in templates if isinstance(t, str)]
    named += [loaded.root / ref for ref in sorted(refs)]
    return tuple(named)


def prepare_out(out: Path, *, inputs: Iterable[Path] = (), store: Path | None = None) -> Path:
    """Create the output folder and check it can be written; UsageError when it cannot be."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        # A name of its own per build: two builds probing one folder must not race.
        with tempfile.NamedTemporaryFile(dir=out, prefix=".storyforge-write-test-"):
            pass
    except OSError as error:
        raise UsageError(
            f"-o {out}: cannot write there ({error.strerror or error}); pass a writable folder"
        ) from error
    where = _resolved(out)
    for item in inputs:
        if _resolved(item).is_relative_to(where):
            raise UsageError(
                f"-o {out}: the folder holds {item.name}, an input of the story, which an "
                "output could overwrite; pass a folder of its own, such as out/"
            )
    if store is not None and where.is_relative_to(_resolved(store)):
        raise UsageError(f"-o {out}: that is inside the store {store}; pass another folder")
    return out


def default_out(root: Path) -> Path:
    """`out/` beside the story; refused when it is a link (it may have come with the story)."""
    out = root / "out"
    if out.is_symlink():
        raise UsageError(
            f"{out} is a symbolic link, and the default OUT is written only as a real folder; "
            "pass -o to write where it points, or remove it"
        )
    return out


def prepare_store(store: Store) -> None:
    """Probe the store for writing before any call (UsageError naming the fix)."""
    store.probe()


def check_output_names(plan: Plan) -> None:
    """Refuse a step whose image would take the name of one of storyforge's own outputs."""
    for step in plan.steps:
        if is_reserved_output_name(step.id):
            raise UsageError(
                f"{plan.story_path.name}: step '{step.id}' would be written over by "
                f"storyforge's own output of that name; rename the step"
            )


def _resolved(path: Path) -> Path:
    return path.resolve(strict=False)
