"""The step dependency graph, the one home of networkx: cycles, order, rank and drawings.

Order and rank need no more than a heap, so networkx is imported only to describe the
cycles of a story that has some: a build never pays its tenth of a second of imports.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from storyforge.compile.plan import Plan, Step

if TYPE_CHECKING:
    import networkx as nx

Deps = Mapping[str, Sequence[str]]


def _graph(deps: Deps) -> nx.DiGraph[str]:
    import networkx as nx

    # Edges run from a step to the steps that need it, the order work flows in.
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(deps)
    graph.add_edges_from((need, step) for step, needs in deps.items() for need in needs)
    return graph


def _users(deps: Deps) -> dict[str, list[str]]:
    users: dict[str, list[str]] = {step: [] for step in deps}
    for step, needs in deps.items():
        for need in needs:
            users.setdefault(need, []).append(step)
    return users


def _order(deps: Deps, story_order: Mapping[str, int]) -> list[str]:
    """Kahn's algorithm, the first ready step in story order first; cycles are left out.

    This is networkx's lexicographical topological sort (tests/test_graph_order.py).
    """
    users = _users(deps)
    waiting = {step: 0 for step in users}
    for step, needs in deps.items():
        waiting[step] = len(needs)
    ready = [(story_order[s], s) for s, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, step = heapq.heappop(ready)
        order.append(step)
        for user in users[step]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, (story_order[user], user))
    return order


def find_cycles(deps: Deps, story_order: Mapping[str, int]) -> list[list[str]]:
    """One cycle per tangle of steps that need each other, closed: `["a", "b", "a"]`.

    Each cycle follows "needs" edges from the member that comes first in story order; the
    cycles are sorted by that member.
    """
    if len(_order(deps, story_order)) == len(_users(deps)):
        return []
    import networkx as nx

    needs = _graph(deps).reverse(copy=False)
    cycles: list[list[str]] = []
    for group in nx.strongly_connected_components(needs):
        first = min(group, key=story_order.__getitem__)
        if len(group) == 1 and not needs.has_edge(first, first):
            continue
        inside = needs.subgraph(group)
        paths = [
            [first, *nx.shortest_path(inside, nxt, first)]
            for nxt in sorted(inside.successors(first), key=story_order.__getitem__)
        ]
        cycles.append(min(paths, key=len))
    return sorted(cycles, key=lambda cycle: story_order[cycle[0]])


def schedule(deps: Deps, story_order: Mapping[str, int]) -> tuple[list[str], dict[str, int]]:
    """Topological order (ties broken by story order) and each step's rank.

    The rank is the number of edges on the longest path from the step to a step nothing
    needs (0 for those): the executor starts the highest rank first. `deps` must be acyclic.
    """
    users = _users(deps)
    order = _order(deps, story_order)
    rank: dict[str, int] = {}
    for node in reversed(order):
        rank[node] = max((rank[user] + 1 for user in users[node]), default=0)
    return order, rank


def render_graph(plan: Plan, fmt: Literal["dot", "mermaid"]) -> str:
    """The plan's graph as Graphviz dot or a Mermaid flowchart, one cluster per scene.

    Nodes are labelled with the step id and kind; the text has no final newline.
    """
    groups: dict[str | None, list[Step]] = {}
    for step in plan.steps:
        groups.setdefault(step.scene, []).append(step)
    edges = [(dep, step.id) for step in plan.steps for dep in plan.deps.get(step.id, ())]
    return _dot(groups, edges) if fmt == "dot" else _mermaid(plan, groups, edges)


def _dot(groups: Mapping[str | None, list[Step]], edges: list[tuple[str, str]]) -> str:
    lines = [
        "digraph storyforge {",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
    ]
    for scene, steps in groups.items():
        nodes = [f'"{_esc(s.id)}" [label="{_esc(s.id)}\\n{s.kind}"];' for s in steps]
        if scene is None:
            lines += [f"  {node}" for node in nodes]
            continue
        lines.append(f'  subgraph "cluster_{_esc(scene)}" {{')
        lines.append(f'    label="{_esc(scene)}";')
        lines += [f"    {node}" for node in nodes]
        lines.append("  }")
    lines += [f'  "{_esc(a)}" -> "{_esc(b)}";' for a, b in edges]
    return "\n".join([*lines, "}"])


def _mermaid(
    plan: Plan, groups: Mapping[str | None, list[Step]], edges: list[tuple[str, str]]
) -> str:
    # Mermaid node ids cannot hold dots and must not be keywords: number them.
    ids = {step.id: f"s{n}" for n, step in enumerate(plan.steps)}
    lines = ["flowchart LR"]
    for n, (scene, steps) in enumerate(groups.items()):
        nodes = [f'{ids[s.id]}["{_esc(s.id)}<br/>{s.kind}"]' for s in steps]
        if scene is None:
            lines += [f"  {node}" for node in nodes]
            continue
        lines.append(f'  subgraph scene{n}["{_esc(scene)}"]')
        lines += [f"    {node}" for node in nodes]
        lines.append("  end")
    lines += [f"  {ids[a]} --> {ids[b]}" for a, b in edges]
    return "\n".join(lines)


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
