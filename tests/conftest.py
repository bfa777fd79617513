"""Shared fixtures: steps and plans built by hand, independent of the loader and compiler."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyforge.compile.plan import Input, Plan, Step


def make_step(step_id: str, *inputs: Input, prompt: str = "", takes: int = 1) -> Step:
    """A small panel step on the default test model."""
    return Step(
        id=step_id,
        kind="panel",
        scene="s",
        prompt=prompt or f"draw {step_id}",
        inputs=inputs,
        model="gemini-2.5-flash-image",
        aspect_ratio="1:1",
        width=1024,
        height=1024,
        takes=takes,
    )


def step_input(ref: str) -> Input:
    """An input that is another step's output."""
    return Input(ref=ref, role=f"the panel {ref}", source="step", explicit=False)


def make_plan(root: Path, *steps: Step) -> Plan:
    """A plan over hand-made steps, already in dependency order."""
    deps = {s.id: s.step_inputs for s in steps}
    return Plan(
        story_path=root / "story.yaml",
        root=root,
        story_sha256="0" * 64,
        title="Test",
        steps=steps,
        deps=deps,
        rank=dict.fromkeys(deps, 0),
    )


@pytest.fixture
def chain_plan(tmp_path: Path) -> Plan:
    """a -> b -> c, plus an independent d."""
    return make_plan(
        tmp_path,
        make_step("a"),
        make_step("b", step_input("a")),
        make_step("c", step_input("b"), takes=2),
        make_step("d"),
    )


@pytest.fixture(autouse=True)
def _no_shared_cache_of_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own STORYFORGE_CACHE must never be read or written by the tests."""
    monkeypatch.delenv("STORYFORGE_CACHE", raising=False)
    monkeypatch.delenv("STORYFORGE_CACHE_MODE", raising=False)
