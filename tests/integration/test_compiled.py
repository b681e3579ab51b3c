"""Compiled plans answer exactly as graphql-core does: byte-identical JSON, data and
errors, for every query in the README and the documents below, on one database."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
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
    for _ in range(300):
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
    endpoint = client.app[GRAPHQL_ENDPOINT]
    answers = []
    for compiled in (False, True):
        endpoint.compiled = compiled
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=account.headers
        )
        answers.append((response.status, await response.read()))
    endpoint.compiled = True
    document = endpoint.documents.prepare(query)
    [operation] = [
        d for d in document.document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    planned = document.plan(endpoint.documents.schema, operation) is not None
    assert answers[0][0] == answers[1][0]
    return answers[0][1], answers[1][1], planned


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
    client: TestClient[Any, Any], network: tuple[Account, dict[str, str]]
) -> None:
    account, values = network
    for name in ("nested", "flat", "by-id", "aliases-and-fragments", "merged-fields"):
        query, variables = DOCUMENTS[name]
        variables = {k: values.get(v, v) if isinstance(v, str) else v for k, v in variables.items()}
        _, compiled, planned = await both_ways(client, account, query, variables)
        assert planned, f"{name} ran on graphql-core"
        assert b'"errors"' not in compiled, compiled[:300]
    # what the plans do not cover falls back
    for name in ("nodes, abstract", "skip directive"):
        query, variables = DOCUMENTS[name]
        variables = {k: values.get(v, v) if isinstance(v, str) else v for k, v in variables.items()}
        *_, planned = await both_ways(client, account, query, variables)
        assert not planned, f"{name} should run on graphql-core"
