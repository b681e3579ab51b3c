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


LOG = """mutation($input: LogInteractionInput!) { logInteraction(input: $input) {
  interaction { id mentions { surface field startOffset endOffset method contact { fullName } } }
  errors { code } } }"""
RESOLVE = """mutation($id: ID!, $c: ID!, $same: Boolean) {
  resolveMention(id: $id, contactId: $c, sameName: $same) {
    mentions { surface method confidence contact { fullName } memory { id } interaction { id } }
    contact { fullName } errors { code field } } }"""
FROM_MENTION = """mutation($id: ID!, $input: ContactFromMentionInput) {
  createContactFromMention(id: $id, input: $input) {
    mentions { surface method contact { fullName company } }
    contact { id fullName company } errors { code field } } }"""
UNRESOLVED_IDS = "{ unresolvedMentions(first: 50) { edges { node { id surface } } } }"


async def test_interactions_mentions_and_resolving_them_by_hand(
    graphql: GraphQL, account: Account, make_account: Any, pool: asyncpg.Pool
) -> None:
    lena = (await ok(graphql, account, CONTACT, n="Lena Okafor", c="Datawell"))["createContact"]
    lena_id = lena["contact"]["id"]
    await ok(graphql, account, CONTACT, n="Sam Patel", c="Acme")
    await ok(graphql, account, CONTACT, n="Sam Oduya", c="Brightline")

    # an interaction's subject, summary and content are each matched, offsets per field
    subject, summary = "Intro for Lena Okafor", "Sam will follow up."
    content = "Lena wants to meet Jonas Berg about Datawell's pilot."
    made = await ok(
        graphql,
        account,
        LOG,
        input={
            "participantIds": [lena_id],
            "type": "MEETING",
            "occurredAt": "2026-03-02T10:00:00Z",
            "subject": subject,
            "summary": summary,
            "content": content,
        },
    )
    mentions = made["logInteraction"]["interaction"]["mentions"]
    texts = {"subject": subject, "summary": summary, "content": content}
    assert [(m["field"], m["surface"], (m["contact"] or {}).get("fullName")) for m in mentions] == [
        ("subject", "Lena Okafor", "Lena Okafor"),
        ("summary", "Sam", None),
        ("content", "Lena", "Lena Okafor"),
        ("content", "Jonas Berg", None),
    ]
    for m in mentions:
        assert texts[m["field"]][m["startOffset"] : m["endOffset"]] == m["surface"]
    found = (await ok(graphql, account, MENTIONED, id=lena_id))["contact"]["mentionedIn"]
    assert found["totalCount"] == 2

    # Jonas Berg again, in a memory; and Sam, who is two people
    note = "Got the pilot contract from Jonas Berg. Sam liked it."
    memory = (await ok(graphql, account, MEMORY, t=note))["createMemory"]["memory"]
    unresolved = {
        (e["node"]["surface"], e["node"]["id"])
        for e in (await ok(graphql, account, UNRESOLVED_IDS))["unresolvedMentions"]["edges"]
    }
    jonas = sorted(i for s, i in unresolved if s == "Jonas Berg")
    sams = sorted(i for s, i in unresolved if s == "Sam")
    assert len(jonas) == 2 and len(sams) == 2

    # create Jonas from one mention: both of his mentions now name him
    made = (await ok(graphql, account, FROM_MENTION, id=jonas[0], input={"company": "Northwind"}))[
        "createContactFromMention"
    ]
    assert made["errors"] == []
    assert made["contact"]["fullName"] == "Jonas Berg"
    assert [(m["surface"], m["method"], m["contact"]["fullName"]) for m in made["mentions"]] == [
        ("Jonas Berg", "MANUAL", "Jonas Berg"),
        ("Jonas Berg", "MANUAL", "Jonas Berg"),
    ]
    jonas_id = made["contact"]["id"]
    # a second time: already linked, nothing written
    contacts_before = await pool.fetchval(
        "select count(*) from contacts where user_id = $1", account.user.id
    )
    again = (await ok(graphql, account, FROM_MENTION, id=jonas[1]))["createContactFromMention"]
    assert [e["code"] for e in again["errors"]] == ["CONFLICT"]
    assert again["contact"] is None
    assert contacts_before == await pool.fetchval(
        "select count(*) from contacts where user_id = $1", account.user.id
    )

    # resolve the memory's Sam (only that one: sameName defaults to false)
    in_memory = await ok(
        graphql,
        account,
        "query($id: ID!) { node(id: $id) { ... on Memory { mentions { id surface } } } }",
        id=memory["id"],
    )
    [memory_sam] = [m["id"] for m in in_memory["node"]["mentions"] if m["surface"] == "Sam"]
    [other_sam] = [i for i in sams if i != memory_sam]
    sam = (await ok(graphql, account, CONTACT, n="Sam Patel Jr"))["createContact"]["contact"]["id"]
    done = (await ok(graphql, account, RESOLVE, id=memory_sam, c=sam))["resolveMention"]
    assert done["errors"] == []
    assert [(m["method"], m["confidence"], m["memory"]) for m in done["mentions"]] == [
        ("MANUAL", 1.0, {"id": memory["id"]})
    ]
    assert done["contact"] == {"fullName": "Sam Patel Jr"}
    left = [e["node"]["surface"] for e in
            (await ok(graphql, account, UNRESOLVED_IDS))["unresolvedMentions"]["edges"]]  # fmt: skip
    assert left == ["Sam"]

    # hand-made links survive an edit of the memory's text
    update = """mutation($id: ID!, $t: String!) { updateMemory(id: $id, input: {content: $t}) {
      memory { mentions { surface method contact { fullName } } } errors { code } } }"""
    data = await ok(graphql, account, update, id=memory["id"], t="Sam and Jonas Berg signed.")
    assert data["updateMemory"]["memory"]["mentions"] == [
        {"surface": "Sam", "method": "MANUAL", "contact": {"fullName": "Sam Patel Jr"}},
        {"surface": "Jonas Berg", "method": "MANUAL", "contact": {"fullName": "Jonas Berg"}},
    ]
    sams = [other_sam, other_sam]

    # bad input: a mention or a contact that is not yours, an archived contact
    other = await make_account()
    foreign = (await ok(graphql, other, RESOLVE, id=sams[1], c=sam))["resolveMention"]
    assert [(e["code"], e["field"]) for e in foreign["errors"]] == [("NOT_FOUND", "id")]
    stranger = (await ok(graphql, other, CONTACT, n="Sam Stranger"))["createContact"]["contact"]
    across = (await ok(graphql, account, RESOLVE, id=sams[1], c=stranger["id"]))["resolveMention"]
    assert [(e["code"], e["field"]) for e in across["errors"]] == [("NOT_FOUND", "contactId")]
    await ok(
        graphql,
        account,
        "mutation($id: ID!) { archiveContact(id: $id) { errors { code } } }",
        id=jonas_id,
    )
    archived = (await ok(graphql, account, RESOLVE, id=sams[1], c=jonas_id))["resolveMention"]
    assert [e["code"] for e in archived["errors"]] == ["NOT_FOUND"]
    assert [e["node"]["surface"] for e in
            (await ok(graphql, account, UNRESOLVED_IDS))["unresolvedMentions"]["edges"]] == ["Sam"]  # fmt: skip
