"""Memory does not grow with traffic: 600 write-then-read cycles, each bringing the
user's graph up to date through the real app (by its delta), leave the process's resident size where it was after
the first 300. The graph cache once froze every rebuild's live request objects out of
the collector's reach: here that was +18 MB over the last 300 cycles and +108,000 frozen
objects, never returned."""

from __future__ import annotations

import gc
import os
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from graph_api.app import create_app
from graph_api.graph.cache import freezer
from graph_api.keys import GRAPHS
from graph_api.search.embeddings import EmbeddingSettings
from graph_api.settings import Settings
from tests.conftest import Account

CYCLES = 600
WARM_UP = 300
# the old code grew 17-20 MB over the last 300 cycles (with or without the embedding
# model loaded), the new one under 1 MB; the allocator's own noise is a few MB
MAX_GROWTH_BYTES = 8 * 1024 * 1024
MAX_FROZEN_GROWTH = 40_000

CREATE_CONTACT = """mutation($name: String!) {
  createContact(input: {fullName: $name}) { contact { id } errors { code } } }"""
CREATE_RELATIONSHIP = """mutation($a: ID!, $b: ID!) {
  createRelationship(input: {contactAId: $a, contactBId: $b, type: FRIEND, strength: 0.5}) {
    relationship { id } errors { code } } }"""
UPDATE_RELATIONSHIP = """mutation($id: ID!, $strength: Float!) {
  updateRelationship(id: $id, input: {strength: $strength}) { relationship { id } errors { code } } }"""
READ_GRAPH = """{
  networkStats { contacts relationships communities }
  contacts(first: 5, orderBy: STRENGTH_DESC) { edges { node { id strength { score } } } }
}"""


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.process_wide
async def test_rebuilding_the_graph_600_times_does_not_grow_memory(
    settings: Settings,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
    make_account: Callable[[], Awaitable[Account]],
) -> None:
    # no embedding model: its background work would move the figure being measured
    app = create_app(
        replace(
            settings,
            embeddings=EmbeddingSettings(provider="none"),
            rate_limit_per_minute=0,
            log_statements=False,  # pytest keeps every log record: that would grow
        )
    )
    client = await aiohttp_client(app)
    account = await make_account()

    async def send(query: str, **variables: Any) -> dict[str, Any]:
        # the session itself: the test client keeps every response it returns
        async with client.session.post(
            client.make_url("/graphql"),
            json={"query": query, "variables": variables},
            headers=account.headers,
        ) as response:
            body: dict[str, Any] = await response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    contacts = []
    for index in range(12):
        made = await send(CREATE_CONTACT, name=f"Ring Person {index}")
        contacts.append(made["createContact"]["contact"]["id"])
    relationships = []
    for a, b in zip(contacts, contacts[1:] + contacts[:1], strict=True):
        made = await send(CREATE_RELATIONSHIP, a=a, b=b)
        relationships.append(made["createRelationship"]["relationship"]["id"])

    cache = app[GRAPHS]
    renewed = cache.builds + cache.updates
    measured: dict[str, int] = {"before": resident_bytes()}
    for cycle in range(CYCLES):
        changed = await send(
            UPDATE_RELATIONSHIP,
            id=relationships[cycle % len(relationships)],
            strength=0.2 + 0.5 * (cycle % 2),
        )
        assert changed["updateRelationship"]["errors"] == []
        read = await send(READ_GRAPH)
        assert read["networkStats"]["relationships"] == len(relationships)
        if cycle == WARM_UP - 1:
            measured |= {"rss": resident_bytes(), "frozen": gc.get_freeze_count()}

    assert cache.builds + cache.updates - renewed >= CYCLES, "a read after a write was stale"
    grew = resident_bytes() - measured["rss"]
    frozen = gc.get_freeze_count()
    print(
        f"\nresident before {measured['before'] / 2**20:.1f} MB, after {WARM_UP} rebuilds {measured['rss'] / 2**20:.1f} MB, after {CYCLES} "
        f"{(measured['rss'] + grew) / 2**20:.1f} MB ({grew / 2**20:+.1f} MB); "
        f"frozen objects {measured['frozen']:,} -> {frozen:,}; {freezer.full_passes} full passes"
    )
    assert grew < MAX_GROWTH_BYTES, f"{grew / 2**20:.1f} MB more over the last 300 rebuilds"
    # what is frozen is what is alive, not every rebuild's leftovers piling up
    assert frozen - measured["frozen"] < MAX_FROZEN_GROWTH
