"""Communities (Louvain, networkx, fixed seed) and the label each one is given."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

import networkx as nx

from graph_api.graph.results import CommunityResult

# Fixed seed: the same graph always gives the same communities, so answers do not
# flicker between requests or API processes.
LOUVAIN_SEED = 20_240_611

# a contact's company and (interest topic, confidence) pairs
LabelSource = Callable[[UUID], tuple[str | None, list[tuple[str, float]]]]


@dataclass(frozen=True)
class Communities:
    results: list[CommunityResult]
    membership: dict[UUID, int]
    modularity: float


def detect(graph: nx.Graph, labels: LabelSource) -> Communities:
    """Louvain communities; ids 0..n-1 by size, largest first, then smallest member."""
    weighted = graph.size(weight="strength") > 0
    if weighted:
        parts = nx.community.louvain_communities(graph, weight="strength", seed=LOUVAIN_SEED)
    else:
        # no positive strength: modularity is undefined, nothing groups anyone
        parts = [{node} for node in graph]
    ordered = sorted((sorted(part) for part in parts), key=lambda m: (-len(m), m[0]))
    results = [
        CommunityResult(index, members, len(members), label(members, labels))
        for index, members in enumerate(ordered)
    ]
    membership = {node: r.id for r in results for node in r.members}
    modularity = nx.community.modularity(graph, parts, weight="strength") if weighted else 0.0
    return Communities(results, membership, float(modularity))


def label(members: Sequence[UUID], labels: LabelSource) -> str | None:
    """The company most members share (at least two), else their most common interest."""
    sources = [labels(m) for m in members]
    companies = [(company, 1.0) for company, _ in sources if company is not None]
    company = most_common(companies, min_count=2)
    if company is not None:
        return company
    topics = [topic for _, held in sources for topic in held]
    return most_common(topics, min_count=1)


def most_common(values: Iterable[tuple[str, float]], min_count: int) -> str | None:
    """The value most members share (case and spacing ignored), ties by weight, then name.

    Returns the spelling most members use.
    """
    counts: Counter[str] = Counter()
    weights: dict[str, float] = defaultdict(float)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for value, weight in values:
        spelled = " ".join(value.split())
        if spelled:
            key = spelled.casefold()
            counts[key] += 1
            weights[key] += weight
            spellings[key][spelled] += 1
    if not counts:
        return None
    best = min(counts, key=lambda k: (-counts[k], -weights[k], k))
    if counts[best] < min_count:
        return None
    return min(spellings[best], key=lambda s: (-spellings[best][s], s))
