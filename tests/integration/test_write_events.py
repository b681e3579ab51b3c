"""Writes beyond the single-row mutations announce what they changed, as they commit,
to subscribers on another process, and only to their own user's: a contact import
(contacts created and filled in, "connected on" interactions), a document, a merge (the
ties moved onto the primary, those gone with a duplicate), the ties a meeting reveals."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import Account

# with the fixtures `second` (another app on the database) and `connect`
from tests.integration.test_subscriptions import Socket, connect, create, post, second  # noqa: F401

CONTACTS = "subscription { contactChanged { kind contactId contact { fullName company } } }"
TIES = (
    "subscription ($c: ID) { relationshipChanged(contactId: $c) { kind relationshipId "
    "relationship { source contactA { id } contactB { id } } } }"
)
MET = "subscription { interactionLogged { interaction { subject participants { fullName } } } }"
DOCUMENTS = (
    "subscription ($c: ID) { documentAdded(contactId: $c) { documentId "
    "document { title contacts { fullName } } } }"
)

IMPORT = """mutation ($input: ImportContactsInput!) {
  importContacts(input: $input) { report { createdCount updatedCount } errors { code } }
}"""
LINKEDIN = """First Name,Last Name,URL,Email Address,Company,Position,Connected On
Priya,Raman,https://www.linkedin.com/in/priyaraman,priya@solarbloom.example,SolarBloom,Founder,15 Mar 2023
Ada,Lovelace,https://www.linkedin.com/in/ada,ada@engines.example,Analytical Engines,Analyst,02 Jan 2024
"""


async def subscribed(
    socket: Socket, account: Account, *subscriptions: tuple[str, str, Any]
) -> None:
    await socket.init(account)
    for id, query, variables in subscriptions:
        await socket.subscribe(query, variables, id=id)
    await asyncio.sleep(0.2)  # subscribed before the write


async def events_of(socket: Socket, count: int) -> dict[str, list[dict[str, Any]]]:
    """The next `count` events, by subscription id (their order across ids is free)."""
    received: dict[str, list[dict[str, Any]]] = {}
    for _ in range(count):
        message = await socket.receive()
        assert message["type"] == "next", message
        received.setdefault(message["id"], []).append(message["payload"]["data"])
    return received


async def test_an_import_announces_its_contacts_and_interactions(
    client: TestClient[Any, Any],
    second: TestClient[Any, Any],  # noqa: F811
    connect: Callable[..., Awaitable[Socket]],  # noqa: F811
    make_account: Callable[[], Awaitable[Account]],
) -> None:
    alice, bob = await make_account(), await make_account()
    # Ada is there already without a company: the import fills it in
    ada = await create(client, alice, "Ada Lovelace")
    await post(
        client, alice,
        'mutation ($id: ID!) { updateContact(id: $id, input: {email: "ada@engines.example"}) { errors { code } } }',
        id=ada,
    )  # fmt: skip
    socket, other = await connect(second), await connect(second)
    await subscribed(socket, alice, ("contacts", CONTACTS, None), ("met", MET, None))
    await subscribed(other, bob, ("contacts", CONTACTS, None), ("met", MET, None))

    data = await post(client, alice, IMPORT, input={"format": "LINKEDIN_CSV", "data": LINKEDIN})
    assert data["importContacts"]["report"] == {"createdCount": 1, "updatedCount": 1}

    received = await events_of(socket, 4)
    changes = {
        (e["contactChanged"]["kind"], e["contactChanged"]["contact"]["fullName"])
        for e in received["contacts"]
    }
    assert changes == {("CREATED", "Priya Raman"), ("UPDATED", "Ada Lovelace")}
    updated = next(e for e in received["contacts"] if e["contactChanged"]["contactId"] == ada)
    assert updated["contactChanged"]["contact"]["company"] == "Analytical Engines"
    assert sorted(
        e["interactionLogged"]["interaction"]["participants"][0]["fullName"]
        for e in received["met"]
    ) == ["Ada Lovelace", "Priya Raman"]
    await socket.nothing()
    await other.nothing()  # never another tenant's

    # a dry run writes nothing and announces nothing
    await post(
        client, alice, IMPORT, input={"format": "LINKEDIN_CSV", "data": LINKEDIN, "dryRun": True}
    )
    await socket.nothing()


async def test_a_document_is_announced_to_the_subscribers_of_its_contacts(
    client: TestClient[Any, Any],
    second: TestClient[Any, Any],  # noqa: F811
    connect: Callable[..., Awaitable[Socket]],  # noqa: F811
    make_account: Callable[[], Awaitable[Account]],
) -> None:
    alice, bob = await make_account(), await make_account()
    ada, grace = await create(client, alice, "Ada"), await create(client, alice, "Grace")
    socket, other = await connect(second), await connect(second)
    await subscribed(
        socket, alice, ("ada", DOCUMENTS, {"c": ada}), ("grace", DOCUMENTS, {"c": grace})
    )
    await subscribed(other, bob, ("all", DOCUMENTS, None))

    created = await post(
        client, alice,
        "mutation ($c: [ID!]) { createDocument(input: {title: \"Engines\", content: \"Notes on the engine.\", contactIds: $c}) { document { id } errors { code } } }",
        c=[ada],
    )  # fmt: skip
    document_id = created["createDocument"]["document"]["id"]
    event = await socket.next("ada")
    assert event["data"]["documentAdded"] == {
        "documentId": document_id,
        "document": {"title": "Engines", "contacts": [{"fullName": "Ada"}]},
    }
    await socket.nothing()  # not Grace's
    await other.nothing()  # nor Bob's


async def test_a_merge_announces_the_ties_it_moved_and_those_gone(
    client: TestClient[Any, Any],
    second: TestClient[Any, Any],  # noqa: F811
    connect: Callable[..., Awaitable[Socket]],  # noqa: F811
    make_account: Callable[[], Awaitable[Account]],
) -> None:
    alice, bob = await make_account(), await make_account()
    primary, duplicate, friend, both = [
        await create(client, alice, name) for name in ("Ada", "Ada L.", "Friend", "Both")
    ]
    tie = "mutation ($x: ID!, $y: ID!) { createRelationship(input: {contactAId: $x, contactBId: $y}) { relationship { id } } }"
    moved = (await post(client, alice, tie, x=duplicate, y=friend))["createRelationship"]
    kept = (await post(client, alice, tie, x=primary, y=both))["createRelationship"]
    gone = (await post(client, alice, tie, x=duplicate, y=both))["createRelationship"]
    between = (await post(client, alice, tie, x=primary, y=duplicate))["createRelationship"]

    socket, other = await connect(second), await connect(second)
    await subscribed(socket, alice, ("ties", TIES, None), ("contacts", CONTACTS, None))
    await subscribed(other, bob, ("ties", TIES, None))
    await post(
        client, alice,
        "mutation ($p: ID!, $d: [ID!]!) { mergeContacts(primaryId: $p, duplicateIds: $d) { errors { code } } }",
        p=primary, d=[duplicate],
    )  # fmt: skip

    received = await events_of(socket, 6)
    assert sorted(e["contactChanged"]["kind"] for e in received["contacts"]) == [
        "DELETED",
        "MERGED",
    ]
    ties = {
        e["relationshipChanged"]["relationshipId"]: e["relationshipChanged"]
        for e in received["ties"]
    }
    # the duplicate's tie to Friend is the primary's now, and the primary's own tie to
    # Both took over the duplicate's (updated); the duplicate's tie to Both and the tie
    # between the two went with the duplicate
    by_kind = {
        kind: {i for i, e in ties.items() if e["kind"] == kind} for kind in ("UPDATED", "DELETED")
    }
    assert by_kind == {
        "UPDATED": {moved["relationship"]["id"], kept["relationship"]["id"]},
        "DELETED": {gone["relationship"]["id"], between["relationship"]["id"]},
    }
    now = ties[moved["relationship"]["id"]]["relationship"]
    assert {now["contactA"]["id"], now["contactB"]["id"]} == {primary, friend}
    assert ties[gone["relationship"]["id"]]["relationship"] is None
    await socket.nothing()
    await other.nothing()


async def test_the_ties_a_meeting_reveals_are_announced(
    client: TestClient[Any, Any],
    second: TestClient[Any, Any],  # noqa: F811
    connect: Callable[..., Awaitable[Socket]],  # noqa: F811
    make_account: Callable[[], Awaitable[Account]],
) -> None:
    alice, bob = await make_account(), await make_account()
    a, b, c = [await create(client, alice, name) for name in ("A", "B", "C")]
    socket, other = await connect(second), await connect(second)
    await subscribed(socket, alice, ("ties", TIES, {"c": a}), ("met", MET, None))
    await subscribed(other, bob, ("ties", TIES, None))

    log = """mutation ($p: [ID!]!) { logInteraction(input: {participantIds: $p, type: MEETING,
      occurredAt: "2026-01-05T10:00:00Z", subject: "Planning"}) { errors { code } } }"""
    await post(client, alice, log, p=[a, b, c])
    received = await events_of(socket, 3)
    assert received["met"][0]["interactionLogged"]["interaction"]["subject"] == "Planning"
    # A's two new ties (B–C is not A's: the filtered subscription does not hear it)
    ends = sorted(
        sorted(
            [e["relationshipChanged"]["relationship"]["contactA"]["id"],
             e["relationshipChanged"]["relationship"]["contactB"]["id"]]
        )
        for e in received["ties"]
    )  # fmt: skip
    assert ends == sorted([sorted([a, b]), sorted([a, c])])
    assert {e["relationshipChanged"]["kind"] for e in received["ties"]} == {"CREATED"}
    assert {e["relationshipChanged"]["relationship"]["source"] for e in received["ties"]} == {
        "INFERRED"
    }
    await socket.nothing()
    await other.nothing()

    # the same people meeting again reveal nothing new
    await post(client, alice, log, p=[a, b, c])
    assert "met" in await events_of(socket, 1)
    await socket.nothing()
