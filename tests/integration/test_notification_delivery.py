"""Notifications delivered on `networkAlerts` over a real WebSocket: a birthday set with
createContact/updateContact and a follow-up set with scheduleFollowUp become
notifications when the job runs in one process, and reach the user's subscriber on
another process's socket as they commit (once each; never another user's)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from graph_api.app import GRAPHS, POOL, create_app
from graph_api.notifier import notify_user
from graph_api.settings import Settings
from tests.conftest import Account, error_codes
from tests.integration.test_subscriptions import PROTOCOL, ClientFactory, Socket, post

ALERTS = """subscription { networkAlerts(cold: false) {
  kind contactId strength
  notification { type status title body scheduledFor contact { fullName birthday } }
} }"""

CONTACT = """mutation($input: CreateContactInput!) {
  createContact(input: $input) { contact { id birthday } errors { code field } } }"""
UPDATE = """mutation($id: ID!, $input: UpdateContactInput!) {
  updateContact(id: $id, input: $input) { contact { birthday } errors { code field } } }"""


@pytest.fixture
async def second(settings: Settings, aiohttp_client: ClientFactory) -> TestClient[Any, Any]:
    """Another app on the same database: another process, as far as events go."""
    return await aiohttp_client(create_app(settings))


@pytest.fixture
def connect(client: TestClient[Any, Any]) -> Callable[..., Awaitable[Socket]]:
    async def open_socket(on: TestClient[Any, Any] | None = None) -> Socket:
        return Socket(await (on or client).ws_connect("/graphql", protocols=[PROTOCOL]))

    return open_socket


async def _run_job(client: TestClient[Any, Any], account: Account) -> int:
    return await notify_user(client.app[POOL], client.app[GRAPHS], account.user.id)


async def test_a_birthday_and_a_follow_up_reach_the_subscriber_as_notifications(
    client: TestClient[Any, Any],
    second: TestClient[Any, Any],
    connect: Callable[..., Awaitable[Socket]],
    make_account: Callable[[], Awaitable[Account]],
) -> None:
    alice, bob = await make_account(), await make_account()
    alice_socket, bob_socket = await connect(second), await connect(second)
    assert (await alice_socket.init(alice))["type"] == "connection_ack"
    assert (await bob_socket.init(bob))["type"] == "connection_ack"
    await alice_socket.subscribe(ALERTS)
    await bob_socket.subscribe(ALERTS)
    await asyncio.sleep(0.5)  # subscribed (and the baseline looked at) before the job

    # born in 1990, three days from today (UTC): within the week before
    soon = datetime.now(UTC).date() + timedelta(days=3)
    born = date(1990, soon.month, soon.day if (soon.month, soon.day) != (2, 29) else 28)
    made = await post(
        client,
        alice,
        CONTACT,
        input={"fullName": "Katherine Johnson", "birthday": born.isoformat()},
    )
    assert made["createContact"]["contact"]["birthday"] == born.isoformat()
    katherine = made["createContact"]["contact"]["id"]

    assert await _run_job(client, alice) == 1
    alert = (await alice_socket.next())["data"]["networkAlerts"]
    assert alert["kind"] == "NOTIFICATION"
    assert alert["contactId"] == katherine
    notification = alert["notification"]
    assert notification["type"] == "BIRTHDAY"
    assert notification["status"] == "UNREAD"
    assert notification["title"] == "Katherine Johnson's birthday"
    assert notification["contact"] == {
        "fullName": "Katherine Johnson",
        "birthday": born.isoformat(),
    }
    assert datetime.fromisoformat(notification["scheduledFor"]).date().month == born.month

    # the job again: nothing new, nothing sent
    assert await _run_job(client, alice) == 0
    await alice_socket.nothing(1.0)

    # a follow-up that is due
    await post(
        client, alice,
        """mutation($id: ID!, $at: DateTime) { scheduleFollowUp(contactId: $id, at: $at, note: "Orbit maths") {
             errors { code } } }""",
        id=katherine, at=(datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    )  # fmt: skip
    assert await _run_job(client, alice) == 1
    alert = (await alice_socket.next())["data"]["networkAlerts"]
    assert alert["notification"]["type"] == "FOLLOW_UP"
    assert alert["notification"]["body"] == "Orbit maths"

    # bob's socket heard none of it
    await bob_socket.nothing(0.5)


async def test_a_birthday_is_set_changed_and_cleared_through_the_api(
    client: TestClient[Any, Any], account: Account
) -> None:
    made = await post(client, account, CONTACT, input={"fullName": "Dorothy Vaughan"})
    contact = made["createContact"]["contact"]
    assert contact["birthday"] is None

    changed = await post(
        client, account, UPDATE, id=contact["id"], input={"birthday": "1910-09-20"}
    )
    assert changed["updateContact"]["contact"]["birthday"] == "1910-09-20"
    # a field not sent is left alone
    renamed = await post(client, account, UPDATE, id=contact["id"], input={"notes": "FORTRAN"})
    assert renamed["updateContact"]["contact"]["birthday"] == "1910-09-20"
    cleared = await post(client, account, UPDATE, id=contact["id"], input={"birthday": None})
    assert cleared["updateContact"]["contact"]["birthday"] is None

    future = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    refused = await post(client, account, UPDATE, id=contact["id"], input={"birthday": future})
    assert refused["updateContact"]["errors"] == [{"code": "BAD_USER_INPUT", "field": "birthday"}]
    response = await client.post(
        "/graphql",
        json={
            "query": CONTACT,
            "variables": {"input": {"fullName": "X", "birthday": "20-09-1910"}},
        },
        headers=account.headers,
    )
    assert error_codes(await response.json()) == ["BAD_USER_INPUT"]


async def test_asking_for_nothing_is_refused(
    connect: Callable[..., Awaitable[Socket]], account: Account
) -> None:
    socket = await connect()
    await socket.init(account)
    await socket.subscribe(
        "subscription { networkAlerts(cold: false, notifications: false) { kind } }"
    )
    message = await socket.receive()
    assert message["type"] == "error", message
    assert message["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
