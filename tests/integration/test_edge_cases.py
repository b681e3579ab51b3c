"""Inputs and situations found in review: each once gave the wrong answer."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from typing import Any

import asyncpg
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from graph_api.search.embeddings import OpenAICompatibleProvider
from graph_api.search.reembed import reembed
from tests.conftest import Account, GraphQL, error_codes


def cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (
            "query($c: String) { contacts(after: $c) { totalCount } }",
            {"c": cursor("name", "a", 123)},
        ),
        (
            "query($c: String) { contacts(after: $c) { totalCount } }",
            {"c": cursor("name", "a\u0000", str(uuid.uuid4()))},
        ),
        (
            "query($c: String) { interactions(after: $c) { totalCount } }",
            {"c": cursor("recent", "9999-12-31T23:59:59-14:00", str(uuid.uuid4()))},
        ),
        (
            'query($c: String) { searchMemories(query: "x", mode: KEYWORD, after: $c) { edges { score } } }',
            {"c": cursor("search", 1.0, [1])},
        ),
        ('{ contacts(filter: {search: "a\\u0000b"}) { totalCount } }', {}),
        ('{ searchMemories(query: "a\\u0000b", mode: KEYWORD) { edges { score } } }', {}),
        (
            '{ interactions(filter: {occurredAfter: "9999-12-31T23:59:59-14:00"}) { totalCount } }',
            {},
        ),
    ],
)
async def test_hostile_arguments_are_bad_user_input(
    graphql: GraphQL, account: Account, query: str, variables: dict[str, Any]
) -> None:
    body = await graphql(query, variables, account=account)
    assert error_codes(body) == ["BAD_USER_INPUT"], body


async def make(graphql: GraphQL, account: Account, *names: str) -> list[str]:
    ids = []
    for name in names:
        body = await graphql(
            "mutation($n: String!) { createContact(input: {fullName: $n}) { contact { id } } }",
            {"n": name},
            account=account,
        )
        ids.append(body["data"]["createContact"]["contact"]["id"])
    return ids


async def test_a_crowd_infers_no_ties(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    crowd = await make(graphql, account, *(f"Attendee {i}" for i in range(21)))
    body = await graphql(
        'mutation($p: [ID!]!) { logInteraction(input: {participantIds: $p, type: MEETING, occurredAt: "2026-01-01T10:00:00Z"}) { errors { code } } }',
        {"p": crowd},
        account=account,
    )
    assert body["data"]["logInteraction"]["errors"] == []
    inferred = await pool.fetchval(
        "select count(*) from relationships where user_id = $1", account.user.id
    )
    assert inferred == 0


async def test_later_fields_of_a_mutation_see_earlier_writes(
    graphql: GraphQL, account: Account
) -> None:
    a, b, c, d = await make(graphql, account, "A", "B", "C", "D")
    body = await graphql(
        """mutation($a: ID!, $b: ID!, $c: ID!, $d: ID!) {
             r1: createRelationship(input: {contactAId: $a, contactBId: $b, type: FRIEND}) { relationship { strength } }
             r2: createRelationship(input: {contactAId: $c, contactBId: $d, type: FRIEND}) { relationship { strength } } }""",
        {"a": a, "b": b, "c": c, "d": d},
        account=account,
    )
    strengths = [body["data"][k]["relationship"]["strength"] for k in ("r1", "r2")]
    assert strengths[0] == strengths[1] == pytest.approx(0.6 * 0.8)


async def test_archived_contacts_keep_a_place_in_the_strength_order(
    graphql: GraphQL, account: Account
) -> None:
    [a, _] = await make(graphql, account, "Archived", "Active")
    await graphql(
        "mutation($id: ID!) { archiveContact(id: $id) { errors { code } } }",
        {"id": a},
        account=account,
    )
    body = await graphql(
        "{ byName: contacts(filter: {includeArchived: true}) { totalCount } byStrength: contacts(orderBy: STRENGTH_DESC, filter: {includeArchived: true}) { totalCount } }",
        account=account,
    )
    assert body["data"]["byName"]["totalCount"] == body["data"]["byStrength"]["totalCount"] == 2


async def test_nodes_are_loaded_in_one_batch(
    graphql: GraphQL, account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    ids = await make(graphql, account, *(f"Person {i}" for i in range(30)))
    with caplog.at_level(logging.DEBUG, logger="graph_api.sql"):
        body = await graphql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}, account=account
        )
    assert [n["id"] for n in body["data"]["nodes"]] == ids
    loads = [r for r in caplog.records if getattr(r, "statement", None) == "contacts_by_id"]
    assert len(loads) == 1


async def test_every_list_counts_toward_the_cost(graphql: GraphQL, account: Account) -> None:
    body = await graphql(
        "{ communities { members(first: 1000) { similarContacts(first: 50) { contact { id } } } } }",
        account=account,
    )
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]


async def test_a_text_the_provider_refuses_does_not_hold_up_the_others(
    pool: asyncpg.Pool, account: Account
) -> None:
    async def embeddings(request: web.Request) -> web.Response:
        texts = (await request.json())["input"]
        if any("POISON" in text for text in texts):
            return web.json_response({"error": "input too long"}, status=400)
        return web.json_response(
            {"data": [{"index": i, "embedding": [1.0] + [0.0] * 383} for i in range(len(texts))]}
        )

    stand_in = web.Application()
    stand_in.router.add_post("/v1/embeddings", embeddings)
    server = TestServer(stand_in, host="127.0.0.1")
    await server.start_server()
    provider = OpenAICompatibleProvider(
        url=str(server.make_url("")), model="stand-in", dimensions=384, max_retries=0
    )
    try:
        for content in ("first", "POISON pill", "third"):
            await pool.execute(
                "insert into memories (user_id, content) values ($1, $2)", account.user.id, content
            )
        stored = await reembed(pool, provider, pending_only=True)
        assert stored >= 2
        left = await pool.fetch(
            "select content from memories where user_id = $1 and embedding is null", account.user.id
        )
        assert [row["content"] for row in left] == ["POISON pill"]
    finally:
        await provider.close()
        await server.close()
