"""Compiled plans answer exactly as graphql-core does: byte-identical JSON, data and
errors, for every query in the README and the documents below, on one database."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import orjson
import pytest
from aiohttp.test_utils import TestClient
from graphql import OperationDefinitionNode, parse

from graph_api.app import SEARCH
from graph_api.keys import GRAPHQL_ENDPOINT
from graph_api.seed import seed_network
from graph_api.types.node import global_id
from tests.conftest import Account

README = Path(__file__).resolve().parents[2] / "README.md"
README_QUERIES = [
    example
    for example in re.findall(
        r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S
    )
    if not example.lstrip().startswith("mutation")
]

NESTED = """
query Nested($first: Int!) {
  contacts(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id fullName company tags lastInteractionAt archived __typename
      interests(first: 5) { edges { node { topic confidence } } }
      connections(first: 5) { totalCount edges {
        cursor
        relationship { type source strength manualStrength sharedInteractionCount }
        node { fullName interests(first: 5) { totalCount edges { node { category topic } } } }
      } }
    } }
  }
}
"""

DOCUMENTS = {
    "nested": (NESTED, {"first": 20}),
    # benchmarks/postgraphile.py's nested shape
    "nested, as benchmarked": ("""{ contacts(first: 20, orderBy: LAST_INTERACTION_DESC) { edges { node {
        id fullName company connections(first: 5) { edges { relationship { type strength }
          node { id fullName interests(first: 5) { edges { node { category topic confidence } } } } } } } } } }""", {}),
    "flat": ("{ contacts(first: 100) { edges { node { id fullName email company jobTitle location } } } }", {}),
    "by-id": ("query($id: ID!) { contact(id: $id) { fullName interests(first: 5) { edges { node { topic } } } } }", {"id": "$contact"}),
    "aliases-and-fragments": (
        """query { a: contacts(first: 3) { ...Page } b: contacts(first: 2, orderBy: NAME_DESC) { ...Page }
           me { email } }
           fragment Page on ContactConnection { edges { node { ...on Contact { fullName } ...Who } } }
           fragment Who on Contact { id fullName company }""",
        {},
    ),
    "merged-fields": (
        "{ contacts(first: 3) { edges { node { fullName } } edges { cursor node { company } } } }",
        {},
    ),
    "strength": ("{ contacts(first: 5, orderBy: STRENGTH_DESC) { edges { node { fullName strength { score recency frequency reciprocity interactionCount } } } } }", {}),
    "an error in a nullable field": ('{ contact(id: "not-an-id") { fullName } me { email } }', {}),
    "an error in a non-null field nulls the parent": ('{ me { email } contacts(first: 500) { totalCount } }', {}),
    "a variable that does not coerce": ("query($n: Int!) { contacts(first: $n) { totalCount } }", {"n": "x"}),
    "a missing variable": ("query($n: Int!) { contacts(first: $n) { totalCount } }", {}),
    "a default variable": ("query($n: Int = 2) { contacts(first: $n) { edges { node { fullName } } } }", {}),
    "nodes, abstract": ("query($id: ID!) { node(id: $id) { id ... on Contact { fullName } } }", {"id": "$contact"}),
    "interactions": ("{ interactions(first: 5) { edges { node { type occurredAt subject participants { fullName } } } } }", {}),
    "memories nested": ("{ contacts(first: 5) { edges { node { memories(first: 2) { totalCount edges { node { title } } } } } } }", {}),
    "a null for an argument with a default": ('query($id: ID = "x") { contact(id: $id) { fullName } me { email } }', {"id": None}),
    "a connection of 48 aliases": ("query($id: ID!) { contact(id: $id) { interests { totalCount "
        + " ".join(f"t{i}: __typename" for i in range(48)) + " } } }", {"id": "$contact"}),
    "skip directive": ("query($s: Boolean!) { me { email @skip(if: $s) fullName } }", {"s": True}),
}  # fmt: skip

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
async def network(
    pool: asyncpg.Pool, account: Account, client: TestClient[Any, Any]
) -> tuple[Account, dict[str, str]]:
    async with pool.acquire() as conn:
        await seed_network(conn, account.user.id, 60, 11, NOW)
    # searches must not change between the two paths' answers: the seeded memories
    # embedded first (the background embedder, woken for this user)
    client.app[SEARCH].pending.wake(pending_of=account.user.id)
    # a bound for a stuck embedder, not a speed target: a loaded 2-core machine takes
    # well over 30 s for the seeded interactions and memories
    for _ in range(1800):
        pending = await pool.fetchval(
            "select count(*) from memories where user_id = $1 and embedding is null",
            account.user.id,
        )
        if pending == 0:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the seeded memories were not embedded")
    async with pool.acquire() as conn:
        contacts = await conn.fetch(
            "select id from contacts where user_id = $1 order by full_name, id limit 3",
            account.user.id,
        )
        memory = await conn.fetchval(
            "select id from memories where user_id = $1 order by id limit 1", account.user.id
        )
    ids = [global_id("Contact", row["id"]) for row in contacts]
    values = {
        "$contact": ids[0],
        "$other": ids[1],
        "$memory": global_id("Memory", memory) if memory else ids[2],
    }
    return account, values


async def both_ways(
    client: TestClient[Any, Any], account: Account, query: str, variables: dict[str, Any]
) -> tuple[bytes, bytes, bool]:
    """graphql-core's answer, and the compiled one (the same from the Python plan and
    from the SQL plan, checked here), and whether a plan covered the operation."""
    endpoint = client.app[GRAPHQL_ENDPOINT]
    answers = []
    for compiled, sql in ((False, False), (True, False), (True, True)):
        endpoint.compiled, endpoint.compiled_sql = compiled, sql
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=account.headers
        )
        answers.append((response.status, await response.read()))
    endpoint.compiled = endpoint.compiled_sql = True
    document = endpoint.documents.prepare(query)
    [operation] = [
        d for d in document.document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    planned = document.plan(endpoint.documents.schema, operation) is not None
    assert answers[0][0] == answers[1][0] == answers[2][0]
    assert answers[2][1] == answers[1][1], "the SQL plan and the Python plan differ"
    return answers[0][1], answers[2][1], planned


def readme_variables(query: str, values: dict[str, str]) -> dict[str, Any]:
    variables: dict[str, Any] = {}
    [operation] = [d for d in parse(query).definitions if isinstance(d, OperationDefinitionNode)]
    for i, definition in enumerate(operation.variable_definitions or ()):
        name, kind = definition.variable.name.value, str(definition.type.to_dict())
        if "ID" in kind and "ListType" in kind:
            variables[name] = [values["$contact"], values["$other"]]
        elif "ID" in kind:
            variables[name] = (
                values["$memory"]
                if name == "memory"
                else [values["$contact"], values["$other"]][i % 2]
            )
        elif "Int" in kind:
            variables[name] = 3
    return variables


@pytest.mark.parametrize("name", list(DOCUMENTS))
async def test_compiled_and_generic_answers_are_identical(
    client: TestClient[Any, Any], network: tuple[Account, dict[str, str]], name: str
) -> None:
    account, values = network
    query, variables = DOCUMENTS[name]
    variables = {k: values.get(v, v) if isinstance(v, str) else v for k, v in variables.items()}
    generic, compiled, _ = await both_ways(client, account, query, variables)
    assert compiled == generic


@pytest.mark.parametrize("index", range(len(README_QUERIES)))
async def test_readme_queries_answer_identically(
    client: TestClient[Any, Any], network: tuple[Account, dict[str, str]], index: int
) -> None:
    account, values = network
    query = README_QUERIES[index]
    generic, compiled, _ = await both_ways(client, account, query, readme_variables(query, values))
    assert compiled == generic


async def test_the_hot_shapes_are_compiled(
    client: TestClient[Any, Any],
    network: tuple[Account, dict[str, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    account, values = network
    caplog.set_level(logging.DEBUG, logger="graph_api.sql")
    for name in ("nested", "flat", "by-id", "aliases-and-fragments", "merged-fields"):
        query, variables = DOCUMENTS[name]
        variables = {k: values.get(v, v) if isinstance(v, str) else v for k, v in variables.items()}
        _, compiled, planned = await both_ways(client, account, query, variables)
        assert planned, f"{name} ran on graphql-core"
        assert b'"errors"' not in compiled, compiled[:300]
    # the three benchmark shapes, compiled to SQL: one statement per phase
    for name, expected in (
        ("flat", ["contacts_page_json"]),
        ("by-id", ["contact_json"]),
        (
            "nested, as benchmarked",
            ["contacts_page_json", "graph_version", "contact_connections_json"],
        ),
    ):
        query, variables = DOCUMENTS[name]
        variables = {k: values.get(v, v) if isinstance(v, str) else v for k, v in variables.items()}
        caplog.clear()
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=account.headers
        )
        assert response.status == 200
        statements = [
            r.statement  # type: ignore[attr-defined]
            for r in caplog.records
            if r.name == "graph_api.sql" and r.statement not in ("touch_token", "viewer_by_token")  # type: ignore[attr-defined]
        ]
        assert statements == expected, name
    # what the plans do not cover falls back
    for name in ("nodes, abstract", "skip directive"):
        query, variables = DOCUMENTS[name]
        variables = {k: values.get(v, v) if isinstance(v, str) else v for k, v in variables.items()}
        *_, planned = await both_ways(client, account, query, variables)
        assert not planned, f"{name} should run on graphql-core"


# documents the SQL plan (graph_api/execution/sql.py) answers, each field it maps,
# and requests whose values send it back to the Python plan
SQL_DOCUMENTS = {
    "every contact field": ("""{ contacts(first: 12, orderBy: CREATED_ASC) { __typename totalCount
        pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
        edges { __typename cursor node { __typename id fullName email phone company jobTitle
          location bio tags notes source archived archivedAt lastInteractionAt createdAt updatedAt } } } }""", {}),
    "every interest field": ("""query($id: ID!) { contact(id: $id) { id interests(first: 3) { ...I } }
        oldest: contacts(first: 1, orderBy: CREATED_ASC) { edges { node { fullName interests { ...I } } } } }
        fragment I on InterestConnection { __typename totalCount edges { __typename node { __typename
          id category topic confidence evidenceCount firstDetectedAt lastReinforcedAt } } }""", {"id": "$contact"}),
    "every connection field": ("""{ contacts(first: 6, orderBy: NAME_ASC) { edges { node { fullName
        connections(first: 3) { __typename totalCount
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { __typename cursor
            relationship { __typename id type source manualStrength strength detectedAt createdAt updatedAt }
            node { id fullName interests(first: 2) { edges { node { topic } } } } } } } } } }""", {}),
    "backwards from the end": ("{ contacts(last: 4, orderBy: NAME_DESC) { pageInfo { hasNextPage hasPreviousPage } edges { cursor node { fullName } } } }", {}),
    "filters": ('{ contacts(first: 40, filter: {search: "a", includeArchived: true}) { totalCount edges { node { fullName archived archivedAt } } } }', {}),
    "tags filter": ('{ contacts(first: 10, filter: {tags: ["VIP", "investor"]}) { totalCount edges { node { fullName tags } } } }', {}),
    "by strength, at least": ("{ contacts(first: 5, orderBy: STRENGTH_DESC, filter: {minStrength: 0.05}) { totalCount edges { node { fullName } } } }", {}),
    "connections through variables": ("""query($id: ID!, $n: Int!, $m: Float) { contact(id: $id) {
        connections(first: $n, minStrength: $m) { edges { relationship { strength } node { fullName } } }
        again: connections(last: 2) { edges { cursor node { id } } } } }""", {"id": "$contact", "n": 4, "m": 0.01}),
    "several roots": ("""query($id: ID!) { __typename one: contact(id: $id) { fullName }
        page: contacts(first: 2) { edges { node { ...F } } } }
        fragment F on Contact { id ... on Contact { company } }""", {"id": "$contact"}),
    "no edges selected": ("{ contacts(first: 3) { totalCount pageInfo { endCursor } } }", {}),
    "zero interests": ("query($id: ID!) { contact(id: $id) { interests(first: 0) { totalCount edges { node { topic } } } } }", {"id": "$contact"}),
    # back to the Python plan, with its errors
    "an interests page too large": ("query($id: ID!) { contact(id: $id) { interests(first: 500) { edges { node { topic } } } } }", {"id": "$contact"}),
    "a count under a bad page size": ("{ contacts(first: 1) { edges { node { interests(first: 101) { totalCount } } } } }", {}),
    "an unknown contact": ('{ contact(id: "Q29udGFjdDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA=") { fullName } }', {}),
    "a malformed cursor": ('{ contacts(first: 2, after: "nope") { edges { node { fullName } } } }', {}),
    "connections out of range": ("query($id: ID!) { contact(id: $id) { connections(minStrength: 2) { totalCount } } }", {"id": "$contact"}),
    "a bad filter": ('{ contacts(first: 2, filter: {tags: [""]}) { totalCount } }', {}),
}  # fmt: skip

SQL_STATEMENTS = {"contacts_page_json", "contact_json", "contact_connections_json"}
BAILS = {
    "an interests page too large",
    "a count under a bad page size",
    "an unknown contact",
    "a malformed cursor",
    "connections out of range",
    "a bad filter",
}


@pytest.mark.parametrize("name", list(SQL_DOCUMENTS))
async def test_the_sql_plan_answers_as_graphql_core_does(
    client: TestClient[Any, Any],
    network: tuple[Account, dict[str, str]],
    pool: asyncpg.Pool,
    caplog: pytest.LogCaptureFixture,
    name: str,
) -> None:
    account, values = network
    # text JSON must escape, and timestamps with and without microseconds
    zoe = await pool.fetchval(
        """insert into contacts (user_id, full_name, email, bio, tags, created_at, updated_at,
                                 last_interaction_at)
           values ($1, E'Zoë \\"Q\\" \\\\ back\\nslash 😀', 'zoe@example.com', E'tab\\there', '{VIP,"a,b"}',
                   '2000-01-02 03:04:05+00', '2026-01-02 03:04:05.12+00',
                   '2026-03-04 05:06:07.000001+00') returning id""",
        account.user.id,
    )
    await pool.execute(
        "insert into interests (user_id, contact_id, category, topic, confidence)"
        " values ($1, $2, 'food', 'ramen', 0.1234567890123), ($1, $2, 'food', 'sushi', 1.0),"
        " ($1, $2, 'food', 'tea', 0.0)",
        account.user.id,
        zoe,
    )
    # whole numbers are floats still: 1.0, not 1
    await pool.execute(
        "update relationships set manual_strength = (abs(hashtext(id::text)) % 2)::float8"
        " where user_id = $1",
        account.user.id,
    )
    query, variables = SQL_DOCUMENTS[name]
    variables = {k: values.get(v, v) if isinstance(v, str) else v for k, v in variables.items()}
    caplog.set_level(logging.DEBUG, logger="graph_api.sql")
    caplog.set_level(logging.DEBUG, logger="graph_api.execution")
    generic, compiled, planned = await both_ways(client, account, query, variables)
    assert planned
    assert not [r for r in caplog.records if r.name == "graph_api.execution"], "the SQL plan failed"
    assert compiled == generic
    if name not in BAILS:  # (a bail may have run its statement: `contact` found nothing)
        assert any(getattr(r, "statement", None) in SQL_STATEMENTS for r in caplog.records)
        assert b'"errors"' not in compiled, compiled[:500]


async def test_the_sql_plan_walks_pages_as_graphql_core_does(
    client: TestClient[Any, Any], network: tuple[Account, dict[str, str]]
) -> None:
    account, _ = network
    query = """query($after: String, $before: String, $first: Int, $last: Int) {
        contacts(first: $first, after: $after, last: $last, before: $before, orderBy: LAST_INTERACTION_DESC) {
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { fullName lastInteractionAt } } } }"""
    after: str | None = None
    pages = 0
    while True:
        generic, compiled, _ = await both_ways(
            client, account, query, {"first": 25, "after": after}
        )
        assert compiled == generic
        info = orjson.loads(compiled)["data"]["contacts"]["pageInfo"]
        pages += 1
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert pages >= 3  # 60 contacts: never-contacted ones included
    generic, compiled, _ = await both_ways(client, account, query, {"last": 10, "before": after})
    assert compiled == generic
