"""Auth: the path token → user → response, and every way it can fail."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from graph_api import accounts
from tests.conftest import Account, GraphQL, error_codes

ME = "{ me { id email fullName } }"


async def test_me_with_a_valid_token(graphql: GraphQL, account: Account) -> None:
    body = await graphql(ME, account=account)
    assert "errors" not in body
    assert body["data"]["me"]["email"] == account.user.email
    assert body["data"]["me"]["fullName"] == "Test User"


async def test_no_token_is_unauthenticated(graphql: GraphQL) -> None:
    body = await graphql(ME)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["data"] is None


async def test_a_bad_token_is_unauthenticated(graphql: GraphQL, account: Account) -> None:
    forged = Account(account.user, accounts.new_token())
    body = await graphql(ME, account=forged)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert "invalid or revoked" in body["errors"][0]["message"]


async def test_a_malformed_header_is_unauthenticated(client: Any, account: Account) -> None:
    response = await client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Token {account.token}"}
    )
    body = await response.json()
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_a_revoked_token_is_unauthenticated(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    assert (await graphql(ME, account=account))["data"]["me"]["email"] == account.user.email
    async with pool.acquire() as conn:
        assert await accounts.revoke_token(conn, account.token)
        assert not await accounts.revoke_token(conn, account.token)
    # the revocation's NOTIFY reaches this process's token cache asynchronously: at
    # once on a quiet machine, and never later than the cache's 5 s lifetime
    deadline = asyncio.get_running_loop().time() + 5
    while True:
        body = await graphql(ME, account=account)
        if error_codes(body) or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.05)
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_tokens_are_stored_only_as_hashes(account: Account, pool: asyncpg.Pool) -> None:
    stored = await pool.fetch(
        "select token_hash from api_tokens where user_id = $1", account.user.id
    )
    assert [row["token_hash"] for row in stored] == [accounts.hash_token(account.token)]
    assert account.token.encode() not in stored[0]["token_hash"]
    assert len(account.token) >= len("gapi_") + 43  # 32 random bytes, base64url


async def test_using_a_token_records_its_last_use(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    await graphql(ME, account=account)
    last_used = await pool.fetchval(
        "select last_used_at from api_tokens where user_id = $1", account.user.id
    )
    assert last_used is not None


async def test_graphiql_page_loads_without_a_token(client: Any) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status == 200
    assert "graphiql" in (await response.text()).lower()


async def test_node_resolves_only_the_viewer(graphql: GraphQL, make_account: Any) -> None:
    alice, bob = await make_account(), await make_account()
    alice_id = (await graphql(ME, account=alice))["data"]["me"]["id"]
    query = "query($id: ID!) { node(id: $id) { id ... on User { email } } }"
    assert (await graphql(query, {"id": alice_id}, account=alice))["data"]["node"]["email"] == (
        alice.user.email
    )
    assert (await graphql(query, {"id": alice_id}, account=bob))["data"]["node"] is None
