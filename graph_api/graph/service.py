"""Graph questions as the API asks them: arguments checked, heavy work off the loop.

Resolvers call these with the request's network (`Context.graph()`); IDs arrive
already decoded. Errors name the argument at fault.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

from graph_api.errors import InvalidInput, NotFound
from graph_api.graph.network import Network
from graph_api.graph.results import (
    Centrality,
    ColdTie,
    CommunityResult,
    ContactMetrics,
    Mutual,
    PathResult,
    Stats,
    Suggestion,
)

MAX_RESULTS = 100
MAX_PATH_HOPS = 6
MAX_INTRODUCTION_HOPS = 5


def check_first(first: int, field: str = "first", maximum: int = MAX_RESULTS) -> None:
    if not 1 <= first <= maximum:
        raise InvalidInput(f"`{field}` must be between 1 and {maximum}", field=field)


def check_contact(network: Network, contact_id: UUID, field: str) -> None:
    if not network.has_contact(contact_id):
        raise NotFound("Contact not found", field=field)


def check_pair(network: Network, a: UUID, b: UUID, fields: tuple[str, str]) -> None:
    check_contact(network, a, fields[0])
    check_contact(network, b, fields[1])
    if a == b:
        raise InvalidInput(
            f"`{fields[0]}` and `{fields[1]}` must be different contacts", field=fields[1]
        )


def mutual_connections(
    network: Network, a: UUID, b: UUID, first: int, fields: tuple[str, str]
) -> Mutual:
    check_first(first)
    check_pair(network, a, b, fields)
    return network.mutual_connections(a, b, first)


def shortest_path(network: Network, a: UUID, b: UUID, max_hops: int) -> PathResult | None:
    if not 1 <= max_hops <= MAX_PATH_HOPS:
        raise InvalidInput(f"`maxHops` must be between 1 and {MAX_PATH_HOPS}", field="maxHops")
    check_pair(network, a, b, ("from", "to"))
    return network.shortest_path(a, b, max_hops)


async def introduction_paths(
    network: Network, target: UUID, max_hops: int, first: int
) -> list[PathResult]:
    if not 2 <= max_hops <= MAX_INTRODUCTION_HOPS:
        raise InvalidInput(
            f"`maxHops` must be between 2 and {MAX_INTRODUCTION_HOPS}", field="maxHops"
        )
    check_first(first, maximum=20)
    check_contact(network, target, "to")
    return await asyncio.to_thread(network.introduction_paths, target, max_hops, first)


async def communities(network: Network) -> tuple[list[CommunityResult], float]:
    found = await asyncio.to_thread(network.communities)
    return found, network.modularity


async def metrics(network: Network, contact_id: UUID) -> ContactMetrics | None:
    return await asyncio.to_thread(network.metrics, contact_id)


async def key_connectors(network: Network, first: int) -> list[tuple[UUID, Centrality]]:
    check_first(first)
    return await asyncio.to_thread(network.key_connectors, first)


async def going_cold(network: Network, first: int) -> list[ColdTie]:
    check_first(first)
    return await asyncio.to_thread(network.going_cold, first)


async def suggested_connections(network: Network, first: int) -> list[Suggestion]:
    check_first(first)
    return await asyncio.to_thread(network.suggested_connections, first)


async def stats(network: Network) -> Stats:
    return await asyncio.to_thread(network.stats)
