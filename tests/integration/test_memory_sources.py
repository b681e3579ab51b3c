"""createMemory keeps every source interaction it is given, up to the domain's cap, and
refuses a longer list with BAD_USER_INPUT: never a silent truncation (it once kept 51)."""

from __future__ import annotations

from typing import Any

import asyncpg

from graph_api.domain.memories import MAX_SOURCES
from graph_api.types.node import global_id
from tests.conftest import Account, GraphQL

CREATE = """mutation($input: CreateMemoryInput!) { createMemory(input: $input) {
    memory { id sourceInteractions { id } } errors { code field message } } }"""


async def interactions(pool: asyncpg.Pool, account: Account, count: int) -> list[str]:
    rows = await pool.fetch(
        """insert into interactions (user_id, type, occurred_at)
           select $1, 'call', now() - make_interval(hours => n)
             from generate_series(1, $2) as n
           returning id""",
        account.user.id,
        count,
    )
    return [global_id("Interaction", row["id"]) for row in rows]


async def create(graphql: GraphQL, account: Account, sources: list[str]) -> dict[str, Any]:
    body = await graphql(
        CREATE,
        {"input": {"content": "Met at the harbour.", "sourceInteractionIds": sources}},
        account=account,
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["createMemory"]
    return payload


async def memory_count(pool: asyncpg.Pool, account: Account) -> int:
    count: int = await pool.fetchval(
        "select count(*) from memories where user_id = $1", account.user.id
    )
    return count


async def test_every_source_up_to_the_cap_is_kept(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    ids = await interactions(pool, account, MAX_SOURCES)
    for count in (60, MAX_SOURCES):
        payload = await create(graphql, account, ids[:count])
        assert payload["errors"] == []
        kept = {source["id"] for source in payload["memory"]["sourceInteractions"]}
        assert kept == set(ids[:count]), f"kept {len(kept)} of {count} sources"


async def test_more_sources_than_the_cap_are_refused(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    ids = await interactions(pool, account, MAX_SOURCES + 1)
    payload = await create(graphql, account, ids)
    assert payload["memory"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("BAD_USER_INPUT", "sourceInteractionIds")
    ]
    assert str(MAX_SOURCES) in payload["errors"][0]["message"]
    # a list far past the cap is refused the same way, whatever lies beyond it
    payload = await create(graphql, account, ids + ["not an id"] * 5_000)
    assert [e["code"] for e in payload["errors"]] == ["BAD_USER_INPUT"]
    assert await memory_count(pool, account) == 0
