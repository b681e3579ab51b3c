"""Memory.related and Contact.similarContacts: one statement for a whole level.

Each answer must equal what the field gives for its row alone, and the number of
statements must not grow with the number of parents; the index path (a large
tenant) must be able to use the HNSW index the exact path keeps out of the plan.
"""

from __future__ import annotations

import logging
import math
import random
from typing import Any

import asyncpg
import pytest

from graph_api.search import memories as search
from graph_api.search import nearest
from graph_api.search.profiles import similar_statement
from tests.conftest import Account, GraphQL
from tests.integration.test_contact_search import make_people, profiles_embedded

DIMENSIONS = 384
MEMORIES = 12
FIRST = 3
LEVEL = """{ contacts(first: 20) { edges { node { id
  memories(first: 20) { edges { node { id related(first: 3) { score memory { id } } } } } } } } }"""
ONE = "query($id: ID!) { node(id: $id) { ... on Memory { related(first: 3) { score memory { id } } } } }"


def statements(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.statement  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "graph_api.sql"
    ]


def vectors(seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.gauss(0, 1) for _ in range(DIMENSIONS)] for _ in range(MEMORIES)]


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


async def memories_with_vectors(graphql: GraphQL, account: Account) -> dict[str, list[float]]:
    body = await graphql(
        'mutation { createContact(input: {fullName: "Ada"}) { contact { id } } }', account=account
    )
    contact = body["data"]["createContact"]["contact"]["id"]
    made: dict[str, list[float]] = {}
    for index, vector in enumerate(vectors(11)):
        body = await graphql(
            """mutation($i: CreateMemoryInput!) { createMemory(input: $i) {
                 memory { id } errors { code } } }""",
            {"i": {"content": f"note {index}", "contactId": contact, "embedding": vector}},
            account=account,
        )
        assert body["data"]["createMemory"]["errors"] == [], body
        made[body["data"]["createMemory"]["memory"]["id"]] = vector
    return made


def expected_related(made: dict[str, list[float]]) -> dict[str, list[str]]:
    return {
        memory: [
            other
            for _, other in sorted(
                (-cosine(vector, made[other]), other) for other in made if other != memory
            )[:FIRST]
        ]
        for memory, vector in made.items()
    }


def related_by_memory(body: dict[str, Any]) -> dict[str, list[str]]:
    assert "errors" not in body, body
    return {
        memory["node"]["id"]: [hit["memory"]["id"] for hit in memory["node"]["related"]]
        for contact in body["data"]["contacts"]["edges"]
        for memory in contact["node"]["memories"]["edges"]
    }


@pytest.mark.parametrize("exact", [True, False], ids=["small tenant", "index path"])
async def test_related_memories_of_a_level_in_one_statement(
    graphql: GraphQL,
    account: Account,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    exact: bool,
) -> None:
    made = await memories_with_vectors(graphql, account)
    if not exact:  # this user counts as a large tenant: the HNSW index, iterative scans
        monkeypatch.setattr(search, "EXACT_SCAN_LIMIT", 5)
    nearest._sizes.clear()
    with caplog.at_level(logging.DEBUG, logger="graph_api.sql"):
        batched = related_by_memory(await graphql(LEVEL, account=account))
    assert statements(caplog).count("related_memories") == 1, statements(caplog)
    # exactly the nearest by cosine, as each memory alone gets it
    assert batched == expected_related(made)
    one = next(iter(made))
    body = await graphql(ONE, {"id": one}, account=account)
    assert [hit["memory"]["id"] for hit in body["data"]["node"]["related"]] == batched[one]
    nearest._sizes.clear()


async def test_the_index_path_can_use_the_hnsw_index_and_the_exact_one_cannot(
    pool: asyncpg.Pool, account: Account
) -> None:
    for statement, index in (
        (nearest.related_statement, "memories_embedding_idx"),
        (similar_statement, "contact_profiles_embedding_idx"),
    ):
        async with pool.acquire() as conn, conn.transaction():
            # what the plan takes when scanning the user's rows and sorting them costs too
            # much (a large tenant): the index, where the distance lets it
            await conn.execute("set local enable_seqscan = off")
            await conn.execute("set local enable_sort = off")
            plans = {
                exact: "\n".join(
                    row[0]
                    for row in await conn.fetch(
                        f"explain {statement(exact)}", account.user.id, [account.user.id], FIRST
                    )
                )
                for exact in (True, False)
            }
        assert index in plans[False], plans[False]
        assert index not in plans[True], plans[True]


async def test_similar_contacts_of_a_level_in_one_statement(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    ids = await make_people(graphql, account)
    await profiles_embedded(pool, account, len(ids))
    query = "{ contacts(first: 20) { edges { node { id similarContacts(first: 2) { score contact { id } } } } } }"
    with caplog.at_level(logging.DEBUG, logger="graph_api.sql"):
        body = await graphql(query, account=account)
    assert "errors" not in body, body
    assert statements(caplog).count("similar_contacts") == 1, statements(caplog)
    batched = {
        edge["node"]["id"]: edge["node"]["similarContacts"]
        for edge in body["data"]["contacts"]["edges"]
    }
    assert set(batched) == set(ids.values())
    for contact_id, hits in batched.items():
        alone = await graphql(
            "query($id: ID!) { contact(id: $id) { similarContacts(first: 2) { score contact { id } } } }",
            {"id": contact_id},
            account=account,
        )
        assert alone["data"]["contact"]["similarContacts"] == hits
        assert len(hits) == 2 and contact_id not in [hit["contact"]["id"] for hit in hits]
