"""PageRank (SciPy) and betweenness (igraph, C) of the contact graph.

networkx's own betweenness is pure Python: 44 s at 10,000 contacts with 500 sampled
sources, against 9 s for the hand-written Brandes this replaced and 0.45 s for igraph's;
PageRank takes 0.41 s in networkx (SciPy), 0.09 s hand-written, 0.05 s in igraph
(benchmarks/centrality.py, docs/benchmarks.md). igraph's betweenness equals networkx's
normalised values (sampled sources scaled as networkx scales them). PageRank is
networkx's SciPy power iteration run on the CSR matrix directly (networkx's own spends
most of its time converting its graph) to a tight tolerance.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from uuid import UUID

import igraph
import numpy
import scipy.sparse

from graph_api.graph.edges import Edges
from graph_api.graph.results import Centrality

# Exact betweenness costs one breadth-first search per contact; above this many contacts
# it is estimated from BETWEENNESS_SAMPLES sources (Brandes–Pich), drawn with a fixed seed
# so the same graph always gives the same estimate, in every process.
BETWEENNESS_EXACT_MAX_NODES = 1_000
BETWEENNESS_SAMPLES = 500
BETWEENNESS_SEED = 7
# sources per igraph call (~20 ms each at 10,000 contacts): what a computation running in
# a thread (the fallback, and graphs computed without a cache) holds the event loop up for
BETWEENNESS_CHUNK = 25
PAGERANK_DAMPING = 0.85
PAGERANK_TOLERANCE = 1e-12  # on the total (L1) change between iterations
PAGERANK_MAX_ITERATIONS = 1_000


@dataclass(frozen=True)
class Ranked:
    """Every contact's centrality, by position in the index."""

    nodes: list[UUID]
    position: dict[UUID, int]
    degrees: list[int]
    pageranks: list[float]
    betweenness: list[float]
    ranking: list[int]  # key connectors first: betweenness, then PageRank, then id

    def of(self, contact_id: UUID) -> Centrality | None:
        i = self.position.get(contact_id)
        if i is None:
            return None
        return Centrality(self.degrees[i], self.pageranks[i], self.betweenness[i])

    def top(self, first: int) -> list[tuple[UUID, Centrality]]:
        return [
            (self.nodes[i], Centrality(self.degrees[i], self.pageranks[i], self.betweenness[i]))
            for i in self.ranking[: max(first, 0)]
        ]


def topology_digest(edges: Edges) -> bytes:
    """What betweenness depends on, as sha-256: how it is computed (exact up to
    BETWEENNESS_EXACT_MAX_NODES, else BETWEENNESS_SAMPLES sources drawn with
    BETWEENNESS_SEED), the contacts and the edges' ends. O(contacts + edges) hashing."""
    digest = hashlib.sha256(
        b"betweenness:%d:%d:%d;"
        % (BETWEENNESS_EXACT_MAX_NODES, BETWEENNESS_SAMPLES, BETWEENNESS_SEED)
    )
    digest.update(b"".join(node.bytes for node in edges.nodes))
    digest.update(edges.low.astype("<i4").tobytes())
    digest.update(edges.high.astype("<i4").tobytes())
    return digest.digest()


def sampled(count: int) -> bool:
    return count > BETWEENNESS_EXACT_MAX_NODES


def rank(edges: Edges, known_betweenness: list[float] | None = None) -> Ranked:
    """Every contact's centrality; betweenness taken as known when given (a graph of the
    same nodes and edges: betweenness counts hops, so only PageRank moves)."""
    count = len(edges.nodes)
    ranks = pagerank(edges)
    if known_betweenness is None:
        between = betweenness_of(count, edges.low, edges.high)
    else:
        between = known_betweenness
    # positions are id order, so the last key breaks ties by id
    order = numpy.lexsort((numpy.arange(count), -numpy.asarray(ranks), -numpy.asarray(between)))
    degrees = numpy.diff(edges.indptr).tolist()
    return Ranked(edges.nodes, edges.position, degrees, ranks, between, order.tolist())


def pagerank(edges: Edges) -> list[float]:
    """Strength-weighted PageRank by power iteration, as networkx defines it (its SciPy
    form, on the CSR matrix directly): contacts without positive strength spread their
    rank evenly. Iterated to a total change below PAGERANK_TOLERANCE, far tighter than
    networkx's n·10⁻⁶: the result is the fixed point to ~10⁻¹², bit for bit the same for
    the same graph (igraph's solvers differ in the last bits from run to run, which
    reorders contacts whose ranks are equal).
    """
    count = len(edges.nodes)
    if count == 0:
        return []
    data = edges.strength[edges.entry_edge]
    matrix = scipy.sparse.csr_array((data, edges.indices, edges.indptr), shape=(count, count))
    out_weight = numpy.asarray(matrix.sum(axis=1)).ravel()
    dangling = out_weight <= 0
    scale = numpy.divide(1.0, out_weight, out=numpy.zeros(count), where=~dangling)
    # rank flows from row i to its columns: transposed, the step is one sparse product
    flow = (scipy.sparse.diags_array(scale) @ matrix).T.tocsr()
    rank = numpy.full(count, 1.0 / count)
    for _ in range(PAGERANK_MAX_ITERATIONS):
        following = PAGERANK_DAMPING * (flow @ rank)
        following += (1.0 - PAGERANK_DAMPING + PAGERANK_DAMPING * rank[dangling].sum()) / count
        change = float(numpy.abs(following - rank).sum())
        rank = following
        if change < PAGERANK_TOLERANCE:
            break
    return [float(r) for r in rank]


def betweenness_of(count: int, low: numpy.ndarray, high: numpy.ndarray) -> list[float]:
    """The betweenness `rank` computes, of the graph with these edges: a function of
    plain arrays, so a child process can run it (graph/worker.py)."""
    pairs = numpy.column_stack((low, high))
    return betweenness(igraph.Graph(n=count, edges=pairs, directed=False))


def betweenness(graph: igraph.Graph) -> list[float]:
    """Normalised hop-count betweenness, exact or from sampled sources.

    Scaled exactly as `networkx.betweenness_centrality(normalized=True)`, including its
    correction for sampled sources. Hops, not strengths: a broker is whoever lies on the
    short routes between people, however close each tie on the route is.
    """
    count = graph.vcount()
    if count <= 2:
        return [0.0] * count
    if not sampled(count):
        # igraph counts each unordered pair once: networkx's normalisation is 2/((n-1)(n-2))
        scale = 2.0 / ((count - 1) * (count - 2))
        return [float(b) * scale for b in graph.betweenness(directed=False)]
    sources = random.Random(BETWEENNESS_SEED).sample(range(count), BETWEENNESS_SAMPLES)
    # with sources, igraph sums half of each source's dependencies (an undirected pair
    # counted once): twice that is Brandes's sum over the sampled sources. A chunk of
    # sources per call, summed in order (the same bits every time): igraph holds the
    # interpreter lock for a whole call, and between calls every other thread runs
    raw = numpy.zeros(count)
    for start in range(0, len(sources), BETWEENNESS_CHUNK):
        chunk = sources[start : start + BETWEENNESS_CHUNK]
        raw += numpy.asarray(graph.betweenness(directed=False, sources=chunk))
    chosen = set(sources)
    k = len(sources)
    source_scale = 2.0 / ((k - 1) * (count - 2)) if k > 1 else 0.0
    other_scale = 2.0 / (k * (count - 2))
    return [
        float(b) * (source_scale if i in chosen else other_scale)
        for i, b in enumerate(raw.tolist())
    ]
