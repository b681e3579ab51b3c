"""A released graph is freed by refcounting alone: the cache freezes graphs out of the
cyclic collector's sight, so a reference cycle would leak a whole graph per rebuild."""

from __future__ import annotations

import gc
import uuid
import weakref
from datetime import UTC, datetime

from graph_api.graph.network import Network
from graph_api.graph.strength import StrengthParams
from graph_api.seed import generate_network
from tests.unit.test_network import facts_from_seed


def test_a_released_network_and_its_edges_are_freed_without_the_collector() -> None:
    now = datetime.now(UTC)
    facts = facts_from_seed(generate_network(uuid.uuid4(), 300, 3, now), now)
    network = Network.build(facts, StrengthParams())
    some = list(network.graph.nodes)
    # touch everything that caches: views, communities, metrics, stats
    network.communities()
    network.metrics(some[0])
    network.stats()
    network.suggested_connections(3)
    network.key_connectors(3)
    network.shortest_path(some[0], some[1], 6)
    _ = list(network.graph.edges(data=True)), dict(network.graph.degree)
    edges = weakref.ref(network.parts.edges)
    whole = weakref.ref(network)
    gc.disable()
    try:
        del network
        assert whole() is None
        assert edges() is None, "the graph's edges are kept alive by a reference cycle"
    finally:
        gc.enable()
