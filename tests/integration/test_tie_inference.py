"""Tie inference: the one set-based statement that seed and logInteraction share."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from itertools import combinations
from uuid import UUID

import asyncpg

from graph_api.db import ties
from graph_api.seed import generate_network, seed_network
from tests.conftest import Account, GraphQL

NOW = datetime(2026, 6, 1, tzinfo=UTC)


async def test_inference_reads_the_participants_once_whatever_the_statistics(
    pool: asyncpg.Pool, account: Account
) -> None:
    # the old form joined participants to themselves and counted each crowd in a
    # correlated subquery: with statistics that did not know the new rows it ran in a
    # nested loop scanning every participant per participant (23 minutes at 10k)
    async with pool.acquire() as conn, conn.transaction():
        plan = "\n".join(
            row[0]
            for row in await conn.fetch(
                f"explain {ties.INFER_TIES}", account.user.id, [account.user.id], ties.CROWD_LIMIT
            )
        )
    assert plan.count(" on interaction_participants") == 1, plan
    assert "SubPlan" not in plan, plan


async def test_a_meeting_of_exactly_the_crowd_limit_infers_every_pair(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    ids = []
    for n in range(ties.CROWD_LIMIT):
        body = await graphql(
            "mutation($n: String!) { createContact(input: {fullName: $n}) { contact { id } } }",
            {"n": f"Attendee {n}"},
            account=account,
        )
        ids.append(body["data"]["createContact"]["contact"]["id"])
    log = """mutation($p: [ID!]!) { logInteraction(input: {participantIds: $p, type: MEETING,
               occurredAt: "2026-01-01T10:00:00Z"}) { errors { code } } }"""
    for _ in range(2):  # the second meeting of the same people adds no row
        body = await graphql(log, {"p": ids}, account=account)
        assert body["data"]["logInteraction"]["errors"] == []
    inferred = await pool.fetchval(
        "select count(*) from relationships where user_id = $1 and source = 'inferred'",
        account.user.id,
    )
    assert inferred == ties.CROWD_LIMIT * (ties.CROWD_LIMIT - 1) // 2


async def test_a_seed_infers_exactly_the_pairs_of_its_small_meetings(
    pool: asyncpg.Pool, account: Account
) -> None:
    user_id = account.user.id
    network = generate_network(user_id, 120, 5, NOW)
    people: dict[UUID, set[UUID]] = defaultdict(set)
    for _, interaction_id, contact_id in network.participants:
        people[interaction_id].add(contact_id)
    stored = {(row[2], row[3]) for row in network.relationships}
    expected = {
        pair
        for group in people.values()
        if 2 <= len(group) <= ties.CROWD_LIMIT
        for pair in combinations(sorted(group), 2)
    } - stored
    assert expected, "the generated network has group meetings"
    async with pool.acquire() as conn:
        report = await seed_network(conn, user_id, 120, 5, NOW)
        rows = await conn.fetch(
            "select contact_a_id, contact_b_id from relationships"
            " where user_id = $1 and source = 'inferred'",
            user_id,
        )
    assert {(row["contact_a_id"], row["contact_b_id"]) for row in rows} == expected
    assert report.relationships == len(stored) + len(expected)
