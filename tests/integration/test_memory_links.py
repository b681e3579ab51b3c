"""linkMemories / unlinkMemories and Memory.links: stored links, seen from both ends,
refused with a code (and nothing written) for a link to oneself, to another user's
memory, or the same type twice; a level of memories reads its links in one statement."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
import pytest

from tests.conftest import Account, GraphQL

CREATE = """mutation($input: CreateMemoryInput!) {
  createMemory(input: $input) { memory { id } errors { code } } }"""
LINK = """mutation($input: LinkMemoriesInput!) { linkMemories(input: $input) {
  link { id type strength from { id } to { id } } errors { code field message } } }"""
UNLINK = """mutation($input: UnlinkMemoriesInput!) { unlinkMemories(input: $input) {
  unlinkedIds errors { code field } } }"""
LINKS = """query($id: ID!) { node(id: $id) { ... on Memory { links(first: 10) {
  totalCount edges { direction type strength node { id content } link { id } } } } } }"""


async def memory(graphql: GraphQL, account: Account, content: str) -> str:
    body = await graphql(
        CREATE, {"input": {"content": content, "embedding": [0.1] * 384}}, account=account
    )
    memory_id: str = body["data"]["createMemory"]["memory"]["id"]
    return memory_id


async def link(graphql: GraphQL, account: Account, **input: Any) -> dict[str, Any]:
    body = await graphql(LINK, {"input": input}, account=account)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["linkMemories"]
    return payload


async def links(graphql: GraphQL, account: Account, memory_id: str) -> list[tuple[Any, ...]]:
    body = await graphql(LINKS, {"id": memory_id}, account=account)
    assert "errors" not in body, body
    return [
        (e["direction"], e["type"], e["strength"], e["node"]["id"])
        for e in body["data"]["node"]["links"]["edges"]
    ]


async def link_count(pool: asyncpg.Pool, account: Account) -> int:
    count: int = await pool.fetchval(
        "select count(*) from memory_links where user_id = $1", account.user.id
    )
    return count


async def test_a_link_is_seen_from_both_ends_with_its_type_and_strength(
    graphql: GraphQL, account: Account
) -> None:
    a = await memory(graphql, account, "Priya raised a seed round.")
    b = await memory(graphql, account, "Priya's seed round closed in March.")
    c = await memory(graphql, account, "Priya says she never raised money.")
    made = await link(graphql, account, fromId=b, toId=a, type="FOLLOWS_UP", strength=0.8)
    assert made["errors"] == []
    assert made["link"]["type"] == "FOLLOWS_UP"
    assert (made["link"]["from"]["id"], made["link"]["to"]["id"]) == (b, a)
    assert (await link(graphql, account, fromId=c, toId=a, type="CONTRADICTS"))["errors"] == []

    # strongest first; the default strength is 1
    assert await links(graphql, account, a) == [
        ("INCOMING", "CONTRADICTS", 1.0, c),
        ("INCOMING", "FOLLOWS_UP", 0.8, b),
    ]
    assert await links(graphql, account, b) == [("OUTGOING", "FOLLOWS_UP", 0.8, a)]

    body = await graphql(UNLINK, {"input": {"fromId": b, "toId": a}}, account=account)
    assert body["data"]["unlinkMemories"]["unlinkedIds"] == [made["link"]["id"]]
    assert await links(graphql, account, b) == []
    assert [t for _, t, _, _ in await links(graphql, account, a)] == ["CONTRADICTS"]
    # nothing left to unlink in that direction
    body = await graphql(UNLINK, {"input": {"fromId": b, "toId": a}}, account=account)
    assert [e["code"] for e in body["data"]["unlinkMemories"]["errors"]] == ["NOT_FOUND"]


async def test_bad_links_are_refused_with_a_code_and_nothing_written(
    graphql: GraphQL, account: Account, make_account: Any, pool: asyncpg.Pool
) -> None:
    a = await memory(graphql, account, "Sam moved to Lisbon.")
    b = await memory(graphql, account, "Sam works remotely now.")
    other = await make_account()
    foreign = await memory(graphql, other, "Someone else's note.")

    def codes(payload: dict[str, Any]) -> list[tuple[str, str]]:
        return [(e["code"], e["field"]) for e in payload["errors"]]

    itself = await link(graphql, account, fromId=a, toId=a, type="RELATED")
    assert codes(itself) == [("BAD_USER_INPUT", "toId")] and itself["link"] is None
    # another user's memory is as unknown as a missing one, from either end
    assert codes(await link(graphql, account, fromId=a, toId=foreign, type="RELATED")) == [
        ("NOT_FOUND", "toId")
    ]
    assert codes(await link(graphql, account, fromId=foreign, toId=a, type="RELATED")) == [
        ("NOT_FOUND", "fromId")
    ]
    assert codes(await link(graphql, account, fromId=a, toId="bm90IGFuIGlk", type="RELATED")) == [
        ("NOT_FOUND", "toId")
    ]
    for strength in (-0.1, 1.5):
        assert codes(
            await link(graphql, account, fromId=a, toId=b, type="RELATED", strength=strength)
        ) == [("BAD_USER_INPUT", "strength")]
    assert await link_count(pool, account) == 0

    assert (await link(graphql, account, fromId=a, toId=b, type="SUPPORTS"))["errors"] == []
    assert codes(await link(graphql, account, fromId=a, toId=b, type="SUPPORTS")) == [
        ("CONFLICT", "type")
    ]
    # another type, or the other direction, is another link
    assert (await link(graphql, account, fromId=a, toId=b, type="RELATED"))["errors"] == []
    assert (await link(graphql, account, fromId=b, toId=a, type="SUPPORTS"))["errors"] == []
    assert await link_count(pool, account) == 3
    # the other user cannot see, nor remove, them
    body = await graphql(UNLINK, {"input": {"fromId": a, "toId": b}}, account=other)
    assert [e["code"] for e in body["data"]["unlinkMemories"]["errors"]] == ["NOT_FOUND"]
    assert (await graphql(LINKS, {"id": a}, account=other))["data"]["node"] is None
    assert await link_count(pool, account) == 3
    assert await link_count(pool, other) == 0

    # deleting a memory takes its links with it
    await graphql("mutation($id: ID!) { deleteMemory(id: $id) { errors { code } } }",
                  {"id": b}, account=account)  # fmt: skip
    assert await link_count(pool, account) == 0


async def test_the_links_of_a_level_of_memories_in_one_statement(
    graphql: GraphQL, account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    body = await graphql(
        'mutation { createContact(input: {fullName: "Ada Lovelace"}) { contact { id } } }',
        account=account,
    )
    ada = body["data"]["createContact"]["contact"]["id"]
    ids = []
    for n in range(8):
        body = await graphql(
            CREATE,
            {"input": {"content": f"note {n}", "contactId": ada, "embedding": [0.1] * 384}},
            account=account,
        )
        ids.append(body["data"]["createMemory"]["memory"]["id"])
    for n in range(7):
        made = await link(graphql, account, fromId=ids[n], toId=ids[n + 1], type="FOLLOWS_UP")
        assert made["errors"] == []
    query = """query($id: ID!) { contact(id: $id) { memories(first: 20) { edges { node { id
      links(first: 5) { totalCount edges { direction node { id } } } } } } } }"""
    with caplog.at_level(logging.DEBUG, logger="graph_api.sql"):
        body = await graphql(query, {"id": ada}, account=account)
    assert "errors" not in body, body
    statements = [r.statement for r in caplog.records if r.name == "graph_api.sql"]  # type: ignore[attr-defined]
    assert statements.count("memory_links_page") == 1, statements
    seen = {
        e["node"]["id"]: {(x["direction"], x["node"]["id"]) for x in e["node"]["links"]["edges"]}
        for e in body["data"]["contact"]["memories"]["edges"]
    }
    for n, memory_id in enumerate(ids):
        expected = set()
        if n > 0:
            expected.add(("INCOMING", ids[n - 1]))
        if n < 7:
            expected.add(("OUTGOING", ids[n + 1]))
        assert seen[memory_id] == expected
