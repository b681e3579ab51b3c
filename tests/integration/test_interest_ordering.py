"""Lists order and filter interests by their effective (decayed) confidence, not the
stored one: a contact's interests (the generic, the compiled and the SQL plan alike, and
page by page), the contacts filter, and the briefing. Hand-computed with the default
half-life of 365 days, counted in whole UTC days since last reinforced:

    stored 0.9, 730 days ago -> 0.9 · 0.5² = 0.225
    stored 0.8, 365 days ago -> 0.8 · 0.5  = 0.4
    stored 0.5, today        -> 0.5

so by stored confidence the order is engines, looms, poetry; by effective confidence it
is poetry (0.5), looms (0.4), engines (0.225).
"""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson
from aiohttp.test_utils import TestClient

from graph_api.app import POOL, SETTINGS
from graph_api.ids import parse_global_id
from tests.conftest import Account, GraphQL
from tests.integration.test_compiled import both_ways

INTERESTS = [("engines", 0.9, 730), ("looms", 0.8, 365), ("poetry", 0.5, 0)]
EXPECTED = [("poetry", 0.5), ("looms", 0.4), ("engines", 0.225)]

CONTACT_INTERESTS = """query($id: ID!, $first: Int, $after: String) { contact(id: $id) {
  interests(first: $first, after: $after) {
    edges { cursor node { topic confidence effectiveConfidence } }
    pageInfo { hasNextPage endCursor } } } }"""


async def _contact_with_interests(graphql: GraphQL, account: Account, pool: asyncpg.Pool) -> str:
    made = await graphql(
        'mutation { createContact(input: {fullName: "Ada Lovelace"}) { contact { id } } }',
        account=account,
    )
    contact: str = made["data"]["createContact"]["contact"]["id"]
    for topic, confidence, days_ago in INTERESTS:
        added = await graphql(
            """mutation($id: ID!, $topic: String!, $confidence: Float) {
              addInterest(input: {contactId: $id, category: "craft", topic: $topic,
                                  confidence: $confidence}) { interest { id } errors { code } } }""",
            {"id": contact, "topic": topic, "confidence": confidence},
            account=account,
        )
        interest_id = parse_global_id(added["data"]["addInterest"]["interest"]["id"])[1]  # type: ignore[index]
        await pool.execute(
            """update interests set last_reinforced_at = now() - make_interval(days => $3)
                where user_id = $1 and id = $2""",
            account.user.id,
            interest_id,
            days_ago,
        )
    return contact


def _topics(body: dict[str, Any]) -> list[tuple[str, float]]:
    edges = body["data"]["contact"]["interests"]["edges"]
    return [(e["node"]["topic"], e["node"]["effectiveConfidence"]) for e in edges]


async def test_a_contacts_interests_are_ordered_by_effective_confidence(
    client: TestClient[Any, Any], graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    contact = await _contact_with_interests(graphql, account, pool)
    generic, compiled, _ = await both_ways(client, account, CONTACT_INTERESTS, {"id": contact})
    assert compiled == generic
    assert _topics(orjson.loads(generic)) == EXPECTED

    # page by page, the cursor keyed on the effective value
    seen: list[tuple[str, float]] = []
    after = None
    for _ in range(4):
        page = await graphql(
            CONTACT_INTERESTS, {"id": contact, "first": 1, "after": after}, account=account
        )
        assert "errors" not in page, page
        seen.extend(_topics(page))
        info = page["data"]["contact"]["interests"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert seen == EXPECTED

    # under a list of contacts (the nested loader, one statement for every parent)
    listed = await graphql(
        """{ contacts { edges { node { interests { edges { node { topic } } } } } } }""",
        account=account,
    )
    (edge,) = listed["data"]["contacts"]["edges"]
    assert [e["node"]["topic"] for e in edge["node"]["interests"]["edges"]] == [
        topic for topic, _ in EXPECTED
    ]


async def test_the_contacts_filter_compares_the_effective_confidence(
    client: TestClient[Any, Any], graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    await _contact_with_interests(graphql, account, pool)
    query = """query($topic: String, $min: Float) {
      contacts(filter: {interestTopic: $topic, interestMinConfidence: $min}) {
        edges { node { fullName } } } }"""

    async def names(topic: str | None, minimum: float) -> list[str]:
        variables = {"topic": topic, "min": minimum}
        generic, compiled, _ = await both_ways(client, account, query, variables)
        assert compiled == generic
        edges = orjson.loads(generic)["data"]["contacts"]["edges"]
        return [e["node"]["fullName"] for e in edges]

    # engines is stored at 0.9 but has faded to 0.225
    assert await names("engines", 0.3) == []
    assert await names("engines", 0.2) == ["Ada Lovelace"]
    assert await names("looms", 0.4) == ["Ada Lovelace"]
    assert await names("looms", 0.41) == []
    # no topic: any interest strong enough (poetry's 0.5)
    assert await names(None, 0.5) == ["Ada Lovelace"]
    assert await names(None, 0.51) == []
    refused = await graphql(
        "{ contacts(filter: {interestMinConfidence: 1.5}) { totalCount } }", account=account
    )
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_briefing_lists_interests_by_effective_confidence(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    contact = await _contact_with_interests(graphql, account, pool)
    body = await graphql(
        """query($id: ID!) { briefing(contactId: $id) {
             interests { effectiveConfidence interest { topic } } } }""",
        {"id": contact},
        account=account,
    )
    assert "errors" not in body, body
    got = [
        (i["interest"]["topic"], i["effectiveConfidence"])
        for i in body["data"]["briefing"]["interests"]
    ]
    assert got == EXPECTED


async def test_sql_decays_with_the_configured_half_life(client: TestClient[Any, Any]) -> None:
    # the app's pool hands GRAPH_API_INTEREST_HALF_LIFE_DAYS to SQL on every connection
    pool = client.app[POOL]
    half_life = client.app[SETTINGS].strength.interest_half_life_days
    assert await pool.fetchval(
        "select current_setting('graph_api.interest_half_life_days')"
    ) == repr(half_life)
    decayed = await pool.fetchval(
        "select interest_effective_confidence(0.8, now() - make_interval(days => $1))",
        round(half_life),
    )
    assert decayed == 0.4
