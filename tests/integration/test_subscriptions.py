"""Subscriptions over graphql-transport-ws: events written through one app reach
subscribers of another app on the same database (two processes' worth: each has its
own pool and LISTEN connection), only their own user's, through the same gate as HTTP."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from aiohttp import ClientWebSocketResponse, WSMsgType
from aiohttp.test_utils import TestClient

from graph_api import accounts, websocket
from graph_api.app import create_app
from graph_api.domain.events import Event
from graph_api.keys import EVENT_HUB, GATE
from graph_api.settings import Settings
from tests.conftest import Account, error_codes

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]
PROTOCOL = "graphql-transport-ws"
WAIT = 5.0


class Socket:
    """A graphql-transport-ws client, as graphql-ws speaks it."""

    def __init__(self, ws: ClientWebSocketResponse) -> None:
        self.ws = ws

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send_json(message)

    async def receive(self, seconds: float = WAIT) -> dict[str, Any]:
        message = await self.ws.receive(timeout=seconds)
        assert message.type is WSMsgType.TEXT, (message.type, message.data, message.extra)
        received: dict[str, Any] = message.json()
        return received

    async def init(self, account: Account | None = None, payload: Any = None) -> dict[str, Any]:
        if payload is None:
            payload = {"Authorization": f"Bearer {account.token}"} if account else {}
        await self.send({"type": "connection_init", "payload": payload})
        return await self.receive()

    async def subscribe(
        self, query: str, variables: dict[str, Any] | None = None, id: str = "1"
    ) -> None:
        await self.send(
            {
                "id": id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )

    async def next(self, id: str = "1") -> dict[str, Any]:
        message = await self.receive()
        assert message["type"] == "next" and message["id"] == id, message
        payload: dict[str, Any] = message["payload"]
        return payload

    async def closed(self) -> tuple[int | None, str]:
        message = await self.ws.receive(timeout=WAIT)
        while message.type is WSMsgType.TEXT:
            message = await self.ws.receive(timeout=WAIT)
        assert message.type in {WSMsgType.CLOSE, WSMsgType.CLOSED}, message
        return self.ws.close_code, str(message.extra or "")

    async def nothing(self, seconds: float = 0.8) -> None:
        with pytest.raises(asyncio.TimeoutError):
            message = await self.ws.receive(timeout=seconds)
            pytest.fail(f"expected nothing, got {message.data}")


@pytest.fixture
async def second(settings: Settings, aiohttp_client: ClientFactory) -> TestClient[Any, Any]:
    """Another app on the same database: another process, as far as events go."""
    return await aiohttp_client(create_app(settings))


@pytest.fixture
def connect(client: TestClient[Any, Any]) -> Callable[..., Awaitable[Socket]]:
    async def open_socket(on: TestClient[Any, Any] | None = None) -> Socket:
        ws = await (on or client).ws_connect("/graphql", protocols=[PROTOCOL])
        return Socket(ws)

    return open_socket


async def post(
    client: TestClient[Any, Any], account: Account, query: str, **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=account.headers
    )
    body: dict[str, Any] = await response.json()
    assert "errors" not in body, body
    return body["data"]


CREATE = """mutation ($name: String!) {
  createContact(input: {fullName: $name}) { contact { id } errors { code } }
}"""


async def create(client: TestClient[Any, Any], account: Account, name: str) -> str:
    data = await post(client, account, CREATE, name=name)
    contact_id: str = data["createContact"]["contact"]["id"]
    return contact_id


CONTACT_CHANGED = "subscription { contactChanged { kind contactId contact { fullName } } }"


async def test_an_event_from_one_process_reaches_the_users_subscribers_on_another(
    client: TestClient[Any, Any],
    second: TestClient[Any, Any],
    connect: Callable[..., Awaitable[Socket]],
    make_account: Callable[[], Awaitable[Account]],
) -> None:
    alice, bob = await make_account(), await make_account()
    alice_socket, bob_socket = await connect(second), await connect(second)
    assert (await alice_socket.init(alice))["type"] == "connection_ack"
    assert (await bob_socket.init(bob))["type"] == "connection_ack"
    await alice_socket.subscribe(CONTACT_CHANGED)
    await bob_socket.subscribe(CONTACT_CHANGED)
    await asyncio.sleep(0.2)  # subscribed before the write

    contact_id = await create(client, alice, "Ada Lovelace")
    payload = await alice_socket.next()
    assert payload["data"]["contactChanged"] == {
        "kind": "CREATED",
        "contactId": contact_id,
        "contact": {"fullName": "Ada Lovelace"},
    }
    assert payload["extensions"]["cost"]["limit"] > 0
    await bob_socket.nothing()  # never another tenant's

    await post(
        client, alice, 'mutation ($id: ID!) { updateContact(id: $id, input: {fullName: "Ada King"}) { errors { code } } }',
        id=contact_id,
    )  # fmt: skip
    updated = await alice_socket.next()
    assert updated["data"]["contactChanged"]["kind"] == "UPDATED"
    # each event loads the row as it is now
    assert updated["data"]["contactChanged"]["contact"] == {"fullName": "Ada King"}

    await post(
        client,
        alice,
        "mutation ($id: ID!) { deleteContact(id: $id) { errors { code } } }",
        id=contact_id,
    )
    deleted = await alice_socket.next()
    assert deleted["data"]["contactChanged"] == {
        "kind": "DELETED", "contactId": contact_id, "contact": None,
    }  # fmt: skip

    await create(client, bob, "Bob's own")
    assert (await bob_socket.next())["data"]["contactChanged"]["contact"] == {
        "fullName": "Bob's own"
    }
    await alice_socket.nothing()


async def test_relationship_interaction_and_memory_events(
    client: TestClient[Any, Any],
    second: TestClient[Any, Any],
    connect: Callable[..., Awaitable[Socket]],
    account: Account,
) -> None:
    a, b, c = [await create(client, account, name) for name in ("A", "B", "C")]
    socket = await connect(second)
    await socket.init(account)
    await socket.subscribe(
        "subscription ($c: ID) { relationshipChanged(contactId: $c) { kind relationshipId "
        "relationship { type manualStrength contactA { fullName } contactB { fullName } } } }",
        {"c": a},
        id="ties",
    )
    await socket.subscribe(
        "subscription ($c: ID) { interactionLogged(contactId: $c) { interaction { subject participants { fullName } } } }",
        {"c": b},
        id="met",
    )
    await socket.subscribe(
        "subscription { memoryAdded { memory { content contact { fullName } } } }", id="noted"
    )
    await asyncio.sleep(0.2)

    # a tie of B and C is not A's: the filtered subscriber hears nothing of it
    await post(
        client, account,
        "mutation ($x: ID!, $y: ID!) { createRelationship(input: {contactAId: $x, contactBId: $y}) { errors { code } } }",
        x=b, y=c,
    )  # fmt: skip
    created = await post(
        client, account,
        "mutation ($x: ID!, $y: ID!) { createRelationship(input: {contactAId: $x, contactBId: $y, type: FRIEND}) { relationship { id } } }",
        x=a, y=b,
    )  # fmt: skip
    relationship_id = created["createRelationship"]["relationship"]["id"]
    event = (await socket.next("ties"))["data"]["relationshipChanged"]
    assert event["kind"] == "CREATED" and event["relationshipId"] == relationship_id
    assert event["relationship"]["type"] == "FRIEND"
    assert {
        event["relationship"]["contactA"]["fullName"],
        event["relationship"]["contactB"]["fullName"],
    } == {"A", "B"}

    await post(
        client, account,
        "mutation ($id: ID!) { updateRelationship(id: $id, input: {strength: 0.9}) { errors { code } } }",
        id=relationship_id,
    )  # fmt: skip
    event = (await socket.next("ties"))["data"]["relationshipChanged"]
    assert (event["kind"], event["relationship"]["manualStrength"]) == ("UPDATED", 0.9)
    await post(
        client, account,
        "mutation ($id: ID!) { deleteRelationship(id: $id) { errors { code } } }", id=relationship_id,
    )  # fmt: skip
    event = (await socket.next("ties"))["data"]["relationshipChanged"]
    # a deleted relationship still shows what it was
    assert (event["kind"], event["relationship"]["type"]) == ("DELETED", "FRIEND")

    when = datetime.now(UTC).isoformat()
    await post(
        client, account,
        "mutation ($p: [ID!]!, $at: DateTime!) { logInteraction(input: {participantIds: $p, type: MEETING, occurredAt: $at, subject: \"Lunch\"}) { errors { code } } }",
        p=[b, c], at=when,
    )  # fmt: skip
    logged = (await socket.next("met"))["data"]["interactionLogged"]["interaction"]
    assert logged["subject"] == "Lunch"
    assert sorted(p["fullName"] for p in logged["participants"]) == ["B", "C"]

    await post(
        client, account,
        'mutation ($c: ID!) { createMemory(input: {contactId: $c, content: "Likes sailing"}) { errors { code } } }',
        c=c,
    )  # fmt: skip
    memory = (await socket.next("noted"))["data"]["memoryAdded"]["memory"]
    assert memory == {"content": "Likes sailing", "contact": {"fullName": "C"}}
    # the interaction with A's neighbours only was never A's tie event
    await socket.nothing(0.3)


async def test_network_alerts_when_a_strength_crosses_the_threshold_and_a_tie_goes_cold(
    client: TestClient[Any, Any],
    second: TestClient[Any, Any],
    connect: Callable[..., Awaitable[Socket]],
    account: Account,
) -> None:
    friend = await create(client, account, "Old Friend")
    socket = await connect(second)
    await socket.init(account)
    fields = (
        "{ kind contactId strength previousStrength threshold daysSinceLastInteraction "
        "expectedCadenceDays contact { fullName } }"
    )
    await socket.subscribe("subscription { networkAlerts " + fields + " }", id="cold")
    await asyncio.sleep(0.5)
    # a steady rhythm that stopped long ago: the tie is cold
    now = datetime.now(UTC)
    for weeks in range(20, 60, 2):
        await post(
            client, account,
            "mutation ($p: [ID!]!, $at: DateTime!) { logInteraction(input: {participantIds: $p, type: CALL, occurredAt: $at, direction: MUTUAL}) { errors { code } } }",
            p=[friend], at=(now - timedelta(weeks=weeks)).isoformat(),
        )  # fmt: skip
    alert = (await socket.next("cold"))["data"]["networkAlerts"]
    assert alert["kind"] == "WENT_COLD"
    assert alert["contactId"] == friend
    assert alert["contact"] == {"fullName": "Old Friend"}
    assert alert["daysSinceLastInteraction"] > alert["expectedCadenceDays"] > 0
    await socket.nothing(1.2)  # said once, not again on the next look

    strength = await post(
        client, account, "query ($id: ID!) { contact(id: $id) { strength { score } } }", id=friend
    )
    score = strength["contact"]["strength"]["score"]
    threshold = round(score + 0.05, 3)
    await socket.subscribe(
        "subscription ($t: Float) { networkAlerts(strengthThreshold: $t, cold: false) "
        + fields
        + " }",
        {"t": threshold},
        id="strength",
    )
    await asyncio.sleep(0.5)
    # talking again today: the strength rises over the threshold
    await post(
        client, account,
        "mutation ($p: [ID!]!, $at: DateTime!) { logInteraction(input: {participantIds: $p, type: MEETING, occurredAt: $at}) { errors { code } } }",
        p=[friend], at=now.isoformat(),
    )  # fmt: skip
    alert = (await socket.next("strength"))["data"]["networkAlerts"]
    assert alert["kind"] == "STRENGTH_ROSE_ABOVE", alert
    assert alert["previousStrength"] == pytest.approx(score)
    assert alert["previousStrength"] < threshold <= alert["strength"]
    assert alert["threshold"] == threshold
    await socket.nothing(0.8)  # warming up again is no cold alert


DEEP = (
    "subscription ($n: Int!) { contactChanged { contact { connections(first: $n) { edges { node { "
    "connections(first: $n) { edges { node { connections(first: $n) { edges { node { id } } } } } } "
    "} } } } } }"
)
ALIASES = "subscription { contactChanged { " + " ".join(f"k{i}: kind" for i in range(60)) + " } }"


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("subscription { contactChanged(nope: 1) { kind } }", {}, "BAD_USER_INPUT"),
        (
            'subscription { networkAlerts(strengthThreshold: "high") { kind } }',
            {},
            "BAD_USER_INPUT",
        ),
        (ALIASES, {}, "QUERY_TOO_COMPLEX"),
        (DEEP, {"n": 100}, "QUERY_TOO_COMPLEX"),
    ],
    ids=["unknown-argument", "wrong-type", "aliases", "fan-out"],
)
async def test_bad_arguments_and_limits_get_the_same_codes_as_over_http(
    client: TestClient[Any, Any],
    connect: Callable[..., Awaitable[Socket]],
    account: Account,
    query: str,
    variables: dict[str, Any],
    code: str,
) -> None:
    http = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=account.headers
    )
    assert error_codes(await http.json()) == [code]
    socket = await connect()
    await socket.init(account)
    await socket.subscribe(query, variables)
    message = await socket.receive()
    assert message["type"] == "error" and message["id"] == "1", message
    assert [e["extensions"]["code"] for e in message["payload"]] == [code]


async def test_a_bad_token_or_a_bad_value_fails_the_subscription_with_its_code(
    connect: Callable[..., Awaitable[Socket]], account: Account
) -> None:
    forged = Account(account.user, accounts.new_token())
    socket = await connect()
    assert (await socket.init(forged))["type"] == "connection_ack"  # as HTTP: not refused
    await socket.subscribe(CONTACT_CHANGED)
    message = await socket.receive()
    assert message["type"] == "error" and message["id"] == "1"
    assert [e["extensions"]["code"] for e in message["payload"]] == ["UNAUTHENTICATED"]

    socket = await connect()
    await socket.init(account)
    await socket.subscribe("subscription { networkAlerts(strengthThreshold: 2) { kind } }")
    message = await socket.receive()
    assert message["type"] == "error"
    [error] = message["payload"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "strengthThreshold"}


async def test_subscriptions_over_http_are_refused(
    client: TestClient[Any, Any], account: Account
) -> None:
    response = await client.post(
        "/graphql", json={"query": CONTACT_CHANGED}, headers=account.headers
    )
    body = await response.json()
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "WebSocket" in body["errors"][0]["message"]


async def test_queries_and_mutations_over_the_socket_pass_the_gate(
    settings: Settings, aiohttp_client: ClientFactory, account: Account
) -> None:
    limited = await aiohttp_client(create_app(_with(settings, rate_limit_per_minute=3)))
    socket = Socket(await limited.ws_connect("/graphql", protocols=[PROTOCOL]))
    assert (await socket.init(account))["type"] == "connection_ack"  # 1 of 3
    await socket.subscribe("{ me { email } }", id="q1")  # 2
    answer = await socket.next("q1")
    assert answer["data"] == {"me": {"email": account.user.email}}
    assert (await socket.receive()) == {"id": "q1", "type": "complete"}
    await socket.subscribe(CREATE, {"name": "Over the socket"}, id="m1")  # 3
    created = await socket.next("m1")
    assert created["data"]["createContact"]["errors"] == []
    await socket.receive()
    await socket.subscribe("{ me { email } }", id="q2")  # 4: over the limit
    message = await socket.receive()
    assert message["type"] == "error"
    assert [e["extensions"]["code"] for e in message["payload"]] == ["RATE_LIMITED"]


def _with(settings: Settings, **changes: Any) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)


async def test_malformed_messages_close_with_the_protocols_codes(
    client: TestClient[Any, Any], connect: Callable[..., Awaitable[Socket]], account: Account
) -> None:
    socket = await connect()
    await socket.ws.send_str("{not json")
    assert (await socket.closed())[0] == 4400

    socket = await connect()
    await socket.subscribe("{ me { id } }")
    assert (await socket.closed())[0] == 4401  # before the acknowledgement

    socket = await connect()
    await socket.init(account)
    await socket.send({"type": "connection_init"})
    assert (await socket.closed())[0] == 4429

    socket = await connect()
    await socket.init(account)
    await socket.subscribe(CONTACT_CHANGED, id="same")
    await socket.subscribe(CONTACT_CHANGED, id="same")
    assert (await socket.closed())[0] == 4409

    socket = await connect()
    await socket.init(account)
    await socket.send({"id": "x", "type": "subscribe", "payload": {"query": 42}})
    assert (await socket.closed())[0] == 4400

    socket = await connect()
    await socket.init(account)
    await socket.send({"type": "ping"})
    assert await socket.receive() == {"type": "pong"}
    await socket.send({"type": "mystery"})
    assert (await socket.closed())[0] == 4400

    other = await client.ws_connect("/graphql", protocols=["graphql-ws"])
    message = await other.receive(timeout=WAIT)
    assert message.type is WSMsgType.CLOSE and other.close_code == 4406


async def test_a_revoked_token_ends_its_subscriptions(
    second: TestClient[Any, Any],
    connect: Callable[..., Awaitable[Socket]],
    account: Account,
    pool: asyncpg.Pool,
) -> None:
    socket = await connect(second)
    await socket.init(account)
    await socket.subscribe(CONTACT_CHANGED)
    await asyncio.sleep(0.2)
    async with pool.acquire() as conn:  # revoked elsewhere: the CLI, another process
        assert await accounts.revoke_token(conn, account.token)
    message = await socket.receive()
    assert message["type"] == "error" and message["id"] == "1"
    assert [e["extensions"]["code"] for e in message["payload"]] == ["UNAUTHENTICATED"]
    assert second.app[EVENT_HUB].subscribers == 0
    await socket.subscribe(CONTACT_CHANGED, id="2")
    again = await socket.receive()
    assert [e["extensions"]["code"] for e in again["payload"]] == ["UNAUTHENTICATED"]


async def test_a_subscriber_that_cannot_keep_up_is_disconnected(
    client: TestClient[Any, Any], connect: Callable[..., Awaitable[Socket]], account: Account
) -> None:
    hub = client.app[EVENT_HUB]
    hub.capacity = 5
    socket = await connect()
    await socket.init(account)
    await socket.subscribe("subscription { contactChanged { kind contactId } }")
    await asyncio.sleep(0.2)
    assert hub.subscribers == 1
    # a burst faster than it is delivered: the feed overflows before it is read
    for _ in range(50):
        event = Event(account.user.id, "contact", "updated", uuid.uuid4(), ())
        hub.on_event(None, 0, "graph_events", event.encode())
    code, _ = await socket.closed()
    assert code == 1013
    await asyncio.sleep(0.1)
    assert hub.subscribers == 0


async def test_graphiql_subscription_url_is_served(
    client: TestClient[Any, Any], account: Account
) -> None:
    # GraphiQL's page derives ws(s)://<host>/graphql from its endpoint
    ws = await client.ws_connect("/graphql", protocols=[PROTOCOL])
    socket = Socket(ws)
    assert (await socket.init(payload={"authorization": f"Bearer {account.token}"}))[
        "type"
    ] == "connection_ack"
    await socket.subscribe("{ me { email } }")
    assert (await socket.next())["data"]["me"]["email"] == account.user.email
    assert client.app[GATE] is not None


async def test_a_connection_that_never_initialises_is_closed(
    connect: Callable[..., Awaitable[Socket]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(websocket, "CONNECTION_INIT_SECONDS", 0.3)
    socket = await connect()
    assert (await socket.closed())[0] == 4408


async def test_one_event_is_loaded_once_for_all_its_subscribers(
    client: TestClient[Any, Any],
    connect: Callable[..., Awaitable[Socket]],
    account: Account,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sockets = [await connect() for _ in range(5)]
    for socket in sockets:
        await socket.init(account)
        await socket.subscribe(CONTACT_CHANGED)
    await asyncio.sleep(0.3)
    with caplog.at_level(logging.DEBUG, logger="graph_api.sql"):
        await create(client, account, "Seen by five")
        for socket in sockets:
            event = (await socket.next())["data"]["contactChanged"]
            assert event["contact"] == {"fullName": "Seen by five"}
    loads = [
        r.statement for r in caplog.records if getattr(r, "statement", None) == "contacts_by_id"
    ]
    assert len(loads) == 1


async def test_the_request_deadline_is_timeout_over_http_and_the_websocket(
    settings: Settings, aiohttp_client: ClientFactory, account: Account, pool: asyncpg.Pool
) -> None:
    """One error mapping for every way in: a request past its deadline is TIMEOUT, with
    the same message, whether it came by POST or over the WebSocket."""
    hasty = await aiohttp_client(
        create_app(
            Settings(
                database_url=settings.database_url,
                request_timeout_seconds=0.3,
                statement_timeout_ms=60_000,
            )
        )
    )
    query = "{ contacts(first: 5) { totalCount } }"
    ws = Socket(await hasty.ws_connect("/graphql", protocols=[PROTOCOL]))
    assert (await ws.init(account))["type"] == "connection_ack"
    async with pool.acquire() as conn, conn.transaction():
        # the contacts table locked: the read waits past the request's deadline
        await conn.execute("lock table contacts in access exclusive mode")
        response = await hasty.post("/graphql", json={"query": query}, headers=account.headers)
        over_http = await response.json()
        await ws.subscribe(query)
        over_ws = await ws.receive()
    assert response.status == 504
    assert over_ws["type"] == "error" and over_ws["id"] == "1"
    assert over_http["errors"] == over_ws["payload"]
    assert over_ws["payload"][0]["extensions"] == {"code": "TIMEOUT"}
    assert "longer than 0.3 s" in over_ws["payload"][0]["message"]
    await ws.ws.close()
