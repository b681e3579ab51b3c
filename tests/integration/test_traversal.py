"""Reading the network: nested traversal, pagination walks, filters, statement counts."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from syrupy.assertion import SnapshotAssertion

from graph_api.keys import GRAPHQL_ENDPOINT
from graph_api.seed import seed_network
from graph_api.types.node import global_id, parse_global_id
from tests.conftest import Account, GraphQL, error_codes

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
async def network(pool: asyncpg.Pool, account: Account) -> Account:
    async with pool.acquire() as conn:
        await seed_network(conn, account.user.id, 80, 7, NOW)
    return account


NESTED = """
query Nested($first: Int!) {
  contacts(first: $first) {
    edges { node {
      fullName
      interests(first: 5) { edges { node { topic } } }
      connections(first: 5) { totalCount edges {
        relationship { type strength }
        node { fullName interests(first: 5) { totalCount edges { node { topic confidence } } } }
      } }
    } }
  }
}
"""


# the background embedder's, which may run meanwhile (user by user, at startup)
BACKGROUND = {
    "stale_contact_profiles",
    "store_contact_profile",
    "memories_pending_embedding",
    "store_memory_embedding",
}


async def test_three_level_nested_query_runs_one_statement_per_level(
    graphql: GraphQL,
    client: TestClient[Any, Any],
    network: Account,
    caplog: pytest.LogCaptureFixture,
    snapshot: SnapshotAssertion,
) -> None:
    # the token's first use is recorded, and the graph (connection strengths) is built
    await graphql("{ networkStats { contacts } }", account=network)
    endpoint = client.app[GRAPHQL_ENDPOINT]
    answers, runs = [], []
    # the Python plan (loaders: one statement per level), then the SQL plan (one per
    # phase: the page with its interests, then the connections with theirs)
    for sql in (False, True):
        endpoint.compiled_sql = sql
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="graph_api.sql"):
            body = await graphql(NESTED, {"first": 50}, account=network)
        assert "errors" not in body, body
        contacts = body["data"]["contacts"]["edges"]
        assert len(contacts) == 50
        assert any(edge["node"]["connections"]["edges"] for edge in contacts)
        answers.append(body)
        runs.append(
            sorted(
                r.statement  # type: ignore[attr-defined]
                for r in caplog.records
                if r.name == "graph_api.sql" and r.statement not in BACKGROUND  # type: ignore[attr-defined]
            )
        )
    endpoint.compiled_sql = True
    assert answers[0] == answers[1]
    # whatever the number of contacts (the token's lookup was cached by the first
    # request); the graph's version is checked once: connections are ordered by
    # computed strength
    assert runs[0] == sorted(
        [
            "contacts_page",
            "contact_interests_page",
            "graph_version",
            "contact_connections_page",
            "contact_interests_page",
        ]
    )
    assert runs[1] == sorted(["contacts_page_json", "graph_version", "contact_connections_json"])
    assert runs == snapshot  # completion order varies; the set does not


async def test_walking_pages_returns_every_contact_once_in_order(
    graphql: GraphQL, network: Account, pool: asyncpg.Pool
) -> None:
    query = """query($after: String) { contacts(first: 7, after: $after) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { id fullName } } } }"""
    seen: list[str] = []
    after = None
    inserted = 0
    while True:
        page = (await graphql(query, {"after": after}, account=network))["data"]["contacts"]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += [edge["node"]["id"] for edge in page["edges"]]
        # someone adds contacts while we walk: before and after our position
        if inserted < 3:
            await pool.execute(
                "insert into contacts (user_id, full_name) values ($1, 'AAA new'), ($1, 'zzz new')",
                network.user.id,
            )
            inserted += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)), "a contact was returned twice"
    originals = await pool.fetch(
        "select id from contacts where user_id = $1 and full_name not like '%new' and archived_at is null",
        network.user.id,
    )
    assert {global_id("Contact", r["id"]) for r in originals} <= set(seen), (
        "an old contact was skipped"
    )


async def test_backward_pagination_mirrors_forward(graphql: GraphQL, network: Account) -> None:
    forward = await graphql(
        "{ contacts(first: 12) { edges { cursor node { id } } } }", account=network
    )
    edges = forward["data"]["contacts"]["edges"]
    backward = await graphql(
        "query($before: String) { contacts(last: 5, before: $before) { pageInfo { hasNextPage hasPreviousPage } edges { node { id } } } }",
        {"before": edges[11]["cursor"]},
        account=network,
    )
    page = backward["data"]["contacts"]
    assert [e["node"]["id"] for e in page["edges"]] == [e["node"]["id"] for e in edges[6:11]]
    assert page["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": True}


@pytest.mark.parametrize(
    ("order", "value"),
    [
        ("LAST_INTERACTION_DESC", "lastInteractionAt"),
        ("STRENGTH_DESC", "strength { score }"),
    ],
)
async def test_walking_by_recency_or_strength_crosses_the_never_contacted(
    graphql: GraphQL, network: Account, pool: asyncpg.Pool, order: str, value: str
) -> None:
    # people never contacted have no last interaction and no tie: they sort last, and a
    # walk must cross from the contacted to them without skipping or repeating anyone
    await pool.execute(
        "insert into contacts (user_id, full_name) select $1, 'never ' || n from generate_series(1, 9) n",
        network.user.id,
    )
    query = f"""query($after: String) {{
      contacts(first: 7, after: $after, orderBy: {order}) {{
        pageInfo {{ hasNextPage endCursor }} edges {{ node {{ id {value} }} }}
      }} }}"""
    seen: list[str] = []
    values: list[Any] = []
    after = None
    while True:
        body = await graphql(query, {"after": after}, account=network)
        page = body["data"]["contacts"]
        for edge in page["edges"]:
            seen.append(edge["node"]["id"])
            found = edge["node"].get("lastInteractionAt", edge["node"].get("strength"))
            values.append(found["score"] if isinstance(found, dict) else found)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    total = await pool.fetchval(
        "select count(*) from contacts where user_id = $1 and archived_at is null", network.user.id
    )
    assert len(seen) == len(set(seen)) == total
    if order == "LAST_INTERACTION_DESC":
        contacted = [v for v in values if v is not None]
        assert values[: len(contacted)] == contacted, "a never-contacted contact came early"
        assert contacted == sorted(contacted, reverse=True)
        assert values.count(None) >= 9
    else:
        scores = [v or 0.0 for v in values]
        assert scores == sorted(scores, reverse=True)
        assert scores[-9:] == [0.0] * 9


async def test_nested_backward_pages_mirror_forward(graphql: GraphQL, network: Account) -> None:
    query = """query($id: ID!, $before: String) { contact(id: $id) {
      all: interactions(first: 50) { edges { cursor node { id } } }
      back: interactions(last: 2, before: $before) {
        pageInfo { hasPreviousPage hasNextPage } edges { node { id } }
      } } }"""
    listed = await graphql(
        "{ contacts(first: 1, orderBy: LAST_INTERACTION_DESC) { edges { node { id } } } }",
        account=network,
    )
    contact = listed["data"]["contacts"]["edges"][0]["node"]["id"]
    first = await graphql(query, {"id": contact, "before": None}, account=network)
    everything = first["data"]["contact"]["all"]["edges"]
    assert len(everything) >= 4, "the busiest contact has too few interactions for this test"
    body = await graphql(query, {"id": contact, "before": everything[3]["cursor"]}, account=network)
    back = body["data"]["contact"]["back"]
    assert [e["node"]["id"] for e in back["edges"]] == [e["node"]["id"] for e in everything[1:3]]
    assert back["pageInfo"] == {"hasPreviousPage": True, "hasNextPage": True}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("{ contacts(first: 101) { edges { cursor } } }", "first"),
        ("{ contacts(first: -1) { edges { cursor } } }", "first"),
        ('{ contacts(after: "not-a-cursor") { edges { cursor } } }', "after"),
        # `first` has a default, so `before` without `last` would be silently ignored
        ('{ contacts(before: "not-a-cursor") { edges { cursor } } }', "before"),
        (
            '{ contacts(first: 1) { edges { node { interests(before: "x") { totalCount } } } } }',
            "before",
        ),
        ("{ interactions(first: 500) { edges { cursor } } }", "first"),
        (
            "{ contacts(first: 1) { edges { node { interests(first: 101) { totalCount } } } } }",
            "first",
        ),
    ],
)
async def test_bad_page_arguments_are_bad_user_input(
    graphql: GraphQL, network: Account, query: str, field: str
) -> None:
    body = await graphql(query, account=network)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == field


async def test_a_cursor_from_another_order_is_refused(graphql: GraphQL, network: Account) -> None:
    by_name = await graphql("{ contacts(first: 1) { edges { cursor } } }", account=network)
    cursor = by_name["data"]["contacts"]["edges"][0]["cursor"]
    body = await graphql(
        "query($c: String) { contacts(after: $c, orderBy: CREATED_ASC) { edges { cursor } } }",
        {"c": cursor},
        account=network,
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_orders(graphql: GraphQL, network: Account) -> None:
    def names(body: dict[str, Any]) -> list[Any]:
        return [e["node"] for e in body["data"]["contacts"]["edges"]]

    by_name = names(
        await graphql("{ contacts(first: 100) { edges { node { fullName } } } }", account=network)
    )
    assert [n["fullName"].lower() for n in by_name] == sorted(
        n["fullName"].lower() for n in by_name
    )
    recent = names(
        await graphql(
            "{ contacts(first: 100, orderBy: LAST_INTERACTION_DESC) { edges { node { lastInteractionAt } } } }",
            account=network,
        )
    )
    stamps = [n["lastInteractionAt"] for n in recent]
    dated = [s for s in stamps if s is not None]
    assert dated == sorted(dated, reverse=True)
    assert stamps[: len(dated)] == dated, "never-contacted people sort last"


async def test_filters(graphql: GraphQL, network: Account, pool: asyncpg.Pool) -> None:
    row = await pool.fetchrow(
        "select full_name, company, tags from contacts where user_id = $1 and company is not null and tags <> '{}' limit 1",
        network.user.id,
    )
    query = "query($f: ContactFilter) { contacts(first: 100, filter: $f) { totalCount edges { node { fullName company tags } } } }"

    by_company = (
        await graphql(query, {"f": {"company": row["company"].upper()}}, account=network)
    )["data"]["contacts"]
    assert by_company["totalCount"] == len(by_company["edges"]) > 0
    assert all(e["node"]["company"] == row["company"] for e in by_company["edges"])

    part = row["full_name"].split()[-1][1:4].upper()
    searched = (await graphql(query, {"f": {"search": part}}, account=network))["data"]["contacts"][
        "edges"
    ]
    assert any(e["node"]["fullName"] == row["full_name"] for e in searched)

    tagged = (await graphql(query, {"f": {"tags": row["tags"]}}, account=network))["data"][
        "contacts"
    ]["edges"]
    assert tagged and all(set(row["tags"]) <= set(e["node"]["tags"]) for e in tagged)

    topic = await pool.fetchval(
        "select topic from interests where user_id = $1 limit 1", network.user.id
    )
    expected = await pool.fetchval(
        "select count(distinct contact_id) from interests i join contacts c on c.user_id = i.user_id and c.id = i.contact_id"
        " where i.user_id = $1 and i.topic = $2 and c.archived_at is null",
        network.user.id,
        topic,
    )
    interested = (await graphql(query, {"f": {"interestTopic": topic}}, account=network))["data"][
        "contacts"
    ]
    assert interested["totalCount"] == expected

    wildcard = (await graphql(query, {"f": {"search": "%"}}, account=network))["data"]["contacts"]
    assert wildcard["totalCount"] == 0, "LIKE wildcards in a search are literal"


async def test_archived_contacts_are_hidden_unless_asked(
    graphql: GraphQL, network: Account, pool: asyncpg.Pool
) -> None:
    await pool.execute(
        "update contacts set archived_at = now() where user_id = $1 and id = (select id from contacts where user_id = $1 limit 1)",
        network.user.id,
    )
    total = await pool.fetchval("select count(*) from contacts where user_id = $1", network.user.id)
    query = "query($all: Boolean!) { contacts(filter: {includeArchived: $all}) { totalCount } }"
    hidden = (await graphql(query, {"all": False}, account=network))["data"]["contacts"][
        "totalCount"
    ]
    shown = (await graphql(query, {"all": True}, account=network))["data"]["contacts"]["totalCount"]
    assert (hidden, shown) == (total - 1, total)


async def test_interactions_list_and_participants(graphql: GraphQL, network: Account) -> None:
    body = await graphql(
        """{ interactions(first: 30, filter: {types: [MEETING]}) { edges { node {
              type occurredAt participants { id fullName interactions(first: 3) { totalCount } } } } } }""",
        account=network,
    )
    assert "errors" not in body, body
    nodes = [e["node"] for e in body["data"]["interactions"]["edges"]]
    assert nodes and all(n["type"] == "MEETING" and n["participants"] for n in nodes)
    assert [n["occurredAt"] for n in nodes] == sorted(
        (n["occurredAt"] for n in nodes), reverse=True
    )
    one = nodes[0]["participants"][0]["id"]
    with_one = await graphql(
        "query($id: ID!) { interactions(first: 100, filter: {contactIds: [$id]}) { totalCount } }",
        {"id": one},
        account=network,
    )
    assert (
        with_one["data"]["interactions"]["totalCount"]
        == nodes[0]["participants"][0]["interactions"]["totalCount"]
    )


async def test_node_and_nodes_resolve_every_type(graphql: GraphQL, network: Account) -> None:
    body = await graphql(
        """{ contacts(first: 50) { edges { node { id
              interests(first: 1) { edges { node { id } } }
              memories(first: 1) { edges { node { id contact { id } } } }
              interactions(first: 1) { edges { node { id } } }
              connections(first: 1) { edges { relationship { id contactA { id } contactB { id } } } } } } } }""",
        account=network,
    )
    ids: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            ids.update(v for k, v in value.items() if k == "id")
            for v in value.values():
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)

    collect(body["data"])
    by_type: dict[str, list[str]] = {}
    for node_id in sorted(ids):
        parsed = parse_global_id(node_id)
        assert parsed is not None
        by_type.setdefault(parsed[0], []).append(node_id)
    assert set(by_type) == {"Contact", "Interest", "Memory", "Interaction", "Relationship"}
    sample = [node_id for same_type in by_type.values() for node_id in same_type[:10]]
    resolved = await graphql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }",
        {"ids": sample},
        account=network,
    )
    assert "errors" not in resolved
    assert [n["id"] for n in resolved["data"]["nodes"]] == sample
    assert [n["__typename"] for n in resolved["data"]["nodes"]] == [
        parse_global_id(i)[0] for i in sample
    ]  # type: ignore[index]


@pytest.mark.parametrize("bad_id", ["", "garbage", "Q29udGFjdDpub3QtYS11dWlk", "VXNlcjox"])
async def test_malformed_ids_are_not_found(graphql: GraphQL, network: Account, bad_id: str) -> None:
    for query in (
        "query($id: ID!) { node(id: $id) { id } }",
        "query($id: ID!) { contact(id: $id) { id } }",
    ):
        body = await graphql(query, {"id": bad_id}, account=network)
        assert error_codes(body) == ["NOT_FOUND"]
        assert list(body["data"].values()) == [None]
