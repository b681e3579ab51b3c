"""Centrality: what graph/centrality.py uses (igraph's betweenness, PageRank by SciPy
power iteration) against networkx, igraph's PageRank and the hand-written PageRank and
Brandes betweenness they replaced, on a generated network.

    .venv/bin/python -m benchmarks.centrality [--contacts 10000] [--repeat 3] [--accuracy]

No database: the generator's rows become facts as the loader would give them. Prints the
best of `--repeat` runs of each, and the largest difference from igraph's values.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import NamedTuple, TypeVar

import igraph
import networkx as nx
import numpy

from graph_api.graph import centrality
from graph_api.graph.network import Network
from graph_api.graph.strength import StrengthParams
from graph_api.seed import generate_network
from tests.unit.test_network import facts_from_seed

T = TypeVar("T")


def best_of(repeat: int, work: Callable[[], T]) -> tuple[float, T]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    assert result is not None
    return min(times), result


# ----- the hand-written implementations graph/network.py held until igraph (reference)


class Indexed(NamedTuple):
    """The graph as the hand-written versions read it: lists per contact position."""

    nodes: list[uuid.UUID]
    neighbours: list[list[int]]
    weights: list[list[float]]


def hand_pagerank(indexed: Indexed) -> list[float]:
    count = len(indexed.nodes)
    out_weight = [sum(ws) for ws in indexed.weights]
    rank = [1.0 / count] * count
    for _ in range(100):
        dangling = sum(r for r, w in zip(rank, out_weight, strict=True) if w <= 0)
        base = (1.0 - 0.85 + 0.85 * dangling) / count
        following = [base] * count
        for i, (targets, weights) in enumerate(
            zip(indexed.neighbours, indexed.weights, strict=True)
        ):
            if out_weight[i] > 0:
                spread = 0.85 * rank[i] / out_weight[i]
                for j, w in zip(targets, weights, strict=True):
                    following[j] += spread * w
        change = sum(abs(a - b) for a, b in zip(following, rank, strict=True))
        rank = following
        if change < count * 1e-6:
            break
    return rank


def hand_betweenness(indexed: Indexed, sources: list[int]) -> list[float]:
    neighbours = indexed.neighbours
    count = len(neighbours)
    totals = [0.0] * count
    for source in sources:
        distance, paths, dependency = [-1] * count, [0] * count, [0.0] * count
        distance[source], paths[source] = 0, 1
        order, position = [source], 0
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
            coefficient = (1.0 + dependency[node]) / paths[node]
            for other in neighbours[node]:
                if distance[other] == distance[node] - 1:
                    dependency[other] += paths[other] * coefficient
            if node != source:
                totals[node] += dependency[node]
    chosen, k = set(sources), len(sources)
    source_scale, other_scale = 1.0 / ((k - 1) * (count - 2)), 1.0 / (k * (count - 2))
    return [t * (source_scale if i in chosen else other_scale) for i, t in enumerate(totals)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-networkx-betweenness", action="store_true")
    parser.add_argument(
        "--accuracy", action="store_true", help="sample sizes against exact betweenness"
    )
    args = parser.parse_args()
    now = datetime(2026, 12, 1, tzinfo=UTC)
    facts = facts_from_seed(generate_network(uuid.UUID(int=1), args.contacts, 42, now), now)
    build_s, network = best_of(args.repeat, lambda: Network.build(facts, StrengthParams()))
    graph_edges = network.parts.edges
    indexed = Indexed(
        graph_edges.nodes,
        [graph_edges.neighbours(i) for i in range(len(graph_edges.nodes))],
        [list(graph_edges.around(i).values()) for i in range(len(graph_edges.nodes))],
    )
    count, edges = len(indexed.nodes), len(graph_edges)
    print(f"{count} contacts, {edges} ties; Network.build from facts {build_s * 1000:.0f} ms")
    sources = random.Random(centrality.BETWEENNESS_SEED).sample(
        range(count), centrality.BETWEENNESS_SAMPLES
    )
    ig_s, ranked = best_of(args.repeat, lambda: centrality.rank(graph_edges))
    ig_rank, ig_between = ranked.pageranks, ranked.betweenness
    print(f"| centrality.rank: PageRank + betweenness, incl. conversion | {ig_s * 1000:.0f} ms |")
    pr_s, _ = best_of(args.repeat, lambda: centrality.pagerank(graph_edges))
    print(f"| of which PageRank (SciPy power iteration to 1e-12) | {pr_s * 1000:.0f} ms |")
    edges = [(i, j) for i, ts in enumerate(indexed.neighbours) for j in ts if i < j]
    weights = [
        w
        for i, (ts, ws) in enumerate(zip(indexed.neighbours, indexed.weights, strict=True))
        for j, w in zip(ts, ws, strict=True)
        if i < j
    ]
    graph_ig = igraph.Graph(n=count, edges=edges)
    prpack_s, prpack = best_of(
        args.repeat, lambda: graph_ig.pagerank(directed=False, damping=0.85, weights=weights)
    )
    again = graph_ig.pagerank(directed=False, damping=0.85, weights=weights)
    hand_pr_s, hand_pr = best_of(args.repeat, lambda: hand_pagerank(indexed))
    hand_bw_s, hand_bw = best_of(1, lambda: hand_betweenness(indexed, sources))
    graph = network.graph
    nx_pr_s, nx_pr = best_of(
        args.repeat, lambda: nx.pagerank(graph, alpha=0.85, weight="strength", tol=1e-6)
    )
    rows = [
        (
            f"igraph PageRank (PRPACK; repeatable to the bit: {prpack == again})",
            prpack_s,
            prpack,
            ig_rank,
        ),
        ("hand-written PageRank", hand_pr_s, hand_pr, ig_rank),
        ("networkx PageRank (SciPy)", nx_pr_s, [nx_pr[n] for n in indexed.nodes], ig_rank),
        ("hand-written betweenness", hand_bw_s, hand_bw, ig_between),
    ]
    if not args.skip_networkx_betweenness:
        nx_bw_s, nx_bw = best_of(
            1, lambda: nx.betweenness_centrality(graph, k=centrality.BETWEENNESS_SAMPLES, seed=7)
        )
        rows.append(
            ("networkx betweenness", nx_bw_s, [nx_bw[n] for n in indexed.nodes], ig_between)
        )
    for name, seconds, values, reference in rows:
        worst = max(abs(a - b) for a, b in zip(values, reference, strict=True))
        print(
            f"| {name} | {seconds * 1000:.0f} ms | max abs difference from centrality.rank {worst:.2e} |"
        )
    if args.accuracy:
        sample_accuracy(graph_ig, count)


def sample_accuracy(graph: igraph.Graph, count: int) -> None:
    """What the sample size buys: each estimate against exact betweenness (one search
    per contact), over five seeds: the largest error and how many of the exact top ten
    the estimate's top ten holds."""
    started = time.perf_counter()
    exact = numpy.asarray(graph.betweenness(directed=False)) * 2 / ((count - 1) * (count - 2))
    print(f"exact betweenness {time.perf_counter() - started:.1f} s; largest {exact.max():.2e}")
    top = set(numpy.argsort(-exact)[:10].tolist())
    print("| sources | time | largest error (mean of 5 seeds) | exact top ten kept, per seed |")
    print("|---|---|---|---|")
    for k in (100, 200, 300, centrality.BETWEENNESS_SAMPLES):
        errors, kept, times = [], [], []
        for seed in range(5):
            sources = random.Random(seed).sample(range(count), k)
            started = time.perf_counter()
            raw = numpy.asarray(graph.betweenness(directed=False, sources=sources))
            times.append(time.perf_counter() - started)
            chosen = numpy.zeros(count, dtype=bool)
            chosen[sources] = True
            estimate = numpy.where(
                chosen, raw * 2 / ((k - 1) * (count - 2)), raw * 2 / (k * (count - 2))
            )
            errors.append(float(numpy.abs(estimate - exact).max()))
            kept.append(len(top & set(numpy.argsort(-estimate)[:10].tolist())))
        print(
            f"| {k} | {min(times) * 1000:.0f} ms | {numpy.mean(errors):.1e} | {', '.join(map(str, kept))} |"
        )


if __name__ == "__main__":
    main()
