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
import numpy

from graph_api.graph import centrality, communities, paths
from graph_api.graph.build import Parts, build_parts, rank_cold
from graph_api.graph.centrality import BETWEENNESS_EXACT_MAX_NODES, PAGERANK_DAMPING
from graph_api.graph.communities import Communities
from graph_api.graph.facts import RELATIONSHIP_SOURCES as SOURCES
from graph_api.graph.facts import RELATIONSHIP_TYPES as TYPES
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

# what a contact holds outside the edges' arrays (its facts, tie, topics, cold tie, and
# its share of whole-graph results once computed), measured with tracemalloc
# (benchmarks/graph_writes.py)
BYTES_PER_CONTACT = 1_000


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
        self._edges = parts.edges
        self._position = parts.edges.position
        self._communities: _Lazy[Communities] = _Lazy()
        self._centrality: _Lazy[centrality.Ranked] = _Lazy()
        self._suggestions: _Lazy[list[Suggestion]] = _Lazy()
        self._stats: _Lazy[Stats] = _Lazy()
        self._tie_scores: _Lazy[tuple[list[UUID], list[float]]] = _Lazy()
        self._cold: _Lazy[list[ColdTie]] = _Lazy()
        self._topology: _Lazy[bytes] = _Lazy()
        # from a graph with the same nodes and edges: its betweenness still holds
        self._same_topology: list[float] | None = None

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
        """The graph as a frozen networkx graph, made anew on every call (O(edges) in
        Python, ~0.3 s at 10,000 contacts): communities, statistics, export and tests
        read it, nothing on a hot path does, and a kept copy would hold ~500 B per edge
        where the arrays hold ~60."""
        graph = nx.Graph()
        edges = self._edges
        contacts = self.parts.contacts
        for contact_id in edges.nodes:
            contact = contacts[contact_id]
            graph.add_node(contact_id, full_name=contact.full_name, company=contact.company)
        nodes = edges.nodes
        strengths = edges.strength.tolist()
        shared = edges.shared.tolist()
        types, sources = edges.type.tolist(), edges.source.tolist()
        for k, (a, b) in enumerate(zip(edges.low.tolist(), edges.high.tolist(), strict=True)):
            graph.add_edge(
                nodes[a],
                nodes[b],
                strength=strengths[k],
                relationship_id=edges.relationship_id(k),
                type=TYPES[types[k]],
                source=SOURCES[sources[k]],
                shared_count=shared[k],
            )
        return nx.freeze(graph)

    @property
    def estimated_bytes(self) -> int:
        """What the graph holds in memory: its edge arrays exactly, and the per-contact
        size measured with tracemalloc (benchmarks/graph_writes.py)."""
        return self._edges.nbytes + BYTES_PER_CONTACT * len(self.parts.contacts)

    # ----- lookups

    @property
    def contact_count(self) -> int:
        return len(self._position)

    def has_contact(self, id: UUID) -> bool:
        return id in self._position

    def tie(self, contact_id: UUID) -> TieStrength:
        """The user's tie to a contact; a zero tie when there were no interactions."""
        return self.parts.ties.get(contact_id, ZERO_TIE)

    def _edge_row(self, a: UUID, b: UUID) -> int | None:
        i, j = self._position.get(a), self._position.get(b)
        if i is None or j is None:
            return None
        return self._edges.edge_between(i, j)

    def relationship_strength(self, a: UUID, b: UUID) -> float | None:
        k = self._edge_row(a, b)
        return None if k is None else float(self._edges.strength[k])

    def edge(self, a: UUID, b: UUID) -> Edge | None:
        k = self._edge_row(a, b)
        if k is None:
            return None
        edges = self._edges
        return Edge(
            edges.nodes[int(edges.low[k])],
            edges.nodes[int(edges.high[k])],
            float(edges.strength[k]),
            edges.relationship_id(k),
            TYPES[int(edges.type[k])],
            SOURCES[int(edges.source[k])],
            int(edges.shared[k]),
        )

    def edge_strengths(self, contact_ids: Iterable[UUID]) -> tuple[list[UUID], list[float]]:
        """(relationship ids, strengths) of the stored ties at these contacts, each once."""
        positions = [self._position[c] for c in contact_ids if c in self._position]
        rows = self._edges.at(positions)
        edges = self._edges
        ids = [edges.relationship_id(k) for k in rows.tolist()]
        return ids, edges.strength[rows].tolist()

    def tie_scores(self) -> tuple[list[UUID], list[float]]:
        """Every contact's tie score, as parallel lists (for ordering in SQL)."""
        return self._tie_scores.get(self._all_tie_scores)

    def _all_tie_scores(self) -> tuple[list[UUID], list[float]]:
        contacts = set(self._position) | set(self.parts.ties)
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
        i = self._position.get(contact_id)
        if i is None:
            return []
        nodes = self._edges.nodes
        return [nodes[j] for j in paths.hops_from(self._edges, i, hops)]

    # ----- mutual connections

    def mutual_connections(self, a: UUID, b: UUID, first: int) -> Mutual:
        """Common neighbours of a and b; Jaccard over their neighbour sets without each other."""
        i, j = self._position.get(a), self._position.get(b)
        if a == b or i is None or j is None:
            return Mutual([], 0, 0.0, 0.0)
        edges = self._edges
        of_a, of_b = edges.around(i), edges.around(j)
        neighbours_a, neighbours_b = set(of_a) - {j}, set(of_b) - {i}
        common = neighbours_a & neighbours_b
        union = neighbours_a | neighbours_b
        jaccard = len(common) / len(union) if union else 0.0
        # a common neighbour has degree >= 2, so its log is positive
        adamic_adar = sum(1.0 / math.log(edges.degree(w)) for w in sorted(common))
        ranked = sorted(common, key=lambda w: (-(of_a[w] + of_b[w]), w))
        nodes = edges.nodes
        return Mutual(
            [nodes[w] for w in ranked[: max(first, 0)]], len(common), jaccard, adamic_adar
        )

    # ----- paths

    def shortest_path(self, a: UUID, b: UUID, max_hops: int) -> PathResult | None:
        """Fewest hops; among those the greatest weakest link, then the greatest total."""
        if a == b:
            raise ValueError("a path needs two different contacts")
        i, j = self._position.get(a), self._position.get(b)
        if i is None or j is None:
            return None
        return paths.shortest_path(self._edges, i, j, max_hops)

    def introduction_paths(self, target: UUID, max_hops: int, first: int) -> list[PathResult]:
        """Ways for the user to be introduced to `target`: user → introducer(s) → target."""
        i = self._position.get(target)
        if i is None:
            return []
        nodes = self._edges.nodes
        return paths.introduction_paths(
            self._edges, lambda c: self.tie(nodes[c]).score, i, max_hops, first
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
        return centrality.sampled(len(self._position))

    def key_connectors(self, first: int) -> list[tuple[UUID, Centrality]]:
        """Contacts by betweenness, then PageRank: who bridges otherwise distant people."""
        return self._ranked().top(first)

    def _ranked(self) -> centrality.Ranked:
        return self._centrality.get(lambda: centrality.rank(self._edges, self._same_topology))

    @property
    def betweenness_known(self) -> bool:
        """Whether metrics need no betweenness computed (computed, or taken over)."""
        return self._centrality.computed or self._same_topology is not None

    @property
    def betweenness(self) -> list[float] | None:
        """Every contact's betweenness by position, once computed or taken over."""
        ranked = self._centrality.peek()
        return ranked.betweenness if ranked is not None else self._same_topology

    @property
    def edge_ends(self) -> tuple[numpy.ndarray, numpy.ndarray]:
        """(low, high) positions of every edge: what betweenness is computed from."""
        return self._edges.low, self._edges.high

    @property
    def topology(self) -> bytes:
        """The digest betweenness is kept under (graph/stored.py)."""
        return self._topology.get(lambda: centrality.topology_digest(self._edges))

    def adopt_betweenness(self, scores: list[float]) -> None:
        """Betweenness computed for a graph of this topology (a digest match)."""
        if len(scores) != len(self._edges.nodes):
            raise ValueError("betweenness of another topology")
        if not self.betweenness_known:
            self._same_topology = scores

    def inherit_topology(self, earlier: Network) -> None:
        """`earlier` has the same contacts and edges (strengths aside): reuse its
        betweenness, computed or inherited, instead of computing it again (betweenness
        counts hops)."""
        ranked = earlier._centrality.peek()
        self._same_topology = ranked.betweenness if ranked is not None else earlier._same_topology
        digest = earlier._topology.peek()
        if digest is not None:
            self._topology.set(digest)

    def inherit_tie_scores(self, earlier: Network, touched: Iterable[UUID]) -> None:
        """Take over `earlier`'s tie-score lists with the touched contacts' scores
        replaced, when no contact came or went (else they are computed afresh)."""
        found = earlier._tie_scores.peek()
        if found is None:
            return
        ids, scores = found
        scores = list(scores)
        for contact_id in touched:
            present = contact_id in self._position or contact_id in self.parts.ties
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
        return self._suggestions.get(lambda: rank_suggestions(self._edges))[: max(first, 0)]

    # ----- statistics

    def stats(self) -> Stats:
        return self._stats.get(self._compute_stats)

    def _compute_stats(self) -> Stats:
        graph = self.graph
        strengths = self._edges.strength.tolist()
        return Stats(
            contacts=graph.number_of_nodes(),
            relationships=graph.number_of_edges(),
            density=float(nx.density(graph)) if len(graph) > 1 else 0.0,
            average_clustering=float(nx.average_clustering(graph)) if len(graph) else 0.0,
            communities=len(self._detected().results),
            average_strength=math.fsum(strengths) / len(strengths) if strengths else 0.0,
        )
