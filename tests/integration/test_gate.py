"""One gate for every way in: malformed requests, GET and POST, the rate limit's
identity, GraphQL over HTTP's media types, honest codes under trouble."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestClient

from graph_api import accounts
from graph_api.app import create_app
from graph_api.keys import GATE, POOL
from graph_api.settings import Settings
from tests.conftest import Account, GraphQL, error_codes

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]
ME = "{ me { email } }"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def only_code(body: dict[str, Any]) -> str:
    [code] = error_codes(body)
    return code


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"\xff\xfe{not utf-8", "application/json", 400, "BAD_REQUEST"),
        (b"[" * 5000 + b"]" * 5000, "application/json", 400, "BAD_REQUEST"),
        (b'{"query": ', "application/json", 400, "BAD_REQUEST"),
        (b'[{"query": "{ me { id } }"}]', "application/json", 400, "BAD_REQUEST"),
        (b'{"query": 42}', "application/json", 400, "BAD_REQUEST"),
        (b'{"query": "{ me { id } }", "variables": [1]}', "application/json", 400, "BAD_REQUEST"),
        (b'{"query": "{ me { id } }"}', "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"),
        (b"query=%7B%7D", "application/x-www-form-urlencoded", 415, "UNSUPPORTED_MEDIA_TYPE"),
    ],
    ids=["invalid-utf8", "nested-json", "truncated", "batch", "query-type", "variables-type",
         "text-plain", "form"],
)  # fmt: skip
async def test_malformed_bodies_get_json_errors(
    client: TestClient[Any, Any], body: bytes, content_type: str, status: int, code: str
) -> None:
    response = await client.post("/graphql", data=body, headers={"Content-Type": content_type})
    assert response.status == status
    assert response.content_type == "application/json"
    answer = await response.json()
    assert only_code(answer) == code
    assert "data" not in answer


async def test_http_level_refusals_are_json(client: TestClient[Any, Any], account: Account) -> None:
    cases = [
        (await client.put("/graphql", json={"query": ME}), 405, "METHOD_NOT_ALLOWED"),
        (await client.get("/no/such/page"), 404, "NOT_FOUND"),
        (await client.post("/healthz"), 405, "METHOD_NOT_ALLOWED"),
        (
            await client.post(
                "/graphql",
                data=b'{"query": "' + b"x" * 2_000_000 + b'"}',
                headers={"Content-Type": "application/json"},
            ),
            413,
            "PAYLOAD_TOO_LARGE",
        ),
        (
            await client.get(
                "/graphql",
                params={"query": 'mutation { createContact(input: {fullName: "x"}) { errors { code } } }'},
                headers=account.headers,
            ),
            405,
            "BAD_USER_INPUT",
        ),
    ]  # fmt: skip
    for response, status, code in cases:
        assert response.status == status, await response.text()
        assert response.content_type == "application/json"
        assert only_code(await response.json()) == code


async def test_a_query_over_get(client: TestClient[Any, Any], account: Account) -> None:
    response = await client.get(
        "/graphql",
        params={"query": "query($n: Int) { contacts(first: $n) { totalCount } }", "variables": '{"n": 2}'},
        headers=account.headers,
    )  # fmt: skip
    assert response.status == 200
    assert await response.json() == {
        "data": {"contacts": {"totalCount": 0}},
        # contacts, then totalCount on each of up to 2 pages' worth: 1 + 2 x 1
        "extensions": {"cost": {"fanOut": 3, "limit": 50_000}},
    }


async def test_several_operations_need_a_name(graphql: GraphQL, account: Account) -> None:
    two = "query A { me { id } } query B { me { email } }"
    body = await graphql(two, account=account)
    assert only_code(body) == "BAD_USER_INPUT" and "operationName" in body["errors"][0]["message"]
    assert "data" not in body


async def test_graphql_response_media_type(client: TestClient[Any, Any], account: Account) -> None:
    accept = {"Accept": GRAPHQL_RESPONSE, **account.headers}
    good = await client.post("/graphql", json={"query": ME}, headers=accept)
    assert good.status == 200 and good.content_type == GRAPHQL_RESPONSE
    invalid = await client.post("/graphql", json={"query": "{ me { nope } }"}, headers=accept)
    assert invalid.status == 400 and invalid.content_type == GRAPHQL_RESPONSE
    body = await invalid.json()
    assert "data" not in body and only_code(body) == "BAD_USER_INPUT"
    # a variable that does not coerce is a request error too: nothing ran
    query = "query($n: Int) { contacts(first: $n) { totalCount } }"
    coerced = await client.post(
        "/graphql", json={"query": query, "variables": {"n": "many"}}, headers=accept
    )
    assert coerced.status == 400 and "data" not in await coerced.json()
    # media ranges as the spec reads them: q-values, and names that only start alike
    for header, expected in [
        ("application/json, application/graphql-response+jsonx", "application/json"),
        ("application/json;q=0.5, application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/graphql-response+json;q=0.1, application/json", "application/json"),
        ("application/graphql-response+json;q=0", "application/json"),
    ]:
        answer = await client.post(
            "/graphql", json={"query": ME}, headers={"Accept": header, **account.headers}
        )
        assert (answer.status, answer.content_type) == (200, expected), header
    # plain JSON keeps 200 for GraphQL errors, as legacy clients expect
    legacy = await client.post(
        "/graphql", json={"query": "{ me { nope } }"}, headers=account.headers
    )
    assert legacy.status == 200 and legacy.content_type == "application/json"


@pytest.mark.parametrize(
    "header",
    ["Bearer gapi_\u00e9\u00e9\u00e9", "Bearer gapi_a\tb", "Basic abc", "Bearer", "bearer gapi_" + "x" * 300],
    ids=["non-ascii", "control", "basic", "empty", "long"],
)  # fmt: skip
async def test_malformed_tokens_are_unauthenticated(
    client: TestClient[Any, Any], header: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.post(
        "/graphql",
        data=b'{"query": "{ me { id } }"}',
        headers={"Content-Type": "application/json", "Authorization": header.encode("utf-8").decode("latin-1")},
    )  # fmt: skip
    assert response.status == 200
    assert only_code(await response.json()) == "UNAUTHENTICATED"
    assert not [r for r in caplog.records if r.exc_info], "nothing worth a traceback happened"


async def test_an_oversized_header_is_not_echoed(
    client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    secret = "gapi_SECRETSECRET" + "s" * 9000
    with caplog.at_level(logging.DEBUG):
        async with ClientSession() as session:
            response = await session.post(
                client.make_url("/graphql"),
                json={"query": ME},
                headers={"Authorization": f"Bearer {secret}"},
            )
            text = await response.text()
    assert response.status == 431
    assert response.content_type == "application/json"
    assert "SECRET" not in text
    async with ClientSession() as session:
        long_url = await session.get(
            client.make_url("/graphql"), params={"query": "{ me { id } }" + " " * 9000}
        )
        assert long_url.status == 414
        assert only_code(await long_url.json()) == "URI_TOO_LONG"
    assert not [
        r
        for r in caplog.records
        if "SECRET" in r.getMessage() or (r.exc_text or "").find("SECRET") >= 0
    ]


async def test_one_budget_for_every_way_in(
    settings: Settings, aiohttp_client: ClientFactory, make_account: Any
) -> None:
    limited = await aiohttp_client(
        create_app(Settings(database_url=settings.database_url, rate_limit_per_minute=4))
    )
    # anonymous, a forged token, a malformed header and a GET share the address's budget
    forged = {"Authorization": f"Bearer {accounts.new_token()}"}
    answers = [
        await limited.post("/graphql", json={"query": ME}),
        await limited.post("/graphql", json={"query": ME}, headers=forged),
        await limited.post("/graphql", json={"query": ME}, headers={"Authorization": "Token x"}),
        await limited.get("/graphql", params={"query": ME}),
    ]
    assert [a.status for a in answers] == [200, 200, 200, 200]
    refused = await limited.get("/graph/export")
    assert refused.status == 429 and only_code(await refused.json()) == "RATE_LIMITED"
    assert int(refused.headers["Retry-After"]) >= 1

    # a valid token has its own budget, whatever the header's spelling
    alice = await make_account()
    spellings = [f"Bearer {alice.token}", f"bearer {alice.token}", f"BEARER  {alice.token} "]
    statuses = []
    for i in range(5):
        headers = {"Authorization": spellings[i % len(spellings)]}
        statuses.append(
            (await limited.post("/graphql", json={"query": ME}, headers=headers)).status
        )
    assert statuses == [200, 200, 200, 200, 429]

    # made-up tokens cost database lookups only within the address's lookup budget
    # (4 a minute: the forged one and alice's used two)
    authenticator = limited.app[GATE].authenticator
    before = authenticator.lookups
    for _ in range(5):
        made_up = {"Authorization": f"Bearer {accounts.new_token()}"}
        assert (await limited.post("/graphql", json={"query": ME}, headers=made_up)).status == 429
    assert authenticator.lookups - before == 2


async def test_a_revoked_token_stops_working_through_the_notification(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool, client: TestClient[Any, Any]
) -> None:
    assert "errors" not in await graphql(ME, account=account)  # now cached
    async with pool.acquire() as conn:
        assert await accounts.revoke_token(conn, account.token)
    for _ in range(50):  # the notification arrives within milliseconds; the cache is 5 s
        if error_codes(await graphql(ME, account=account)) == ["UNAUTHENTICATED"]:
            break
        await asyncio.sleep(0.02)
    else:
        pytest.fail("the revoked token still worked after a second")


async def test_a_statement_timeout_is_its_own_code(
    settings: Settings, aiohttp_client: ClientFactory, account: Account, pool: asyncpg.Pool
) -> None:
    impatient = await aiohttp_client(
        create_app(Settings(database_url=settings.database_url, statement_timeout_ms=300))
    )
    query = "{ contacts(first: 5) { totalCount } }"
    assert (
        "errors"
        not in await (
            await impatient.post("/graphql", json={"query": query}, headers=account.headers)
        ).json()
    )
    async with pool.acquire() as conn, conn.transaction():
        # the contacts table locked: the next read waits past its statement timeout
        await conn.execute("lock table contacts in access exclusive mode")
        response = await impatient.post("/graphql", json={"query": query}, headers=account.headers)
        body = await response.json()
    assert error_codes(body) == ["TIMEOUT"]
    assert response.status == 200


async def test_readyz_answers_while_requests_hold_the_pool(
    settings: Settings, aiohttp_client: ClientFactory, account: Account
) -> None:
    busy = await aiohttp_client(
        create_app(
            Settings(database_url=settings.database_url, pool_max_size=2, pool_wait_seconds=0.2)
        )
    )
    query = {"query": "{ contacts { totalCount } }"}
    # the token looked up first: the request below reaches the pool in a resolver
    assert (await busy.post("/graphql", json=query, headers=account.headers)).status == 200
    app_pool = busy.app[POOL]
    held = [await app_pool.acquire(), await app_pool.acquire()]
    try:
        ready = await busy.get("/readyz")
        assert ready.status == 200 and (await ready.json())["database"] == "ok"
        response = await busy.post("/graphql", json=query, headers=account.headers)
        assert response.status == 503
        assert response.headers["Retry-After"] == "1"
        assert error_codes(await response.json()) == ["SERVICE_UNAVAILABLE"]
    finally:
        for conn in held:
            await app_pool.release(conn)


async def test_limits_cached_per_value_never_cross_values(
    graphql: GraphQL, account: Account
) -> None:
    query = """query($n: Int) { contacts(first: $n) { edges { node {
        connections(first: $n) { edges { node { connections(first: $n) { totalCount } } } } } } } }"""
    # 1.0 is not an Int: whatever it answers, it must not decide what 1 gets
    await graphql(query, {"n": 1.0}, account=account)
    assert "errors" not in await graphql(query, {"n": 1}, account=account)
    # a declared default counts as the value it is
    defaulted = query.replace("query($n: Int)", "query($n: Int = 5)")
    assert "errors" not in await graphql(defaulted, {}, account=account)
    assert error_codes(await graphql(defaulted, {"n": 100}, account=account)) == [
        "QUERY_TOO_COMPLEX"
    ]
