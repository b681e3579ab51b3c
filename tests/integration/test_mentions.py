"""Mentions written with a memory or a document, in its transaction: Memory.mentions,
Contact.mentionedIn, unresolvedMentions; rewritten when the content changes, left
unresolved when the contact is deleted, never visible to another user."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.conftest import Account, GraphQL

CONTACT = """mutation($n: String!, $c: String) { createContact(input: {fullName: $n, company: $c}) {
  contact { id } } }"""
MEMORY = """mutation($t: String!) { createMemory(input: {content: $t}) {
  memory { id mentions { surface startOffset endOffset confidence method contact { fullName } } }
  errors { code } } }"""
MENTIONED = """query($id: ID!) { contact(id: $id) { mentionedIn(first: 10) { totalCount
  edges { node { surface memory { content } document { title } } } } } }"""
UNRESOLVED = (
    "{ unresolvedMentions(first: 10) { edges { node { surface method contact { id } } } } }"
)


async def ok(graphql: GraphQL, account: Account, query: str, **variables: Any) -> Any:
    body = await graphql(query, variables, account=account)
    assert "errors" not in body, body
    return body["data"]


async def test_mentions_are_linked_listed_and_kept_up_to_date(
    graphql: GraphQL, account: Account, make_account: Any, pool: asyncpg.Pool
) -> None:
    priya = (await ok(graphql, account, CONTACT, n="Priya Raman", c="Helio Grid"))["createContact"]
    priya_id = priya["contact"]["id"]
    await ok(graphql, account, CONTACT, n="Sam Patel", c="Acme")
    await ok(graphql, account, CONTACT, n="Sam Oduya", c="Brightline")

    text = "Priya from Helio Grid met Jonas Berg; Sam called too."
    memory = (await ok(graphql, account, MEMORY, t=text))["createMemory"]["memory"]
    mentions = [
        (m["surface"], m["method"], (m["contact"] or {}).get("fullName"))
        for m in memory["mentions"]
    ]
    assert mentions == [
        ("Priya", "FIRST_NAME_COMPANY", "Priya Raman"),
        ("Jonas Berg", "UNKNOWN", None),
        ("Sam", "UNKNOWN", None),  # two Sams: not guessed
    ]
    for m in memory["mentions"]:
        assert text[m["startOffset"] : m["endOffset"]] == m["surface"]

    await ok(
        graphql,
        account,
        """mutation { createDocument(input: {title: "Board prep", content: "Priya Raman presents the Q3 numbers."}) {
             errors { code } } }""",
    )
    found = (await ok(graphql, account, MENTIONED, id=priya_id))["contact"]["mentionedIn"]
    assert found["totalCount"] == 2
    assert {(e["node"]["memory"] or {}).get("content") or e["node"]["document"]["title"]
            for e in found["edges"]} == {text, "Board prep"}  # fmt: skip
    unresolved = (await ok(graphql, account, UNRESOLVED))["unresolvedMentions"]["edges"]
    assert sorted(e["node"]["surface"] for e in unresolved) == ["Jonas Berg", "Sam"]

    # a new text, new mentions
    update = """mutation($id: ID!, $t: String!) { updateMemory(id: $id, input: {content: $t}) {
      memory { mentions { surface contact { fullName } } } errors { code } } }"""
    data = await ok(graphql, account, update, id=memory["id"], t="Lunch with Sam from Acme.")
    assert data["updateMemory"]["memory"]["mentions"] == [
        {"surface": "Sam", "contact": {"fullName": "Sam Patel"}}
    ]
    assert (await ok(graphql, account, MENTIONED, id=priya_id))["contact"]["mentionedIn"][
        "totalCount"
    ] == 1

    # another user sees none of it
    other = await make_account()
    assert (await ok(graphql, other, UNRESOLVED))["unresolvedMentions"]["edges"] == []
    count = await pool.fetchval("select count(*) from mentions where user_id = $1", other.user.id)
    assert count == 0

    # deleting the contact leaves the mention, unresolved
    await ok(
        graphql,
        account,
        "mutation($id: ID!) { deleteContact(id: $id) { errors { code } } }",
        id=priya_id,
    )
    unresolved = (await ok(graphql, account, UNRESOLVED))["unresolvedMentions"]["edges"]
    assert "Priya Raman" in [e["node"]["surface"] for e in unresolved]
