"""Link suggestions: unconnected pairs with common neighbours, by Adamic–Adar."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict

from graph_api.graph.edges import Edges
from graph_api.graph.results import Suggestion

# How many are ranked and kept, and the degree above which a contact is not expanded as
# the common neighbour that generates candidates (its pairs grow as degree² while each
# adds at most 1/ln(degree) to a score); kept pairs are then scored exactly.
SUGGESTION_LIMIT = 500
SUGGESTION_MAX_HUB_DEGREE = 250


def rank_suggestions(edges: Edges) -> list[Suggestion]:
    neighbours = [edges.neighbours(i) for i in range(len(edges.nodes))]
    adjacent = [set(ns) for ns in neighbours]
    share = [1.0 / math.log(len(ns)) if len(ns) > 1 else 0.0 for ns in neighbours]
    kept: list[tuple[float, int, int]] = []  # min-heap: the weakest kept pair on top
    for u, around in enumerate(neighbours):
        scores: dict[int, float] = defaultdict(float)
        for w in around:
            if len(neighbours[w]) <= SUGGESTION_MAX_HUB_DEGREE:
                for v in neighbours[w]:
                    if v > u and v not in adjacent[u]:
                        scores[v] += share[w]
        for v, score in scores.items():
            _keep_top(kept, (score, -u, -v), SUGGESTION_LIMIT)
    suggestions = []
    for _, minus_u, minus_v in kept:
        common = adjacent[-minus_u] & adjacent[-minus_v]
        score = sum(share[w] for w in common)
        a, b = edges.nodes[-minus_u], edges.nodes[-minus_v]
        suggestions.append(Suggestion(a, b, score, len(common)))
    suggestions.sort(key=lambda s: (-s.score, -s.mutual_count, s.a, s.b))
    return suggestions


def _keep_top(heap: list[tuple[float, int, int]], entry: tuple[float, int, int], size: int) -> None:
    if len(heap) < size:
        heapq.heappush(heap, entry)
    elif entry > heap[0]:
        heapq.heapreplace(heap, entry)
