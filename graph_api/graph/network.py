"""One user's contact graph, built once from facts, then only read.

The user is the ego at the centre and adjacent to everyone, so (as in ego-network
analysis) the user is not a node: the graph holds contacts and contact↔contact ties.
The user enters only where the user is an end of the question: tie strength,
introduction paths, going cold.

A `Network` never changes after `build`: cheap answers are computed up front, costly
whole-graph ones (communities, centrality, suggestions, statistics) on first use under
a lock, so any number of threads may share one instance. docs/graph.md explains every
formula, algorithm and bound used here.
"""

from __future__ import annotations

import heapq
import math
import random
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations, pairwise
from typing import Generic, TypeVar
from uuid import UUID

import networkx as nx

from graph_api.db.ties import CROWD_LIMIT
from graph_api.graph import strength as formulas
from graph_api.graph.facts import (
    ContactFact,
    InteractionFact,
    InterestFact,
    NetworkFacts,
    RelationshipFact,
)
from graph_api.graph.strength import ZERO_TIE, StrengthParams, TieStrength

# Fixed seeds: the same graph always gives the same communities and sampled betweenness,
# so answers do not flicker between requests or API processes.
LOUVAIN_SEED = 20_240_611
BETWEENNESS_SEED = 7
# Exact betweenness costs one breadth-first search per contact; above this many contacts
# it is estimated from BETWEENNESS_SAMPLES sources (Brandes–Pich).
BETWEENNESS_EXACT_MAX_NODES = 1_000
BETWEENNESS_SAMPLES = 500
PAGERANK_DAMPING = 0.85
PAGERANK_TOLERANCE = 1e-6  # per node, on the L1 change between iterations (as networkx)
PAGERANK_MAX_ITERATIONS = 100
# Introduction paths run one relaxation round per hop over the edges; this caps the rounds.
INTRODUCTION_MAX_HOPS = 8
# Suggestions: how many are ranked and kept, and the degree above which a contact is not
# expanded as the common neighbour that generates candidates (its pairs grow as degree²
# while each adds at most 1/ln(degree) to a score); kept pairs are then scored exactly.
SUGGESTION_LIMIT = 500
SUGGESTION_MAX_HUB_DEGREE = 250
Pair = tuple[UUID, UUID]
T = TypeVar("T")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PathResult:
    contacts: list[UUID]
    length: int  # hops
    weakest_link: float
    strengths: list[float]  # one per hop, in order


@dataclass(frozen=True)
class Mutual:
    contacts: list[UUID]  # by combined strength to a and b, strongest first
    count: int
    jaccard: float
    adamic_adar: float


@dataclass(frozen=True)
class CommunityResult:
    id: int
    members: list[UUID]
    size: int
    label: str | None


@dataclass(frozen=True)
class ContactMetrics:
    degree: int
    pagerank: float
    betweenness: float
    community_id: int | None


@dataclass(frozen=True)
class ColdTie:
    contact_id: UUID
    days_since_last_interaction: float
    expected_cadence_days: float
    strength: float  # the tie's score without its recency part


@dataclass(frozen=True)
class Suggestion:
    a: UUID
    b: UUID
    score: float  # Adamic–Adar
    mutual_count: int


@dataclass(frozen=True)
class Stats:
    contacts: int
    relationships: int
    density: float
    average_clustering: float
    communities: int
    average_strength: float


@dataclass(frozen=True)
class Edge:
    """One contact↔contact tie as the graph holds it."""

    a: UUID
    b: UUID
    strength: float
    relationship_id: UUID  # every edge is a stored, live relationship row
    type: str
    source: str
    shared_count: int


# --------------------------------------------------------------------------- internals


class _Lazy(Generic[T]):
    """A value computed on first use, once, even when threads ask at the same time."""

    __slots__ = ("_lock", "_result")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._result: tuple[T] | None = None

    @property
    def computed(self) -> bool:
        return self._result is not None

    def get(self, compute: Callable[[], T]) -> T:
        result = self._result
        if result is None:
            with self._lock:
                if self._result is None:
                    self._result = (compute(),)
                result = self._result
        return result[0]


@dataclass(frozen=True, slots=True)
class _EdgeSeed:
    """What a pair brings to the graph before its strength is known."""

    relationship_id: UUID
    type: str
    source: str
    explicit: float | None
    shared: Sequence[datetime]


@dataclass(frozen=True)
class _Indexed:
    """The graph as integer lists: the fast form for the whole-graph loops."""

    nodes: list[UUID]  # ascending, so index order is id order
    neighbours: list[list[int]]
    weights: list[list[float]]  # strengths, parallel to neighbours


@dataclass(frozen=True)
class _Communities:
    results: list[CommunityResult]
    membership: dict[UUID, int]
    modularity: float


@dataclass(frozen=True)
class _Metrics:
    by_contact: dict[UUID, ContactMetrics]
    ranking: list[UUID]  # key connectors first


@dataclass(frozen=True)
class _Step:
    """One improvement of a widest-path search: `value` reached via `next` in `round` hops."""

    round: int
    value: float
    next: UUID


# --------------------------------------------------------------------------- the network


class Network:
    """An immutable, fully built contact graph; every method is a pure read."""

    graph: nx.Graph
    computed_at: datetime
    params: StrengthParams

    def __init__(
        self,
        graph: nx.Graph,
        computed_at: datetime,
        params: StrengthParams,
        ties: Mapping[UUID, TieStrength],
        cold: list[ColdTie],
        labels: Mapping[UUID, tuple[str | None, list[tuple[str, float]]]],
    ) -> None:
        """Use `Network.build`; this only stores what it computed."""
        self.graph = nx.freeze(graph)
        self.computed_at = computed_at
        self.params = params
        self._ties = ties
        self._cold = cold
        # contact → (company, [(interest topic, confidence)]), for community labels
        self._labels = labels
        # strengths as plain dicts: the path searches read them in tight loops
        self._adjacency: dict[UUID, dict[UUID, float]] = {
            node: {other: attrs["strength"] for other, attrs in neighbours.items()}
            for node, neighbours in graph.adjacency()
        }
        self._indexed: _Lazy[_Indexed] = _Lazy()
        self._communities: _Lazy[_Communities] = _Lazy()
        self._metrics: _Lazy[_Metrics] = _Lazy()
        self._suggestions: _Lazy[list[Suggestion]] = _Lazy()
        self._stats: _Lazy[Stats] = _Lazy()
        self._tie_scores: _Lazy[tuple[list[UUID], list[float]]] = _Lazy()

    def __del__(self) -> None:
        # networkx caches views that point back at their graph (`edges`, `degree`): a
        # reference cycle. Breaking it lets refcounting free the graph at once, which
        # matters because the cache freezes graphs out of the cyclic collector's sight.
        for cached in ("edges", "degree"):
            self.graph.__dict__.pop(cached, None)

    @classmethod
    def build(cls, facts: NetworkFacts, params: StrengthParams) -> Network:
        if facts.now.tzinfo is None:
            raise ValueError("facts.now must be timezone-aware")
        known = {contact.id for contact in facts.contacts}
        active = _active_contacts(facts.contacts)
        by_contact = _interactions_by_contact(facts.interactions, known)
        ties = {
            contact_id: formulas.tie_strength(interactions, facts.now, params)
            for contact_id, interactions in by_contact.items()
        }
        shared = _shared_occurrences(facts.interactions, active, CROWD_LIMIT)
        seeds = _edge_seeds(facts.relationships, shared, active, params)
        graph = _build_graph(active, seeds, facts.now, params)
        cold = _cold_ties(by_contact, ties, active, facts.now, params)
        labels = _label_sources(active, facts.interests)
        return cls(graph, facts.now, params, ties, cold, labels)

    # ----- lookups

    def has_contact(self, id: UUID) -> bool:
        return id in self._adjacency

    def tie(self, contact_id: UUID) -> TieStrength:
        """The user's tie to a contact; a zero tie when there were no interactions."""
        return self._ties.get(contact_id, ZERO_TIE)

    def relationship_strength(self, a: UUID, b: UUID) -> float | None:
        return self._adjacency.get(a, {}).get(b)

    def edge(self, a: UUID, b: UUID) -> Edge | None:
        if b not in self._adjacency.get(a, {}):
            return None
        low, high = sorted((a, b))
        attrs = self.graph.edges[low, high]
        return Edge(
            low,
            high,
            attrs["strength"],
            attrs["relationship_id"],
            attrs["type"],
            attrs["source"],
            attrs["shared_count"],
        )

    def edge_strengths(self, contact_ids: Iterable[UUID]) -> tuple[list[UUID], list[float]]:
        """(relationship ids, strengths) of the stored ties at these contacts, each once."""
        strengths: dict[UUID, float] = {}
        for contact_id in contact_ids:
            if contact_id not in self._adjacency:
                continue
            for attrs in self.graph.adj[contact_id].values():
                strengths[attrs["relationship_id"]] = attrs["strength"]
        return list(strengths), list(strengths.values())

    def tie_scores(self) -> tuple[list[UUID], list[float]]:
        """Every contact's tie score, as parallel lists (for ordering in SQL)."""
        return self._tie_scores.get(self._all_tie_scores)

    def _all_tie_scores(self) -> tuple[list[UUID], list[float]]:
        contacts = set(self._adjacency) | set(self._ties)
        ids = sorted(contacts)
        return ids, [self.tie(contact_id).score for contact_id in ids]

    @property
    def metrics_computed(self) -> bool:
        """Whether someone has asked for metrics (the slow part: betweenness)."""
        return self._metrics.computed

    def warm_metrics(self) -> None:
        """Compute every contact's metrics now (call off the event loop)."""
        if self._adjacency:
            self.metrics(next(iter(self._adjacency)))

    def within_hops(self, contact_id: UUID, hops: int) -> list[UUID]:
        """The contact and everyone within `hops` ties of it (empty for an unknown contact)."""
        if contact_id not in self._adjacency:
            return []
        return list(self._hops_from(contact_id, hops))

    # ----- mutual connections

    def mutual_connections(self, a: UUID, b: UUID, first: int) -> Mutual:
        """Common neighbours of a and b; Jaccard over their neighbour sets without each other."""
        if a == b or a not in self._adjacency or b not in self._adjacency:
            return Mutual([], 0, 0.0, 0.0)
        of_a, of_b = self._adjacency[a], self._adjacency[b]
        neighbours_a, neighbours_b = set(of_a) - {b}, set(of_b) - {a}
        common = neighbours_a & neighbours_b
        union = neighbours_a | neighbours_b
        jaccard = len(common) / len(union) if union else 0.0
        # a common neighbour has degree >= 2, so its log is positive
        adamic_adar = sum(1.0 / math.log(len(self._adjacency[w])) for w in common)
        ranked = sorted(common, key=lambda w: (-(of_a[w] + of_b[w]), w))
        return Mutual(ranked[: max(first, 0)], len(common), jaccard, adamic_adar)

    # ----- paths

    def shortest_path(self, a: UUID, b: UUID, max_hops: int) -> PathResult | None:
        """Fewest hops; among those the greatest weakest link, then the greatest total."""
        if a == b:
            raise ValueError("a path needs two different contacts")
        if max_hops < 1 or a not in self._adjacency or b not in self._adjacency:
            return None
        from_a = self._hops_from(a, max_hops, stop_at=b)
        hops = from_a.get(b)
        if hops is None:
            return None
        to_b = self._hops_from(b, hops)
        layers: list[list[UUID]] = [[] for _ in range(hops + 1)]
        for node, distance in from_a.items():
            if distance + to_b.get(node, hops + 1) == hops:
                layers[distance].append(node)
        return self._path_result(self._strongest_through(layers))

    def introduction_paths(self, target: UUID, max_hops: int, first: int) -> list[PathResult]:
        """Ways for the user to be introduced to `target`: user → introducer(s) → target.

        At least two hops (the direct tie is what the user wants to improve); the first
        hop's strength is the user's tie to the first introducer. One path per first
        introducer (the best through them), ranked by weakest link, then fewer hops.
        """
        if first <= 0 or max_hops < 2 or target not in self._adjacency:
            return []
        contact_hops = min(max_hops, INTRODUCTION_MAX_HOPS) - 1
        history = self._widest_paths_to(target, contact_hops)
        paths: list[PathResult] = []
        for introducer, steps in history.items():
            tie = self.tie(introducer).score
            if tie > 0:
                paths.append(self._introduction(introducer, tie, steps, history, target))
        paths.sort(key=lambda p: (-p.weakest_link, p.length, -sum(p.strengths), p.contacts))
        return paths[:first]

    def _hops_from(self, source: UUID, limit: int, stop_at: UUID | None = None) -> dict[UUID, int]:
        """Breadth-first hop counts up to `limit`, or up to the layer that holds `stop_at`."""
        distance = {source: 0}
        layer = [source]
        for depth in range(1, limit + 1):
            if stop_at in distance:
                break
            next_layer = []
            for node in layer:
                for other in self._adjacency[node]:
                    if other not in distance:
                        distance[other] = depth
                        next_layer.append(other)
            if not next_layer:
                break
            layer = next_layer
        return distance

    def _strongest_through(self, layers: list[list[UUID]]) -> list[UUID]:
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
                    min(widest[other], s)
                    for other, s in self._adjacency[node].items()
                    if other in members
                )
        floor = widest[layers[-1][0]]
        total = {source: 0.0}
        came_from: dict[UUID, UUID] = {}
        for previous, layer in pairwise(layers):
            members = {node for node in previous if node in total}
            for node in layer:
                options = [
                    (total[other] + s, -other.int, other)
                    for other, s in self._adjacency[node].items()
                    if other in members and s >= floor
                ]
                if options:
                    best = max(options)
                    total[node], came_from[node] = best[0], best[2]
        path = [layers[-1][0]]
        while path[-1] != source:
            path.append(came_from[path[-1]])
        return path[::-1]

    def _path_result(self, contacts: list[UUID], first_hop: float | None = None) -> PathResult:
        strengths = [] if first_hop is None else [first_hop]
        strengths += [self._adjacency[a][b] for a, b in pairwise(contacts)]
        length = len(strengths)
        return PathResult(contacts, length, min(strengths, default=0.0), strengths)

    def _widest_paths_to(self, target: UUID, rounds: int) -> dict[UUID, list[_Step]]:
        """Hop-bounded widest paths to `target` (Bellman–Ford on max-min), all nodes at once.

        After round r, a node's last step holds the greatest weakest link of any path to
        the target of at most r hops. A node's value only changes when strictly better,
        so each recorded step uses the fewest hops for its value and the paths read back
        are simple. Work is at most `rounds` × edges: no path is ever enumerated.
        """
        value: dict[UUID, float] = {target: math.inf}
        history: dict[UUID, list[_Step]] = {}
        frontier = [target]
        for round_ in range(1, rounds + 1):
            improved: dict[UUID, tuple[float, UUID]] = {}
            for node in frontier:
                through = value[node]
                for other, s in self._adjacency[node].items():
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
        self,
        introducer: UUID,
        tie: float,
        steps: list[_Step],
        history: Mapping[UUID, list[_Step]],
        target: UUID,
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
        return self._path_result(contacts, first_hop=tie)

    # ----- communities

    def communities(self) -> list[CommunityResult]:
        """Louvain communities; ids 0..n-1 by size, largest first, then smallest member."""
        return list(self._communities.get(self._detect_communities).results)

    @property
    def modularity(self) -> float:
        return self._communities.get(self._detect_communities).modularity

    def community_of(self, contact_id: UUID) -> int | None:
        return self._communities.get(self._detect_communities).membership.get(contact_id)

    def _detect_communities(self) -> _Communities:
        graph = self.graph
        weighted = graph.size(weight="strength") > 0
        if weighted:
            parts = nx.community.louvain_communities(graph, weight="strength", seed=LOUVAIN_SEED)
        else:
            # no positive strength: modularity is undefined, nothing groups anyone
            parts = [{node} for node in graph]
        ordered = sorted((sorted(part) for part in parts), key=lambda m: (-len(m), m[0]))
        results = [
            CommunityResult(index, members, len(members), self._community_label(members))
            for index, members in enumerate(ordered)
        ]
        membership = {node: r.id for r in results for node in r.members}
        modularity = nx.community.modularity(graph, parts, weight="strength") if weighted else 0.0
        return _Communities(results, membership, float(modularity))

    def _community_label(self, members: Sequence[UUID]) -> str | None:
        companies = [
            (company, 1.0)
            for company, _ in (self._labels[m] for m in members)
            if company is not None
        ]
        company = _most_common(companies, min_count=2)
        if company is not None:
            return company
        topics = [topic for m in members for topic in self._labels[m][1]]
        return _most_common(topics, min_count=1)

    # ----- centrality

    def metrics(self, contact_id: UUID) -> ContactMetrics | None:
        return self._metrics.get(self._compute_metrics).by_contact.get(contact_id)

    @property
    def betweenness_sampled(self) -> bool:
        return len(self._adjacency) > BETWEENNESS_EXACT_MAX_NODES

    def key_connectors(self, first: int) -> list[tuple[UUID, ContactMetrics]]:
        """Contacts by betweenness, then PageRank: who bridges otherwise distant people."""
        metrics = self._metrics.get(self._compute_metrics)
        return [(node, metrics.by_contact[node]) for node in metrics.ranking[: max(first, 0)]]

    def _compute_metrics(self) -> _Metrics:
        indexed = self._indexed.get(self._index)
        ranks = _pagerank(indexed)
        between = _betweenness(indexed, self._betweenness_sources(len(indexed.nodes)))
        by_contact = {
            node: ContactMetrics(
                len(indexed.neighbours[i]), ranks[i], between[i], self.community_of(node)
            )
            for i, node in enumerate(indexed.nodes)
        }
        ranking = sorted(
            indexed.nodes, key=lambda n: (-by_contact[n].betweenness, -by_contact[n].pagerank, n)
        )
        return _Metrics(by_contact, ranking)

    def _betweenness_sources(self, count: int) -> list[int] | None:
        if count <= BETWEENNESS_EXACT_MAX_NODES:
            return None
        return random.Random(BETWEENNESS_SEED).sample(range(count), BETWEENNESS_SAMPLES)

    def _index(self) -> _Indexed:
        nodes = list(self._adjacency)
        position = {node: i for i, node in enumerate(nodes)}
        neighbours = [[position[o] for o in self._adjacency[node]] for node in nodes]
        weights = [list(self._adjacency[node].values()) for node in nodes]
        return _Indexed(nodes, neighbours, weights)

    # ----- going cold

    def going_cold(self, first: int) -> list[ColdTie]:
        """Strong ties silent for longer than their usual cadence allows, most overdue first."""
        return self._cold[: max(first, 0)]

    # ----- suggestions

    def suggested_connections(self, first: int) -> list[Suggestion]:
        """Unconnected pairs with common neighbours, by Adamic–Adar (at most SUGGESTION_LIMIT)."""
        return self._suggestions.get(self._rank_suggestions)[: max(first, 0)]

    def _rank_suggestions(self) -> list[Suggestion]:
        indexed = self._indexed.get(self._index)
        neighbours = indexed.neighbours
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
            a, b = indexed.nodes[-minus_u], indexed.nodes[-minus_v]
            suggestions.append(Suggestion(a, b, score, len(common)))
        suggestions.sort(key=lambda s: (-s.score, -s.mutual_count, s.a, s.b))
        return suggestions

    # ----- statistics

    def stats(self) -> Stats:
        return self._stats.get(self._compute_stats)

    def _compute_stats(self) -> Stats:
        graph = self.graph
        strengths = [s for _, _, s in graph.edges(data="strength")]
        return Stats(
            contacts=graph.number_of_nodes(),
            relationships=graph.number_of_edges(),
            density=float(nx.density(graph)) if len(graph) > 1 else 0.0,
            average_clustering=float(nx.average_clustering(graph)) if len(graph) else 0.0,
            communities=len(self._communities.get(self._detect_communities).results),
            average_strength=sum(strengths) / len(strengths) if strengths else 0.0,
        )


# --------------------------------------------------------------------------- building


def _active_contacts(contacts: Iterable[ContactFact]) -> dict[UUID, ContactFact]:
    # ascending ids: the same facts in any order build the same graph, node for node,
    # which is what makes the seeded algorithms repeatable
    return {c.id: c for c in sorted(contacts, key=lambda c: c.id.int) if not c.archived}


def _interactions_by_contact(
    interactions: Iterable[InteractionFact], known: set[UUID]
) -> dict[UUID, list[InteractionFact]]:
    # archived contacts keep their tie strength: it explains their history if shown
    grouped: dict[UUID, list[InteractionFact]] = defaultdict(list)
    for fact in interactions:
        if fact.contact_id in known:
            grouped[fact.contact_id].append(fact)
    return dict(grouped)


def _shared_occurrences(
    interactions: Iterable[InteractionFact], active: Mapping[UUID, ContactFact], max_size: int
) -> dict[Pair, list[datetime]]:
    """When each pair of active contacts took part in the same interaction."""
    # Most interactions have one participant: remember only the first, and open a set
    # when a second appears (a set per interaction would cost more than the rest).
    first: dict[UUID | str, UUID] = {}
    groups: dict[UUID | str, tuple[set[UUID], datetime]] = {}
    for fact in interactions:
        seen = first.setdefault(fact.interaction_id, fact.contact_id)
        if seen is not fact.contact_id:  # identity is only a shortcut: the set dedupes
            group = groups.get(fact.interaction_id)
            if group is None:
                groups[fact.interaction_id] = ({seen, fact.contact_id}, fact.occurred_at)
            else:
                group[0].add(fact.contact_id)
    shared: dict[Pair, list[datetime]] = defaultdict(list)
    for people, occurred_at in groups.values():
        if 2 <= len(people) <= max_size:
            present = sorted((p for p in people if p in active), key=lambda p: p.int)
            for pair in combinations(present, 2):
                shared[pair].append(occurred_at)
    return dict(shared)


def _edge_seeds(
    relationships: Iterable[RelationshipFact],
    shared: Mapping[Pair, list[datetime]],
    active: Mapping[UUID, ContactFact],
    params: StrengthParams,
) -> dict[Pair, _EdgeSeed]:
    seeds: dict[Pair, _EdgeSeed] = {}
    for row in relationships:
        if row.a == row.b or row.a not in active or row.b not in active:
            continue
        pair = (row.a, row.b) if row.a.int < row.b.int else (row.b, row.a)
        explicit = formulas.explicit_strength(row.manual_strength, row.type, row.source, params)
        seeds[pair] = _EdgeSeed(row.id, row.type, row.source, explicit, shared.get(pair, ()))
    # Shared interactions strengthen stored ties and draw none of their own: the
    # database infers a row for every pair they would tie (db/ties.py), and a pair
    # without one is a pair the user untied (a suppressed row, never loaded).
    return seeds


def _build_graph(
    active: Mapping[UUID, ContactFact],
    seeds: Mapping[Pair, _EdgeSeed],
    now: datetime,
    params: StrengthParams,
) -> nx.Graph:
    """Two passes: the topology first, then strengths, whose overlap part needs it."""
    neighbours: dict[UUID, set[UUID]] = {node: set() for node in active}
    for a, b in seeds:
        neighbours[a].add(b)
        neighbours[b].add(a)
    graph = nx.Graph()
    for contact in active.values():
        graph.add_node(contact.id, full_name=contact.full_name, company=contact.company)
    # ids compared as integers: the same order as UUID's, without its Python-level __lt__
    for (a, b), seed in sorted(seeds.items(), key=lambda item: (item[0][0].int, item[0][1].int)):
        overlap = _jaccard_without_each_other(neighbours[a], neighbours[b], a, b)
        graph.add_edge(
            a,
            b,
            strength=formulas.relationship_strength(
                seed.explicit, seed.shared, overlap, now, params
            ),
            relationship_id=seed.relationship_id,
            type=seed.type,
            source=seed.source,
            shared_count=len(seed.shared),
        )
    return graph


def _jaccard_without_each_other(of_a: set[UUID], of_b: set[UUID], a: UUID, b: UUID) -> float:
    # a and b are each other's neighbours; counting that would make every tie overlap
    union = len(of_a | of_b) - (b in of_a) - (a in of_b)
    return len(of_a & of_b) / union if union > 0 else 0.0


def _cold_ties(
    by_contact: Mapping[UUID, list[InteractionFact]],
    ties: Mapping[UUID, TieStrength],
    active: Mapping[UUID, ContactFact],
    now: datetime,
    params: StrengthParams,
) -> list[ColdTie]:
    ranked: list[tuple[float, UUID, ColdTie]] = []
    for contact_id in active:
        interactions = by_contact.get(contact_id)
        if interactions:
            cold = _cold_tie(contact_id, interactions, ties[contact_id], now, params)
            if cold is not None:
                overdue = cold.days_since_last_interaction / cold.expected_cadence_days
                ranked.append((-cold.strength * math.log1p(overdue), contact_id, cold))
    ranked.sort(key=lambda entry: (entry[0], entry[1]))
    return [cold for _, _, cold in ranked]


def _cold_tie(
    contact_id: UUID,
    interactions: Sequence[InteractionFact],
    tie: TieStrength,
    now: datetime,
    params: StrengthParams,
) -> ColdTie | None:
    rhythm = formulas.cadence([fact.occurred_at for fact in interactions], params)
    if rhythm.usual_gap_days is None or rhythm.occasions < params.cold_min_interactions:
        return None
    strength = formulas.strength_without_recency(tie, params)
    assert tie.last_interaction_at is not None  # there are interactions
    silent = formulas.age_days(tie.last_interaction_at, now)
    if strength < params.cold_min_strength:
        return None
    if silent <= params.cold_cadence_multiple * rhythm.usual_gap_days:
        return None
    return ColdTie(contact_id, silent, rhythm.usual_gap_days, strength)


def _label_sources(
    active: Mapping[UUID, ContactFact], interests: Iterable[InterestFact]
) -> dict[UUID, tuple[str | None, list[tuple[str, float]]]]:
    topics: dict[UUID, dict[str, float]] = defaultdict(dict)
    for interest in interests:
        if interest.contact_id in active:
            # a topic listed under two categories still counts once for its contact
            held = topics[interest.contact_id]
            held[interest.topic] = max(held.get(interest.topic, 0.0), interest.confidence)
    return {
        contact_id: (contact.company, list(topics.get(contact_id, {}).items()))
        for contact_id, contact in active.items()
    }


# --------------------------------------------------------------------------- algorithms


def _step_within(steps: list[_Step], rounds: int) -> _Step:
    """A node's best step using at most `rounds` hops (its value at that round)."""
    return next(step for step in reversed(steps) if step.round <= rounds)


def _most_common(values: Iterable[tuple[str, float]], min_count: int) -> str | None:
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


def _keep_top(heap: list[tuple[float, int, int]], entry: tuple[float, int, int], size: int) -> None:
    if len(heap) < size:
        heapq.heappush(heap, entry)
    elif entry > heap[0]:
        heapq.heapreplace(heap, entry)


def _pagerank(indexed: _Indexed) -> list[float]:
    """Strength-weighted PageRank by power iteration, as networkx defines it.

    Written out because networkx's own implementation needs SciPy, which this project
    does not depend on. Contacts without positive strength spread their rank evenly.
    """
    count = len(indexed.nodes)
    if count == 0:
        return []
    out_weight = [sum(ws) for ws in indexed.weights]
    rank = [1.0 / count] * count
    for _ in range(PAGERANK_MAX_ITERATIONS):
        dangling = sum(r for r, w in zip(rank, out_weight, strict=True) if w <= 0)
        base = (1.0 - PAGERANK_DAMPING + PAGERANK_DAMPING * dangling) / count
        following = [base] * count
        for i, (targets, weights) in enumerate(
            zip(indexed.neighbours, indexed.weights, strict=True)
        ):
            if out_weight[i] > 0:
                spread = PAGERANK_DAMPING * rank[i] / out_weight[i]
                for j, w in zip(targets, weights, strict=True):
                    following[j] += spread * w
        change = sum(abs(a - b) for a, b in zip(following, rank, strict=True))
        rank = following
        if change < count * PAGERANK_TOLERANCE:
            break
    return rank


def _betweenness(indexed: _Indexed, sources: list[int] | None) -> list[float]:
    """Normalised hop-count betweenness (Brandes), exact or from sampled sources.

    Scaled exactly as `networkx.betweenness_centrality(normalized=True)`, including
    its correction for sampled sources. Hops, not strengths: a broker is whoever lies
    on the short routes between people, however close each tie on the route is.
    """
    count = len(indexed.nodes)
    totals = [0.0] * count
    if count <= 2:
        return totals
    for source in range(count) if sources is None else sources:
        _accumulate_dependencies(indexed.neighbours, source, totals)
    if sources is None:
        scale = 1.0 / ((count - 1) * (count - 2))
        return [t * scale for t in totals]
    sampled = set(sources)
    k = len(sources)
    source_scale = 1.0 / ((k - 1) * (count - 2)) if k > 1 else 0.0
    other_scale = 1.0 / (k * (count - 2))
    return [t * (source_scale if i in sampled else other_scale) for i, t in enumerate(totals)]


def _accumulate_dependencies(neighbours: list[list[int]], source: int, totals: list[float]) -> None:
    """One Brandes pass: breadth-first path counts, then dependencies back to front."""
    count = len(neighbours)
    distance = [-1] * count
    paths = [0] * count
    dependency = [0.0] * count
    distance[source], paths[source] = 0, 1
    order = [source]  # the queue, kept whole: read backwards it is the accumulation order
    position = 0
    while position < len(order):
        node = order[position]
        position += 1
        step, through = distance[node] + 1, paths[node]
        for other in neighbours[node]:
            if distance[other] < 0:
                distance[other] = step
                order.append(other)
            if distance[other] == step:
                paths[other] += through
    for node in reversed(order):
        before = distance[node] - 1
        coefficient = (1.0 + dependency[node]) / paths[node]
        for other in neighbours[node]:
            if distance[other] == before:
                dependency[other] += paths[other] * coefficient
        if node != source:
            totals[node] += dependency[node]
