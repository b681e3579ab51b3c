"""The limits of a public endpoint, and errors that never leak internals."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from graph_api import accounts
from graph_api.app import apply_migrations, create_app
from graph_api.db.pool import drop_database, ensure_database
from graph_api.settings import Settings
from tests.conftest import Account, GraphQL, error_codes, with_database

# what the refused queries would have run (the background embedder runs its own)
QUERY_STATEMENTS = {"contacts_page", "contact_connections_page", "contacts_by_id", "graph_version"}

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.mark.parametrize(
    "query",
    [
        # 100 x 100 x 100 possible objects
        "{ contacts(first: 100) { edges { node { connections(first: 100) { edges { node {"
        " connections(first: 100) { edges { node { id } } } } } } } } } }",
        "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(60)) + " }",
        "{ contacts { edges { node { "
        + "connections { edges { node { " * 5
        + "id"
        + " } } }" * 5
        + " } } } }",
        "{ " + "me { id } " * 4000 + "}",
    ],
    ids=["fan-out", "aliases", "depth", "tokens"],
)
async def test_costly_queries_are_refused_before_running(
    graphql: GraphQL, account: Account, query: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="graph_api.sql"):
        body = await graphql(query, account=account)
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
    assert body.get("data") is None
    assert not [r for r in caplog.records if getattr(r, "statement", "") in QUERY_STATEMENTS], (
        "the query ran"
    )


WIDE = "connections(first: 100) { edges { node { connections(first: 100) { totalCount } } } }"


@pytest.mark.parametrize(
    "query",
    [
        # the same 100 x 100 x 100 through a named fragment, an inline one, and both nested
        "query { contacts(first: 100) { edges { node { ...Wide } } } }"
        f" fragment Wide on Contact {{ {WIDE} }}",
        f"query {{ contacts(first: 100) {{ edges {{ node {{ ... on Contact {{ {WIDE} }} }} }} }} }}",
        "query { contacts(first: 100) { ...Page } }"
        " fragment Page on ContactConnection { edges { node { ... on Node { ...Wide } } } }"
        f" fragment Wide on Contact {{ {WIDE} }}",
        # lists whose field name appears nowhere else count by their type's page size
        "{ notifications(first: 100) { edges { node { contact { " + WIDE + " } } } } }",
        "{ auditLog(first: 100) { edges { node { id } } }"
        " unresolvedMentions(first: 100) { edges { node { memory { contact { "
        + WIDE
        + " } } } } } }",
    ],
    ids=[
        "named-fragment",
        "inline-fragment",
        "fragments-in-fragments",
        "notifications",
        "mentions",
    ],
)
async def test_fan_out_is_counted_through_fragments_and_every_connection(
    graphql: GraphQL, account: Account, query: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="graph_api.sql"):
        body = await graphql(query, account=account)
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"], body
    assert "50,000 objects" in body["errors"][0]["message"]
    assert not [r for r in caplog.records if getattr(r, "statement", "") in QUERY_STATEMENTS]


async def test_the_limits_measure_the_operation_named(
    client: TestClient[Any, Any], account: Account
) -> None:
    """A document's other operations neither count against the one that runs nor slip
    past the limits when they are the one named."""
    document = (
        "query Small { contacts(first: 2) { edges { node { id } } } }"
        " query Big { contacts(first: 100) { edges { node { " + WIDE + " } } } }"
    )

    async def run(name: str | None) -> dict[str, Any]:
        response = await client.post(
            "/graphql",
            json={"query": document, "operationName": name},
            headers=account.headers,
        )
        body: dict[str, Any] = await response.json()
        return body

    small = await run("Small")
    assert "errors" not in small, small
    # contacts + 2 x (edges + node + id)
    assert small["extensions"]["cost"] == {"fanOut": 7, "limit": 50_000}
    assert error_codes(await run("Big")) == ["QUERY_TOO_COMPLEX"]
    assert error_codes(await run(None)) == ["BAD_USER_INPUT"]  # which one: name it


async def test_variables_count_toward_the_fan_out(graphql: GraphQL, account: Account) -> None:
    query = """query($n: Int) { contacts(first: $n) { edges { node {
        connections(first: $n) { edges { node { connections(first: $n) { totalCount } } } } } } } }"""
    assert error_codes(await graphql(query, {"n": 100}, account=account)) == ["QUERY_TOO_COMPLEX"]
    assert "errors" not in await graphql(query, {"n": 10}, account=account)


async def test_field_suggestions_are_not_given(graphql: GraphQL, account: Account) -> None:
    body = await graphql("{ me { emial } }", account=account)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "Did you mean" not in body["errors"][0]["message"]


async def test_an_oversized_body_is_refused(client: TestClient[Any, Any], account: Account) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "{ me { id } }", "variables": {"x": "y" * 2_000_000}},
        headers=account.headers,
    )
    assert response.status == 413


async def test_introspection_can_be_turned_off(
    settings: Settings, aiohttp_client: ClientFactory, account: Account
) -> None:
    closed = await aiohttp_client(
        create_app(Settings(database_url=settings.database_url, introspection=False))
    )
    response = await closed.post(
        "/graphql", json={"query": "{ __schema { types { name } } }"}, headers=account.headers
    )
    body = await response.json()
    assert set(error_codes(body)) == {"BAD_USER_INPUT"}
    assert body.get("data") is None
    assert "introspection" in body["errors"][0]["message"].lower()
    ok = await (
        await closed.post("/graphql", json={"query": "{ me { email } }"}, headers=account.headers)
    ).json()
    assert ok["data"]["me"]["email"] == account.user.email


async def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    server_url: str, aiohttp_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    # a database of its own, broken on purpose after the app starts
    name = f"graph_api_broken_{uuid.uuid4().hex[:10]}"
    await ensure_database(server_url, name)
    url = with_database(server_url, name)
    try:
        await apply_migrations(url, Settings(database_url=url))
        conn = await asyncpg.connect(url)
        try:
            user = await accounts.create_user(conn, "broken@example.com", None)
            token = await accounts.create_token(conn, user.id)
            await conn.execute(
                "insert into contacts (user_id, full_name) values ($1, 'Ada')", user.id
            )
            client = await aiohttp_client(create_app(Settings(database_url=url)))
            await conn.execute("alter table interests rename column topic to topic_renamed")
            with caplog.at_level(logging.ERROR, logger="graph_api.errors"):
                response = await client.post(
                    "/graphql",
                    json={
                        "query": "{ contacts { edges { node { fullName interests { edges { node { topic } } } } } } }"
                    },
                    headers={"Authorization": f"Bearer {token}", "X-Request-Id": "req-42"},
                )
            body = await response.json()
        finally:
            await conn.close()
    finally:
        await drop_database(server_url, name)
    assert response.status == 200
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-42"}
    text = str(body).lower()
    assert "topic" not in error["message"] and "select" not in text and "traceback" not in text
    assert response.headers["X-Request-Id"] == "req-42"
    assert any("req-42" in record.getMessage() for record in caplog.records)


async def test_each_caller_has_a_request_budget(
    settings: Settings, aiohttp_client: ClientFactory, make_account: Any
) -> None:
    limited = await aiohttp_client(
        create_app(Settings(database_url=settings.database_url, rate_limit_per_minute=3))
    )
    alice, bob = await make_account(), await make_account()

    async def ask(account: Account) -> Any:
        return await limited.post(
            "/graphql", json={"query": "{ me { id } }"}, headers=account.headers
        )

    for _ in range(3):
        assert (await ask(alice)).status == 200
    refused = await ask(alice)
    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert error_codes(await refused.json()) == ["RATE_LIMITED"]
    assert (await ask(bob)).status == 200, "another caller keeps their own budget"
    assert (await limited.get("/graphql", headers={"Accept": "text/html"})).status == 200


async def test_every_answer_reports_its_cost(graphql: Any, account: Any) -> None:
    nested = """
    query Nested { contacts(first: 10) { edges { node { fullName
      connections(first: 5) { edges { node { fullName } } } } } } }
    """
    body = await graphql(nested, account=account)
    cost = body["extensions"]["cost"]
    assert cost["limit"] == 50_000
    # contacts 1 + 10 x (edges 1 + node 1 + fullName 1 + connections (1 + 5 x 3))
    assert cost["fanOut"] == 1 + 10 * (1 + 1 + 1 + 1 + 5 * 3)
    with_errors = await graphql('{ contact(id: "nope") { id } }', account=account)
    assert with_errors["errors"] and with_errors["extensions"]["cost"]["fanOut"] == 2
