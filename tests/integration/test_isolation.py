"""Tenant isolation: a second user tries the first user's IDs through every entry
point. Nothing is returned, nothing changes, and every answer is NOT_FOUND, the
same answer a made-up ID gets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from graph_api.seed import seed_network
from graph_api.types.node import global_id
from tests.conftest import Account, GraphQL, error_codes

TABLES = (
    "contacts",
    "relationships",
    "interactions",
    "interaction_participants",
    "interests",
    "memories",
    "memory_sources",
)


async def fingerprint(pool: asyncpg.Pool, user_id: Any) -> dict[str, str]:
    """A digest of every row the user owns, table by table."""
    digests = {}
    for table in (*TABLES, "audit_log"):
        # table names come from the constant above, never from input
        digests[table] = await pool.fetchval(
            # embedding columns excepted: the background embedder may embed the seeded
            # (pending) memories meanwhile, which is not a change anyone made
            f"select md5(coalesce(string_agg(r::text, ',' order by r::text), '')) from"
            f" (select to_jsonb(t) - 'embedding' - 'embedding_model' as r from {table} t where user_id = $1) rows",
            user_id,
        )
    return digests


@pytest.fixture
async def victim(pool: asyncpg.Pool, make_account: Any) -> tuple[Account, dict[str, str]]:
    alice: Account = await make_account("Alice")
    async with pool.acquire() as conn:
        await seed_network(conn, alice.user.id, 30, 3, datetime(2026, 6, 1, tzinfo=UTC))
    ids = {}
    for type_name, table in [
        ("Contact", "contacts"), ("Relationship", "relationships"), ("Interaction", "interactions"),
        ("Interest", "interests"), ("Memory", "memories"),
    ]:  # fmt: skip
        row_id = await pool.fetchval(
            f"select id from {table} where user_id = $1 order by id limit 1", alice.user.id
        )
        ids[type_name] = global_id(type_name, row_id)
    second = await pool.fetchval(
        "select id from contacts where user_id = $1 order by id offset 1 limit 1", alice.user.id
    )
    ids["Contact2"] = global_id("Contact", second)
    ids["User"] = global_id("User", alice.user.id)
    return alice, ids


MUTATIONS: list[tuple[str, str]] = [
    ("updateContact", 'updateContact(id: "{Contact}", input: {{fullName: "Mallory"}}) {{ contact {{ id }} errors {{ code }} }}'),
    ("archiveContact", 'archiveContact(id: "{Contact}") {{ contact {{ id }} errors {{ code }} }}'),
    ("restoreContact", 'restoreContact(id: "{Contact}") {{ contact {{ id }} errors {{ code }} }}'),
    ("deleteContact", 'deleteContact(id: "{Contact}") {{ deletedId errors {{ code }} }}'),
    ("mergeContacts", 'mergeContacts(primaryId: "{Contact}", duplicateIds: ["{Contact2}"]) {{ contact {{ id }} errors {{ code }} }}'),
    ("mergeContacts", 'mergeContacts(primaryId: "{Own}", duplicateIds: ["{Contact}"]) {{ contact {{ id }} errors {{ code }} }}'),
    ("createRelationship", 'createRelationship(input: {{contactAId: "{Contact}", contactBId: "{Contact2}"}}) {{ relationship {{ id }} errors {{ code }} }}'),
    ("createRelationship", 'createRelationship(input: {{contactAId: "{Own}", contactBId: "{Contact}"}}) {{ relationship {{ id }} errors {{ code }} }}'),
    ("updateRelationship", 'updateRelationship(id: "{Relationship}", input: {{type: FAMILY}}) {{ relationship {{ id }} errors {{ code }} }}'),
    ("deleteRelationship", 'deleteRelationship(id: "{Relationship}") {{ deletedId errors {{ code }} }}'),
    ("logInteraction", 'logInteraction(input: {{participantIds: ["{Own}", "{Contact}"], type: CALL, occurredAt: "2026-01-01T00:00:00Z"}}) {{ interaction {{ id }} errors {{ code }} }}'),
    ("addInterest", 'addInterest(input: {{contactId: "{Contact}", category: "x", topic: "y"}}) {{ interest {{ id }} errors {{ code }} }}'),
    ("removeInterest", 'removeInterest(id: "{Interest}") {{ deletedId errors {{ code }} }}'),
    ("createMemory", 'createMemory(input: {{content: "spy", contactId: "{Contact}"}}) {{ memory {{ id }} errors {{ code }} }}'),
    ("createMemory", 'createMemory(input: {{content: "spy", sourceInteractionIds: ["{Interaction}"]}}) {{ memory {{ id }} errors {{ code }} }}'),
    ("updateMemory", 'updateMemory(id: "{Memory}", input: {{content: "changed"}}) {{ memory {{ id }} errors {{ code }} }}'),
    ("updateMemory", 'updateMemory(id: "{OwnMemory}", input: {{contactId: "{Contact}"}}) {{ memory {{ id }} errors {{ code }} }}'),
    ("deleteMemory", 'deleteMemory(id: "{Memory}") {{ deletedId errors {{ code }} }}'),
]  # fmt: skip


async def test_another_users_ids_find_nothing_and_change_nothing(
    graphql: GraphQL, pool: asyncpg.Pool, make_account: Any, victim: tuple[Account, dict[str, str]]
) -> None:
    alice, ids = victim
    bob: Account = await make_account("Bob")
    before = await fingerprint(pool, alice.user.id)

    for type_name, node_id in ids.items():
        node = await graphql(
            "query($id: ID!) { node(id: $id) { id } }", {"id": node_id}, account=bob
        )
        assert node["data"]["node"] is None and error_codes(node) == ["NOT_FOUND"], type_name
    many = await graphql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": list(ids.values())}, account=bob
    )
    assert many["data"]["nodes"] == [None] * len(ids)
    assert set(error_codes(many)) == {"NOT_FOUND"}
    one = await graphql(
        "query($id: ID!) { contact(id: $id) { id } }", {"id": ids["Contact"]}, account=bob
    )
    assert one["data"]["contact"] is None and error_codes(one) == ["NOT_FOUND"]
    lists = await graphql(
        "query($id: ID!) { contacts(filter: {includeArchived: true}) { totalCount edges { cursor } }"
        " interactions(filter: {contactIds: [$id]}) { totalCount edges { cursor } } me { contacts { totalCount } } }",
        {"id": ids["Contact"]},
        account=bob,
    )
    assert lists["data"] == {
        "contacts": {"totalCount": 0, "edges": []},
        "interactions": {"totalCount": 0, "edges": []},
        "me": {"contacts": {"totalCount": 0}},
    }

    own = await graphql(
        'mutation { createContact(input: {fullName: "Bob friend"}) { contact { id } } }',
        account=bob,
    )
    own_memory = await graphql(
        'mutation { createMemory(input: {content: "mine"}) { memory { id } } }', account=bob
    )
    values = {
        **ids,
        "Own": own["data"]["createContact"]["contact"]["id"],
        "OwnMemory": own_memory["data"]["createMemory"]["memory"]["id"],
    }
    for name, template in MUTATIONS:
        body = await graphql("mutation { " + template.format(**values) + " }", account=bob)
        assert "errors" not in body, (name, body)
        payload = body["data"][name]
        assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"], (name, payload)
        assert all(v is None for k, v in payload.items() if k != "errors"), (name, payload)

    assert await fingerprint(pool, alice.user.id) == before, (
        "a foreign write changed the first user's data"
    )
    bob_contacts = await pool.fetchval(
        "select count(*) from contacts where user_id = $1", bob.user.id
    )
    assert bob_contacts == 1


async def test_a_foreign_id_and_a_made_up_id_get_the_same_answer(
    graphql: GraphQL, make_account: Any, victim: tuple[Account, dict[str, str]]
) -> None:
    _, ids = victim
    bob: Account = await make_account("Bob")
    made_up = global_id("Contact", "00000000-0000-4000-8000-000000000000")  # type: ignore[arg-type]
    answers = []
    for contact_id in (ids["Contact"], made_up, "garbage"):
        body = await graphql(
            "query($id: ID!) { contact(id: $id) { id } }", {"id": contact_id}, account=bob
        )
        answers.append((body["data"], [(e["message"], e["extensions"]) for e in body["errors"]]))
    assert answers[0] == answers[1] == answers[2]


async def test_graph_questions_never_reach_another_users_network(
    graphql: GraphQL, make_account: Any, victim: tuple[Account, dict[str, str]]
) -> None:
    _, ids = victim
    bob: Account = await make_account("Bob")
    own = await graphql(
        'mutation { createContact(input: {fullName: "Bob friend"}) { contact { id } } }',
        account=bob,
    )
    mine = own["data"]["createContact"]["contact"]["id"]
    variables = {"a": ids["Contact"], "b": ids["Contact2"], "mine": mine}
    for query in (
        "query($a: ID!, $b: ID!) { mutualConnections(a: $a, b: $b) { count } }",
        "query($a: ID!, $mine: ID!) { mutualConnections(a: $mine, b: $a) { count } }",
        "query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b) { length } }",
        "query($a: ID!) { introductionPaths(to: $a) { length } }",
        "query($a: ID!, $mine: ID!) { contact(id: $mine) { mutualConnections(with: $a) { count } } }",
    ):
        used = {k: v for k, v in variables.items() if f"${k}" in query}
        body = await graphql(query, used, account=bob)
        assert error_codes(body) == ["NOT_FOUND"], (query, body)
    whole = await graphql(
        """{ communities { size } keyConnectors { degree } goingCold { strength }
             suggestedConnections { score } networkStats { contacts relationships }
             contacts(orderBy: STRENGTH_DESC) { totalCount } }""",
        account=bob,
    )
    assert "errors" not in whole
    assert whole["data"]["networkStats"] == {"contacts": 1, "relationships": 0}
    assert whole["data"]["contacts"]["totalCount"] == 1
    assert [c["size"] for c in whole["data"]["communities"]] == [1]
    assert whole["data"]["goingCold"] == [] and whole["data"]["suggestedConnections"] == []
