"""The heap-based order and rank agree with networkx's on random acyclic graphs."""

from __future__ import annotations

import random

import networkx as nx

from storyforge.compile.graph import find_cycles, schedule


def _random_deps(rng: random.Random, size: int) -> dict[str, list[str]]:
    ids = [f"s{n}" for n in range(size)]
    rng.shuffle(ids)  # story order is not the dependency order
    return {step: rng.sample(ids[:at], k=min(at, rng.randint(0, 3))) for at, step in enumerate(ids)}


def test_order_and_rank_match_networkx() -> None:
    rng = random.Random(7)
    for _ in range(200):
        deps = _random_deps(rng, rng.randint(1, 30))
        story_order = {step: n for n, step in enumerate(sorted(deps, key=lambda s: int(s[1:])))}
        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from(deps)
        graph.add_edges_from((need, step) for step, needs in deps.items() for need in needs)
        expected = list(nx.lexicographical_topological_sort(graph, key=story_order.__getitem__))
        order, rank = schedule(deps, story_order)
        assert order == expected
        longest = {
            n: nx.dag_longest_path_length(graph.subgraph(nx.descendants(graph, n) | {n}))
            for n in deps
        }
        assert rank == longest
        assert find_cycles(deps, story_order) == []


def test_a_cycle_is_still_found() -> None:
    deps = {"a": ["c"], "b": ["a"], "c": ["b"], "d": []}
    assert find_cycles(deps, {"a": 0, "b": 1, "c": 2, "d": 3}) == [["a", "c", "b", "a"]]
