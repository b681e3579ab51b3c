"""Paths between contacts and introduction paths from the user, over the edges' CSR.

Contacts are positions (graph/edges.py): ascending position is ascending id, so every
tie broken by position is broken by id. Results name contacts by id.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import pairwise

from graph_api.graph.edges import Edges
from graph_api.graph.results import PathResult

# Introduction paths run one relaxation round per hop over the edges; this caps the rounds.
INTRODUCTION_MAX_HOPS = 8


@dataclass(frozen=True, slots=True)
class _Step:
    """One improvement of a widest-path search: `value` reached via `next` in `round` hops."""

    round: int
    value: float
    next: int


def hops_from(edges: Edges, source: int, limit: int, stop_at: int | None = None) -> dict[int, int]:
    """Breadth-first hop counts up to `limit`, or up to the layer that holds `stop_at`."""
    distance = {source: 0}
    layer = [source]
    for depth in range(1, limit + 1):
        if stop_at in distance:
            break
        next_layer = []
        for node in layer:
            for other in edges.neighbours(node):
                if other not in distance:
                    distance[other] = depth
                    next_layer.append(other)
        if not next_layer:
            break
        layer = next_layer
    return distance


def shortest_path(edges: Edges, a: int, b: int, max_hops: int) -> PathResult | None:
    """Fewest hops; among those the greatest weakest link, then the greatest total."""
    if a == b:
        raise ValueError("a path needs two different contacts")
    if max_hops < 1:
        return None
    from_a = hops_from(edges, a, max_hops, stop_at=b)
    hops = from_a.get(b)
    if hops is None:
        return None
    to_b = hops_from(edges, b, hops)
    layers: list[list[int]] = [[] for _ in range(hops + 1)]
    for node, distance in from_a.items():
        if distance + to_b.get(node, hops + 1) == hops:
            layers[distance].append(node)
    return path_result(edges, _strongest_through(edges, layers))


def introduction_paths(
    edges: Edges,
    tie: Callable[[int], float],
    target: int,
    max_hops: int,
    first: int,
) -> list[PathResult]:
    """Ways for the user to be introduced to `target`: user → introducer(s) → target.

    At least two hops (the direct tie is what the user wants to improve); the first
    hop's strength is the user's tie to the first introducer (`tie`). One path per first
    introducer (the best through them), ranked by weakest link, then fewer hops.
    """
    if first <= 0 or max_hops < 2:
        return []
    contact_hops = min(max_hops, INTRODUCTION_MAX_HOPS) - 1
    history = _widest_paths_to(edges, target, contact_hops)
    paths: list[PathResult] = []
    for introducer, steps in history.items():
        score = tie(introducer)
        if score > 0:
            paths.append(_introduction(edges, introducer, score, steps, history, target))
    paths.sort(key=lambda p: (-p.weakest_link, p.length, -sum(p.strengths), p.contacts))
    return paths[:first]


def path_result(edges: Edges, contacts: list[int], first_hop: float | None = None) -> PathResult:
    strengths = [] if first_hop is None else [first_hop]
    strengths += [edges.around(a)[b] for a, b in pairwise(contacts)]
    return PathResult(
        [edges.nodes[c] for c in contacts], len(strengths), min(strengths, default=0.0), strengths
    )


def _strongest_through(edges: Edges, layers: list[list[int]]) -> list[int]:
    """The best path through layered shortest-path nodes, lexicographically.

    Maximising (weakest link, total) does not decompose edge by edge, so it runs in
    two passes: the greatest achievable weakest link first, then the greatest total
    using only edges at least that strong.
    """
    source = layers[0][0]
    widest = {source: math.inf}
    for previous, layer in pairwise(layers):
        members = set(previous)
        for node in layer:
            widest[node] = max(
                min(widest[other], s) for other, s in edges.around(node).items() if other in members
            )
    floor = widest[layers[-1][0]]
    total = {source: 0.0}
    came_from: dict[int, int] = {}
    for previous, layer in pairwise(layers):
        members = {node for node in previous if node in total}
        for node in layer:
            options = [
                (total[other] + s, -other, other)
                for other, s in edges.around(node).items()
                if other in members and s >= floor
            ]
            if options:
                best = max(options)
                total[node], came_from[node] = best[0], best[2]
    path = [layers[-1][0]]
    while path[-1] != source:
        path.append(came_from[path[-1]])
    return path[::-1]


def _widest_paths_to(edges: Edges, target: int, rounds: int) -> dict[int, list[_Step]]:
    """Hop-bounded widest paths to `target` (Bellman–Ford on max-min), all nodes at once.

    After round r, a node's last step holds the greatest weakest link of any path to
    the target of at most r hops. A node's value only changes when strictly better,
    so each recorded step uses the fewest hops for its value and the paths read back
    are simple. Work is at most `rounds` × edges: no path is ever enumerated.
    """
    value: dict[int, float] = {target: math.inf}
    history: dict[int, list[_Step]] = {}
    frontier = [target]
    for round_ in range(1, rounds + 1):
        improved: dict[int, tuple[float, int]] = {}
        for node in frontier:
            through = value[node]
            for other, s in edges.around(node).items():
                candidate = min(s, through)
                best = improved[other][0] if other in improved else value.get(other, -1.0)
                if other != target and candidate > best:
                    improved[other] = (candidate, node)
        for node, (reached, via) in improved.items():
            value[node] = reached
            history.setdefault(node, []).append(_Step(round_, reached, via))
        frontier = list(improved)
        if not frontier:
            break
    return history


def _introduction(
    edges: Edges,
    introducer: int,
    tie: float,
    steps: list[_Step],
    history: Mapping[int, list[_Step]],
    target: int,
) -> PathResult:
    # the user's tie caps the weakest link: the first step reaching that cap (fewest
    # hops) is as good as any later, stronger-but-longer one
    final = min(tie, steps[-1].value)
    step = next(s for s in steps if min(tie, s.value) == final)
    contacts = [introducer]
    while contacts[-1] != target:
        contacts.append(step.next)
        if step.next != target:
            step = _step_within(history[step.next], step.round - 1)
    return path_result(edges, contacts, first_hop=tie)


def _step_within(steps: list[_Step], rounds: int) -> _Step:
    """A node's best step using at most `rounds` hops (its value at that round)."""
    return next(step for step in reversed(steps) if step.round <= rounds)
