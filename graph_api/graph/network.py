"""One user's contact graph: its parts, and every question asked of it.

The user is the ego at the centre and adjacent to everyone, so (as in ego-network
analysis) the user is not a node: the graph holds contacts and contact↔contact ties.
The user enters only where the user is an end of the question: tie strength,
introduction paths, going cold.

A `Network` never changes: cheap answers come from its parts (graph/build.py), costly
whole-graph ones (communities, centrality, suggestions, statistics, the networkx view)
are computed on first use under a lock, so any number of threads may share one
instance. A write makes a new `Network` from the old one (graph/delta.py). The
algorithms live in paths, communities, centrality and suggestions; docs/graph.md
explains every formula, algorithm and bound used.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

import networkx as nx

from graph_api.graph import centrality, communities, paths
from graph_api.graph.build import Parts, build_parts, pair_of, rank_cold
from graph_api.graph.centrality import BETWEENNESS_EXACT_MAX_NODES, PAGERANK_DAMPING
from graph_api.graph.communities import Communities
from graph_api.graph.facts import NetworkFacts
from graph_api.graph.results import (
    Centrality,
    ColdTie,
    CommunityResult,
    ContactMetrics,
    Edge,
    Mutual,
    PathResult,
    Stats,
    Suggestion,
)
from graph_api.graph.strength import ZERO_TIE, StrengthParams, TieStrength
from graph_api.graph.suggestions import rank_suggestions

__all__ = [
    "BETWEENNESS_EXACT_MAX_NODES",
    "PAGERANK_DAMPING",
    "Centrality",
    "ColdTie",
    "CommunityResult",
    "ContactMetrics",
    "Edge",
    "Mutual",
    "Network",
    "PathResult",
    "Stats",
    "Suggestion",
]

T = TypeVar("T")

BYTES_PER_EDGE = 520  # the measured 462 B, and what whole-graph results add
BYTES_PER_CONTACT = 600  # for graphs of contacts without ties


class _Lazy(Generic[T]):
    """A value computed on first use, once, even when threads ask at the same time."""

    __slots__ = ("_lock", "_result")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._result: tuple[T] | None = None

    @property
    def computed(self) -> bool:
        return self._result is not None

    def peek(self) -> T | None:
        result = self._result
        return None if result is None else result[0]

    def set(self, value: T) -> None:
        with self._lock:
            if self._result is None:
                self._result = (value,)

    def get(self, compute: Callable[[], T]) -> T:
        result = self._result
        if result is None:
            with self._lock:
                if self._result is None:
                    self._result = (compute(),)
                result = self._result
        return result[0]


class Network:
    """An immutable contact graph; every method is a pure read."""

    computed_at: datetime
    params: StrengthParams

    def __init__(self, parts: Parts, computed_at: datetime, params: StrengthParams) -> None:
        """Use `Network.build` (or graph/delta.py); this only stores what they made."""
        self.parts = parts
        self.computed_at = computed_at
        self.params = params
        self._adjacency = parts.adjacency
        self._graph: _Lazy[nx.Graph] = _Lazy()
        self._indexed: _Lazy[centrality.Indexed] = _Lazy()
        self._communities: _Lazy[Communities] = _Lazy()
        self._centrality: _Lazy[centrality.Ranked] = _Lazy()
        self._suggestions: _Lazy[list[Suggestion]] = _Lazy()
        self._stats: _Lazy[Stats] = _Lazy()
        self._tie_scores: _Lazy[tuple[list[UUID], list[float]]] = _Lazy()
        self._cold: _Lazy[list[ColdTie]] = _Lazy()
        # from a graph with the same nodes and edges: its index and betweenness still hold
        self._same_topology: list[float] | None = None
        self._same_index: centrality.Indexed | None = None

    def __del__(self) -> None:
        # networkx caches views that point back at their graph (`edges`, `degree`): a
        # reference cycle. Breaking it lets refcounting free the graph at once, which
        # matters because the cache freezes graphs out of the cyclic collector's sight.
        graph = self._graph.peek()
        if graph is not None:
            for cached in ("edges", "degree"):
                graph.__dict__.pop(cached, None)

    @classmethod
    def build(cls, facts: NetworkFacts, params: StrengthParams) -> Network:
        if facts.now.tzinfo is None:
            raise ValueError("facts.now must be timezone-aware")
        parts = build_parts(
            facts.contacts,
            facts.relationships,
            facts.interactions,
            facts.interests,
            facts.now,
            params,
        )
        return cls(parts, facts.now, params)

    @property
    def graph(self) -> nx.Graph:
        """The graph as a frozen networkx graph (built on first use: communities, stats,
        export and tests read it; nothing on a hot path does)."""
        return self._graph.get(self._networkx)

    def _networkx(self) -> nx.Graph:
        graph = nx.Graph()
        contacts = self.parts.contacts
        for contact_id in sorted(contacts, key=lambda c: c.int):
            contact = contacts[contact_id]
            graph.add_node(contact_id, full_name=contact.full_name, company=contact.company)
        links = self.parts.links
        for a, b in sorted(links, key=lambda pair: (pair[0].int, pair[1].int)):
            link = links[(a, b)]
            graph.add_edge(
                a,
                b,
                strength=self._adjacency[a][b],
                relationship_id=link.relationship_id,
                type=link.type,
                source=link.source,
                shared_count=link.shared_count,
            )
        return nx.freeze(graph)

    @property
    def estimated_bytes(self) -> int:
        """What the graph holds in memory, by the per-edge and per-contact sizes measured
        with tracemalloc (benchmarks/graph_writes.py: 462 B per edge at 10,000 contacts,
        the contacts' share included; centrality and communities once computed add about
        a tenth)."""
        return BYTES_PER_EDGE * len(self.parts.links) + BYTES_PER_CONTACT * len(self.parts.contacts)

    # ----- lookups

    def has_contact(self, id: UUID) -> bool:
        return id in self._adjacency

    def tie(self, contact_id: UUID) -> TieStrength:
        """The user's tie to a contact; a zero tie when there were no interactions."""
        return self.parts.ties.get(contact_id, ZERO_TIE)

    def relationship_strength(self, a: UUID, b: UUID) -> float | None:
        return self._adjacency.get(a, {}).get(b)

    def edge(self, a: UUID, b: UUID) -> Edge | None:
        strength = self._adjacency.get(a, {}).get(b)
        if strength is None:
            return None
        low, high = pair_of(a, b)
        link = self.parts.links[(low, high)]
        return Edge(
            low,
            high,
            strength,
            link.relationship_id,
            link.type,
            link.source,
            link.shared_count,
        )

    def edge_strengths(self, contact_ids: Iterable[UUID]) -> tuple[list[UUID], list[float]]:
        """(relationship ids, strengths) of the stored ties at these contacts, each once."""
        strengths: dict[UUID, float] = {}
        links = self.parts.links
        for contact_id in contact_ids:
            around = self._adjacency.get(contact_id)
            if around is None:
                continue
            for other, strength in around.items():
                strengths[links[pair_of(contact_id, other)].relationship_id] = strength
        return list(strengths), list(strengths.values())

    def tie_scores(self) -> tuple[list[UUID], list[float]]:
        """Every contact's tie score, as parallel lists (for ordering in SQL)."""
        return self._tie_scores.get(self._all_tie_scores)

    def _all_tie_scores(self) -> tuple[list[UUID], list[float]]:
        contacts = set(self._adjacency) | set(self.parts.ties)
        ids = sorted(contacts, key=lambda contact: contact.int)  # UUID order, without __lt__
        return ids, [self.tie(contact_id).score for contact_id in ids]

    @property
    def metrics_computed(self) -> bool:
        """Whether someone has asked for metrics (the slow part: betweenness)."""
        return self._centrality.computed

    def warm_metrics(self) -> None:
        """Compute every contact's centrality now (call off the event loop)."""
        self._ranked()

    def within_hops(self, contact_id: UUID, hops: int) -> list[UUID]:
        """The contact and everyone within `hops` ties of it (empty for an unknown contact)."""
        if contact_id not in self._adjacency:
            return []
        return list(paths.hops_from(self._adjacency, contact_id, hops))

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
        return paths.shortest_path(self._adjacency, a, b, max_hops)

    def introduction_paths(self, target: UUID, max_hops: int, first: int) -> list[PathResult]:
        """Ways for the user to be introduced to `target`: user → introducer(s) → target."""
        return paths.introduction_paths(
            self._adjacency, lambda c: self.tie(c).score, target, max_hops, first
        )

    # ----- communities

    def communities(self) -> list[CommunityResult]:
        """Louvain communities; ids 0..n-1 by size, largest first, then smallest member."""
        return list(self._detected().results)

    @property
    def modularity(self) -> float:
        return self._detected().modularity

    def community_of(self, contact_id: UUID) -> int | None:
        return self._detected().membership.get(contact_id)

    def _detected(self) -> Communities:
        return self._communities.get(lambda: communities.detect(self.graph, self._label_source))

    def _label_source(self, contact_id: UUID) -> tuple[str | None, list[tuple[str, float]]]:
        return self.parts.contacts[contact_id].company, self.parts.topics.get(contact_id, [])

    # ----- centrality

    def metrics(self, contact_id: UUID) -> ContactMetrics | None:
        found = self._ranked().of(contact_id)
        if found is None:
            return None
        return ContactMetrics(
            found.degree, found.pagerank, found.betweenness, self.community_of(contact_id)
        )

    @property
    def betweenness_sampled(self) -> bool:
        return centrality.sampled(len(self._adjacency))

    def key_connectors(self, first: int) -> list[tuple[UUID, Centrality]]:
        """Contacts by betweenness, then PageRank: who bridges otherwise distant people."""
        return self._ranked().top(first)

    def _ranked(self) -> centrality.Ranked:
        return self._centrality.get(lambda: centrality.rank(self._index(), self._same_topology))

    def _index(self) -> centrality.Indexed:
        return self._indexed.get(self._make_index)

    def _make_index(self) -> centrality.Indexed:
        if self._same_index is not None:
            return centrality.reweighted(self._same_index, self._adjacency)
        return centrality.index(self._adjacency)

    def inherit_topology(self, earlier: Network) -> None:
        """`earlier` has the same contacts and edges (strengths aside): reuse its index's
        structure and its betweenness, computed or inherited, instead of making them
        again (betweenness counts hops)."""
        ranked = earlier._centrality.peek()
        self._same_topology = ranked.betweenness if ranked is not None else earlier._same_topology
        self._same_index = earlier._indexed.peek() or earlier._same_index

    def inherit_tie_scores(self, earlier: Network, touched: Iterable[UUID]) -> None:
        """Take over `earlier`'s tie-score lists with the touched contacts' scores
        replaced, when no contact came or went (else they are computed afresh)."""
        found = earlier._tie_scores.peek()
        if found is None:
            return
        ids, scores = found
        scores = list(scores)
        for contact_id in touched:
            present = contact_id in self._adjacency or contact_id in self.parts.ties
            i = bisect_left(ids, contact_id.int, key=lambda listed: listed.int)
            listed = i < len(ids) and ids[i] == contact_id
            if present != listed:
                return
            if listed:
                scores[i] = self.tie(contact_id).score
        self._tie_scores.set((ids, scores))

    # ----- going cold

    def going_cold(self, first: int) -> list[ColdTie]:
        """Strong ties silent for longer than their usual cadence allows, most overdue first."""
        return self._cold.get(lambda: rank_cold(self.parts.cold))[: max(first, 0)]

    # ----- suggestions

    def suggested_connections(self, first: int) -> list[Suggestion]:
        """Unconnected pairs with common neighbours, by Adamic–Adar (at most SUGGESTION_LIMIT)."""
        return self._suggestions.get(lambda: rank_suggestions(self._index()))[: max(first, 0)]

    # ----- statistics

    def stats(self) -> Stats:
        return self._stats.get(self._compute_stats)

    def _compute_stats(self) -> Stats:
        graph = self.graph
        strengths = [self._adjacency[a][b] for a, b in self.parts.links]
        return Stats(
            contacts=graph.number_of_nodes(),
            relationships=graph.number_of_edges(),
            density=float(nx.density(graph)) if len(graph) > 1 else 0.0,
            average_clustering=float(nx.average_clustering(graph)) if len(graph) else 0.0,
            communities=len(self._detected().results),
            average_strength=math.fsum(strengths) / len(strengths) if strengths else 0.0,
        )
