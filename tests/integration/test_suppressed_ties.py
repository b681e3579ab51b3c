"""One truth for ties: after deleteRelationship every view agrees the pair is untied.

Connections, paths, mutual connections, network stats, node(id:) and the export all
read the stored relationship rows; a deleted one stays as a suppression, so a later
shared meeting does not tie the pair again. Crowds (over CROWD_LIMIT people) count
toward neither strength nor sharedInteractionCount.
"""

from __future__ import annotations

import io
from typing import Any

import networkx as nx
import pytest
from aiohttp.test_utils import TestClient

from graph_api.db.ties import CROWD_LIMIT
from tests.conftest import Account, GraphQL, error_codes

CREATE = "mutation($n: String!) { createContact(input: {fullName: $n}) { contact { id } } }"
LOG = """mutation($p: [ID!]!, $at: DateTime!) {
  logInteraction(input: {participantIds: $p, type: MEETING, occurredAt: $at}) { errors { code } } }"""
VIEWS = """query($a: ID!, $b: ID!) {
  networkStats { relationships }
  contact(id: $a) { connections(first: 10) { totalCount edges {
    node { id } relationship { id source strength sharedInteractionCount } } } }
  shortestPath(from: $a, to: $b) { length }
  mutualConnections(a: $a, b: $b) { count contacts { id } }
}"""


async def contacts(graphql: GraphQL, account: Account, *names: str) -> list[str]:
    ids = []
    for name in names:
        body = await graphql(CREATE, {"n": name}, account=account)
        ids.append(body["data"]["createContact"]["contact"]["id"])
    return ids


async def meet(graphql: GraphQL, account: Account, people: list[str], at: str) -> None:
    body = await graphql(LOG, {"p": people, "at": at}, account=account)
    assert body["data"]["logInteraction"]["errors"] == [], body


async def views(graphql: GraphQL, account: Account, a: str, b: str) -> dict[str, Any]:
    body = await graphql(VIEWS, {"a": a, "b": b}, account=account)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def connections_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        edge["node"]["id"]: edge["relationship"] for edge in data["contact"]["connections"]["edges"]
    }


async def exported_pairs(client: TestClient[Any, Any], account: Account) -> set[frozenset[str]]:
    response = await client.get("/graph/export?format=graphml", headers=account.headers)
    assert response.status == 200
    graph = nx.read_graphml(io.BytesIO(await response.read()))
    return {frozenset(edge) for edge in graph.edges}


async def test_a_deleted_tie_is_gone_from_every_view_and_stays_gone(
    graphql: GraphQL, account: Account, client: TestClient[Any, Any]
) -> None:
    ada, ben, cy = await contacts(graphql, account, "Ada", "Ben", "Cy")
    await meet(graphql, account, [ada, ben, cy], "2026-01-05T10:00:00Z")

    before = await views(graphql, account, ada, ben)
    assert before["networkStats"]["relationships"] == 3
    assert set(connections_of(before)) == {ben, cy}
    assert before["shortestPath"]["length"] == 1
    assert await exported_pairs(client, account) == {
        frozenset((ada, ben)),
        frozenset((ada, cy)),
        frozenset((ben, cy)),
    }
    tie = connections_of(before)[ben]["id"]

    body = await graphql(
        "mutation($id: ID!) { deleteRelationship(id: $id) { deletedId errors { code } } }",
        {"id": tie},
        account=account,
    )
    assert body["data"]["deleteRelationship"] == {"deletedId": tie, "errors": []}

    # a later meeting of the two does not tie them again
    await meet(graphql, account, [ada, ben], "2026-01-12T10:00:00Z")
    for after in (await views(graphql, account, ada, ben), await views(graphql, account, ben, ada)):
        assert after["networkStats"]["relationships"] == 2
        assert after["shortestPath"]["length"] == 2  # through Cy, not directly
        assert after["mutualConnections"]["count"] == 1
        assert [c["id"] for c in after["mutualConnections"]["contacts"]] == [cy]
    after = await views(graphql, account, ada, ben)
    assert set(connections_of(after)) == {cy}
    assert after["contact"]["connections"]["totalCount"] == 1
    assert await exported_pairs(client, account) == {frozenset((ada, cy)), frozenset((ben, cy))}
    node = await graphql("query($id: ID!) { node(id: $id) { id } }", {"id": tie}, account=account)
    assert node["data"]["node"] is None
    for mutation in (
        "mutation($id: ID!) { deleteRelationship(id: $id) { errors { code } } }",
        "mutation($id: ID!) { updateRelationship(id: $id, input: {type: FRIEND}) { errors { code } } }",
    ):
        body = await graphql(mutation, {"id": tie}, account=account)
        payload = next(iter(body["data"].values()))
        assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"], body

    # declaring the tie again brings it back, as a new relationship
    body = await graphql(
        """mutation($a: ID!, $b: ID!) { createRelationship(input: {contactAId: $a, contactBId: $b,
             type: FRIEND}) { relationship { id source sharedInteractionCount } errors { code } } }""",
        {"a": ada, "b": ben},
        account=account,
    )
    created = body["data"]["createRelationship"]
    assert created["errors"] == [], body
    assert created["relationship"]["id"] != tie
    assert created["relationship"]["source"] == "MANUAL"
    assert created["relationship"]["sharedInteractionCount"] == 2
    again = await views(graphql, account, ada, ben)
    assert again["networkStats"]["relationships"] == 3
    assert again["shortestPath"]["length"] == 1
    assert connections_of(again)[ben]["id"] == created["relationship"]["id"]
    assert len(await exported_pairs(client, account)) == 3


async def test_a_crowd_counts_toward_neither_strength_nor_shared_interactions(
    graphql: GraphQL, account: Account
) -> None:
    ada, ben = await contacts(graphql, account, "Ada", "Ben")
    await meet(graphql, account, [ada, ben], "2026-01-05T10:00:00Z")
    before = connections_of(await views(graphql, account, ada, ben))[ben]
    assert before["sharedInteractionCount"] == 1

    audience = await contacts(graphql, account, *(f"Guest {n}" for n in range(CROWD_LIMIT - 1)))
    await meet(graphql, account, [ada, ben, *audience], "2026-01-06T10:00:00Z")  # one too many
    crowd = connections_of(await views(graphql, account, ada, ben))[ben]
    assert crowd["sharedInteractionCount"] == 1
    assert crowd["strength"] == pytest.approx(before["strength"], abs=1e-6)

    await meet(graphql, account, [ada, ben, *audience[:-1]], "2026-01-07T10:00:00Z")  # the limit
    small = connections_of(await views(graphql, account, ada, ben))[ben]
    assert small["sharedInteractionCount"] == 2
    assert small["strength"] > crowd["strength"]


async def test_another_users_suppression_is_theirs_alone(
    graphql: GraphQL, account: Account, make_account: Any
) -> None:
    other = await make_account("Other")
    mine = await contacts(graphql, account, "Ada", "Ben")
    await meet(graphql, account, mine, "2026-01-05T10:00:00Z")
    tie = connections_of(await views(graphql, account, *mine))[mine[1]]["id"]
    body = await graphql(
        "mutation($id: ID!) { deleteRelationship(id: $id) { errors { code } } }",
        {"id": tie},
        account=other,
    )
    assert error_codes(body) == [] and [
        e["code"] for e in body["data"]["deleteRelationship"]["errors"]
    ] == ["NOT_FOUND"]
    assert set(connections_of(await views(graphql, account, *mine))) == {mine[1]}


async def test_merging_keeps_the_primarys_suppression(graphql: GraphQL, account: Account) -> None:
    primary, duplicate, cy = await contacts(graphql, account, "Ada", "A. Lovelace", "Cy")
    await meet(graphql, account, [primary, cy], "2026-01-05T10:00:00Z")
    await meet(graphql, account, [duplicate, cy], "2026-01-06T10:00:00Z")
    tie = connections_of(await views(graphql, account, primary, cy))[cy]["id"]
    await graphql(
        "mutation($id: ID!) { deleteRelationship(id: $id) { errors { code } } }",
        {"id": tie},
        account=account,
    )
    body = await graphql(
        "mutation($p: ID!, $d: [ID!]!) { mergeContacts(primaryId: $p, duplicateIds: $d) { errors { code } } }",
        {"p": primary, "d": [duplicate]},
        account=account,
    )
    assert body["data"]["mergeContacts"]["errors"] == [], body
    merged = await views(graphql, account, primary, cy)
    assert connections_of(merged) == {}
    assert merged["networkStats"]["relationships"] == 0
    assert merged["shortestPath"] is None
