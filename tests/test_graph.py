"""The dependency graph: cycles, topological order with story-order ties, rank, drawings."""

from __future__ import annotations

from pathlib import Path

from storyforge.compile.graph import find_cycles, render_graph, schedule
from tests.compiler_support import assert_snapshot, compile_text


def order_of(*ids: str) -> dict[str, int]:
    return {sid: n for n, sid in enumerate(ids)}


def test_no_cycles_in_a_dag() -> None:
    deps = {"a": (), "b": ("a",), "c": ("a", "b")}
    assert find_cycles(deps, order_of("a", "b", "c")) == []


def test_each_cycle_starts_at_its_first_member_in_story_order() -> None:
    deps = {"a": ("c",), "b": ("a",), "c": ("b",), "d": ("d",), "e": ()}
    assert find_cycles(deps, order_of("a", "b", "c", "d", "e")) == [
        ["a", "c", "b", "a"],
        ["d", "d"],
    ]


def test_the_shortest_way_back_is_shown() -> None:
    deps = {"a": ("b", "c"), "b": ("c",), "c": ("a",)}
    assert find_cycles(deps, order_of("a", "b", "c")) == [["a", "c", "a"]]


def test_ties_follow_story_order_and_rank_is_the_longest_path_to_a_sink() -> None:
    deps = {"s1": (), "s2": (), "p1": ("s2",), "p2": ("s1", "p1"), "p3": ()}
    order, rank = schedule(deps, order_of("s1", "s2", "p1", "p2", "p3"))
    assert order == ["s1", "s2", "p1", "p2", "p3"]
    assert rank == {"s1": 1, "s2": 2, "p1": 1, "p2": 0, "p3": 0}


def test_a_step_never_comes_before_what_it_needs() -> None:
    deps = {"a": ("c",), "b": (), "c": ()}
    order, _ = schedule(deps, order_of("a", "b", "c"))
    assert order == ["b", "c", "a"]


SMALL = """\
storyforge: 1
title: Small
characters:
  mara: {name: Mara, sheet: true}
scenes:
  - id: night
    panels:
      - {id: stairs, characters: [mara], prompt: stairs}
      - {id: lamp, characters: [mara], prompt: lamp}
  - id: end
    panels:
      - {id: lamp-day, edit: lamp, prompt: day}
      - {id: poster, fuse: [stairs, lamp-day], prompt: poster}
"""


def test_render_graph_is_pinned(tmp_path: Path) -> None:
    plan = compile_text(tmp_path, SMALL)
    assert_snapshot("graph-small.dot", render_graph(plan, "dot") + "\n")
    assert_snapshot("graph-small.mmd", render_graph(plan, "mermaid") + "\n")
