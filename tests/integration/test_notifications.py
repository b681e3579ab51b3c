"""Notifications: made by the job from the network's state, once per occasion; listed by
a keyset connection with a status filter; marked; scheduled follow-ups; tenant-scoped."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient

from graph_api.app import GRAPHS, POOL
from graph_api.domain.notifications import next_birthday
from graph_api.ids import parse_global_id
from graph_api.notifier import notify_user
from tests.conftest import Account, GraphQL, error_codes

LIST = """query($first: Int, $after: String, $status: [NotificationStatus!]) {
  notifications(first: $first, after: $after, status: $status) {
    totalCount
    edges { cursor node { id type status priority title body contact { fullName } } }
    pageInfo { hasNextPage endCursor }
  } }"""


async def create(graphql: GraphQL, account: Account, name: str) -> str:
    body = await graphql(
        "mutation($n: String!) { createContact(input: {fullName: $n}) { contact { id } } }",
        {"n": name},
        account=account,
    )
    contact_id: str = body["data"]["createContact"]["contact"]["id"]
    return contact_id


def row_id(global_id: str) -> Any:
    return parse_global_id(global_id)[1]  # type: ignore[index]


async def weekly_meetings(
    pool: asyncpg.Pool, user_id: Any, contact: Any, until_days_ago: int
) -> None:
    """30 weekly meetings ending `until_days_ago` days ago: a strong tie with a cadence of 7 days."""
    now = datetime.now(UTC)
    moments = [now - timedelta(days=until_days_ago + 7 * k) for k in range(30)]
    async with pool.acquire() as conn, conn.transaction():
        ids = await conn.fetch(
            """insert into interactions (user_id, type, direction, occurred_at)
               select $1, 'meeting', 'mutual', t from unnest($2::timestamptz[]) t returning id""",
            user_id,
            moments,
        )
        await conn.executemany(
            "insert into interaction_participants (user_id, interaction_id, contact_id) values ($1, $2, $3)",
            [(user_id, row["id"], contact) for row in ids],
        )
        await conn.execute(
            "update contacts set last_interaction_at = $3 where user_id = $1 and id = $2",
            user_id,
            contact,
            max(moments),
        )


async def test_the_job_notices_each_occasion_once(
    graphql: GraphQL, account: Account, client: TestClient[Any, Any], pool: asyncpg.Pool
) -> None:
    user_id = account.user.id
    cold = await create(graphql, account, "Ada Lovelace")
    await weekly_meetings(pool, user_id, row_id(cold), until_days_ago=60)
    due = await create(graphql, account, "Grace Hopper")
    scheduled = await graphql(
        """mutation($id: ID!, $at: DateTime) { scheduleFollowUp(contactId: $id, at: $at, note: "Send the paper") {
          contact { fullName } followUpAt note errors { code field } } }""",
        {"id": due, "at": (datetime.now(UTC) - timedelta(hours=1)).isoformat()},
        account=account,
    )
    assert scheduled["data"]["scheduleFollowUp"]["errors"] == []
    assert scheduled["data"]["scheduleFollowUp"]["note"] == "Send the paper"
    birthday = await create(graphql, account, "Katherine Johnson")
    soon = datetime.now(UTC).date() + timedelta(days=3)
    await pool.execute(
        "update contacts set birthday = $3 where user_id = $1 and id = $2",
        user_id,
        row_id(birthday),
        soon.replace(year=1918) if not (soon.month == 2 and soon.day == 29) else date(1918, 2, 28),
    )
    faded = await create(graphql, account, "Alan Turing")
    await graphql(
        'mutation($id: ID!) { addInterest(input: {contactId: $id, category: "math", topic: "morphogenesis", confidence: 0.8}) { errors { code } } }',
        {"id": faded},
        account=account,
    )
    await pool.execute(
        "update interests set last_reinforced_at = now() - interval '800 days' where user_id = $1",
        user_id,
    )

    app_pool, graphs = client.app[POOL], client.app[GRAPHS]
    made = await notify_user(app_pool, graphs, user_id)
    assert made == 4
    assert await notify_user(app_pool, graphs, user_id) == 0  # idempotent

    body = await graphql(LIST, account=account)
    assert "errors" not in body, body
    listed = body["data"]["notifications"]
    assert listed["totalCount"] == 4
    by_type = {edge["node"]["type"]: edge["node"] for edge in listed["edges"]}
    assert set(by_type) == {"GOING_COLD", "FOLLOW_UP", "BIRTHDAY", "INTEREST_FADED"}
    assert by_type["GOING_COLD"]["contact"] == {"fullName": "Ada Lovelace"}
    assert by_type["FOLLOW_UP"]["body"] == "Send the paper"
    assert by_type["FOLLOW_UP"]["priority"] == "HIGH"
    assert by_type["BIRTHDAY"]["contact"] == {"fullName": "Katherine Johnson"}
    assert "morphogenesis" in by_type["INTEREST_FADED"]["title"]
    assert all(node["status"] == "UNREAD" for node in by_type.values())

    # pages walk the whole list without repeats
    seen, after = [], None
    while True:
        page = (await graphql(LIST, {"first": 3, "after": after}, account=account))["data"][
            "notifications"
        ]
        seen.extend(edge["node"]["id"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(node["id"] for node in by_type.values())

    marked = await graphql(
        "mutation($id: ID!) { markNotification(id: $id, status: DISMISSED) { notification { status } errors { code } } }",
        {"id": by_type["GOING_COLD"]["id"]},
        account=account,
    )
    assert marked["data"]["markNotification"] == {
        "notification": {"status": "DISMISSED"},
        "errors": [],
    }
    unread = await graphql(LIST, {"status": ["UNREAD"]}, account=account)
    assert unread["data"]["notifications"]["totalCount"] == 3

    # a new lapse (a meeting, then silence again) is a new going-cold notice; the dismissed one stays
    await weekly_meetings(pool, user_id, row_id(cold), until_days_ago=40)
    assert await notify_user(app_pool, graphs, user_id) == 1


async def test_marking_is_tenant_scoped_and_validated(
    graphql: GraphQL,
    account: Account,
    make_account: Any,
    client: TestClient[Any, Any],
    pool: asyncpg.Pool,
) -> None:
    due = await create(graphql, account, "Grace Hopper")
    await graphql(
        "mutation($id: ID!, $at: DateTime) { scheduleFollowUp(contactId: $id, at: $at) { errors { code } } }",
        {"id": due, "at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat()},
        account=account,
    )
    await notify_user(client.app[POOL], client.app[GRAPHS], account.user.id)
    (edge,) = (await graphql(LIST, account=account))["data"]["notifications"]["edges"]
    other = await make_account()
    theirs = await graphql(
        "mutation($id: ID!) { markNotification(id: $id, status: READ) { notification { status } errors { code field } } }",
        {"id": edge["node"]["id"]},
        account=other,
    )
    assert theirs["data"]["markNotification"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]
    assert (await graphql(LIST, account=other))["data"]["notifications"]["totalCount"] == 0
    note_without_time = await graphql(
        'mutation($id: ID!) { scheduleFollowUp(contactId: $id, at: null, note: "x") { errors { code field } } }',
        {"id": due},
        account=account,
    )
    assert note_without_time["data"]["scheduleFollowUp"]["errors"] == [
        {"code": "BAD_USER_INPUT", "field": "note"}
    ]
    bad = await graphql(LIST, {"first": 500}, account=account)
    assert error_codes(bad) == ["BAD_USER_INPUT"]


def test_next_birthday_rolls_over_the_year_and_handles_29_february() -> None:
    assert next_birthday(date(1990, 12, 25), date(2026, 12, 1)) == date(2026, 12, 25)
    assert next_birthday(date(1990, 1, 5), date(2026, 12, 1)) == date(2027, 1, 5)
    assert next_birthday(date(2000, 2, 29), date(2026, 2, 1)) == date(2026, 2, 28)
