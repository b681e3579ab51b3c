"""Every mutation through GraphQL: the happy path, bad input, and the audit row."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.conftest import Account, GraphQL, error_codes

CONTACT_FIELDS = "id fullName email company tags archived lastInteractionAt"


async def create_contact(graphql: GraphQL, account: Account, **fields: Any) -> dict[str, Any]:
    body = await graphql(
        f"mutation($input: CreateContactInput!) {{ createContact(input: $input) {{ contact {{ {CONTACT_FIELDS} }} errors {{ code field message }} }} }}",
        {"input": {"fullName": "Ada Lovelace", **fields}},
        account=account,
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["createContact"]
    assert payload["errors"] == [], payload
    return payload["contact"]


async def audit_operations(pool: asyncpg.Pool, account: Account) -> list[str]:
    rows = await pool.fetch(
        "select operation from audit_log where user_id = $1 order by id", account.user.id
    )
    return [row["operation"] for row in rows]


async def test_create_update_archive_restore_delete_contact(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    contact = await create_contact(
        graphql, account, email="ADA@Example.com", tags=["Math", "math", " poet "]
    )
    assert contact["email"] == "ada@example.com"
    assert sorted(contact["tags"]) == ["math", "poet"]

    updated = await graphql(
        'mutation($id: ID!) { updateContact(id: $id, input: {company: "Analytical Engines", email: null}) { contact { fullName email company } errors { code } } }',
        {"id": contact["id"]},
        account=account,
    )
    assert updated["data"]["updateContact"] == {
        "contact": {"fullName": "Ada Lovelace", "email": None, "company": "Analytical Engines"},
        "errors": [],
    }

    archived = await graphql(
        "mutation($id: ID!) { archiveContact(id: $id) { contact { archived } } }",
        {"id": contact["id"]},
        account=account,
    )
    assert archived["data"]["archiveContact"]["contact"]["archived"] is True
    listed = await graphql("{ contacts { totalCount } }", account=account)
    assert listed["data"]["contacts"]["totalCount"] == 0
    restored = await graphql(
        "mutation($id: ID!) { restoreContact(id: $id) { contact { archived } } }",
        {"id": contact["id"]},
        account=account,
    )
    assert restored["data"]["restoreContact"]["contact"]["archived"] is False

    deleted = await graphql(
        "mutation($id: ID!) { deleteContact(id: $id) { deletedId errors { code } } }",
        {"id": contact["id"]},
        account=account,
    )
    assert deleted["data"]["deleteContact"] == {"deletedId": contact["id"], "errors": []}
    gone = await graphql(
        "query($id: ID!) { contact(id: $id) { id } }", {"id": contact["id"]}, account=account
    )
    assert error_codes(gone) == ["NOT_FOUND"]
    assert await audit_operations(pool, account) == [
        "create_contact", "update_contact", "archive_contact", "restore_contact", "delete_contact",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"fullName": ""}, "fullName"),
        ({"fullName": "x" * 201}, "fullName"),
        ({"email": "not-an-email"}, "email"),
        ({"tags": ["t" * 51]}, "tags"),
        ({"bio": "b" * 5001}, "bio"),
    ],
)
async def test_create_contact_validates(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool, fields: dict[str, Any], field: str
) -> None:
    body = await graphql(
        "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } errors { code field message } } }",
        {"input": {"fullName": "Valid Name", **fields}},
        account=account,
    )
    payload = body["data"]["createContact"]
    assert payload["contact"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("BAD_USER_INPUT", field)]
    assert (
        await pool.fetchval("select count(*) from contacts where user_id = $1", account.user.id)
        == 0
    )
    assert await audit_operations(pool, account) == []


async def test_a_wrong_type_is_a_graphql_validation_error(
    graphql: GraphQL, account: Account
) -> None:
    body = await graphql(
        "mutation { createContact(input: {fullName: 42}) { errors { code } } }", account=account
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "Traceback" not in str(body)


async def test_relationships(graphql: GraphQL, account: Account) -> None:
    a = await create_contact(graphql, account, fullName="Ada")
    b = await create_contact(graphql, account, fullName="Grace")
    create = """mutation($input: CreateRelationshipInput!) { createRelationship(input: $input) {
        relationship { id type strength manualStrength source contactA { fullName } contactB { fullName } sharedInteractionCount }
        errors { code field } } }"""
    made = await graphql(
        create,
        {
            "input": {
                "contactAId": b["id"],
                "contactBId": a["id"],
                "type": "FRIEND",
                "strength": 0.8,
            }
        },
        account=account,
    )
    relationship = made["data"]["createRelationship"]["relationship"]
    assert relationship["type"] == "FRIEND" and relationship["manualStrength"] == pytest.approx(0.8)
    assert relationship["source"] == "MANUAL"
    assert {relationship["contactA"]["fullName"], relationship["contactB"]["fullName"]} == {
        "Ada",
        "Grace",
    }

    duplicate = await graphql(
        create, {"input": {"contactAId": a["id"], "contactBId": b["id"]}}, account=account
    )
    assert [e["code"] for e in duplicate["data"]["createRelationship"]["errors"]] == ["CONFLICT"]
    self_loop = await graphql(
        create, {"input": {"contactAId": a["id"], "contactBId": a["id"]}}, account=account
    )
    assert [e["code"] for e in self_loop["data"]["createRelationship"]["errors"]] == [
        "BAD_USER_INPUT"
    ]
    too_strong = await graphql(
        create,
        {"input": {"contactAId": a["id"], "contactBId": b["id"], "strength": 1.5}},
        account=account,
    )
    assert [
        (e["code"], e["field"]) for e in too_strong["data"]["createRelationship"]["errors"]
    ] == [("BAD_USER_INPUT", "strength")]

    updated = await graphql(
        "mutation($id: ID!) { updateRelationship(id: $id, input: {type: MENTOR, strength: null}) { relationship { type manualStrength strength } errors { code } } }",
        {"id": relationship["id"]},
        account=account,
    )
    # no manual strength left: a mentor tie's default 0.7, weighted 0.6; nothing shared, no overlap
    assert updated["data"]["updateRelationship"]["relationship"] == {
        "type": "MENTOR",
        "manualStrength": None,
        "strength": pytest.approx(0.6 * 0.7),
    }

    connections = await graphql(
        "query($id: ID!) { contact(id: $id) { connections { totalCount edges { node { fullName } relationship { type } } } } }",
        {"id": a["id"]},
        account=account,
    )
    assert connections["data"]["contact"]["connections"] == {
        "totalCount": 1,
        "edges": [{"node": {"fullName": "Grace"}, "relationship": {"type": "MENTOR"}}],
    }
    deleted = await graphql(
        "mutation($id: ID!) { deleteRelationship(id: $id) { deletedId errors { code } } }",
        {"id": relationship["id"]},
        account=account,
    )
    assert deleted["data"]["deleteRelationship"]["deletedId"] == relationship["id"]


async def test_log_interaction_updates_last_interaction(graphql: GraphQL, account: Account) -> None:
    a = await create_contact(graphql, account, fullName="Ada")
    b = await create_contact(graphql, account, fullName="Grace")
    log = """mutation($input: LogInteractionInput!) { logInteraction(input: $input) {
        interaction { type direction occurredAt participants { fullName lastInteractionAt } } errors { code field } } }"""
    body = await graphql(
        log,
        {
            "input": {
                "participantIds": [a["id"], b["id"]],
                "type": "MEETING",
                "occurredAt": "2026-03-01T10:00:00+00:00",
                "durationMinutes": 45,
            }
        },
        account=account,
    )
    interaction = body["data"]["logInteraction"]["interaction"]
    assert interaction["type"] == "MEETING" and interaction["direction"] == "MUTUAL"
    assert [p["lastInteractionAt"] for p in interaction["participants"]] == [
        "2026-03-01T10:00:00+00:00"
    ] * 2

    shared = await graphql(
        """mutation($a: ID!, $b: ID!) { createRelationship(input: {contactAId: $a, contactBId: $b}) {
            relationship { sharedInteractionCount } } }""",
        {"a": a["id"], "b": b["id"]},
        account=account,
    )
    assert shared["data"]["createRelationship"]["relationship"]["sharedInteractionCount"] == 1

    for bad, field in [
        ({"participantIds": []}, "participantIds"),
        ({"participantIds": [a["id"], a["id"]]}, "participantIds"),
        ({"occurredAt": "2999-01-01T00:00:00+00:00"}, "occurredAt"),
        ({"sentiment": 2}, "sentiment"),
        ({"participantIds": ["bm9wZQ=="]}, "participantIds"),
    ]:
        payload = await graphql(
            log,
            {
                "input": {
                    "participantIds": [a["id"]],
                    "type": "CALL",
                    "occurredAt": "2026-03-02T10:00:00Z",
                    **bad,
                }
            },
            account=account,
        )
        errors = payload["data"]["logInteraction"]["errors"]
        assert len(errors) == 1 and errors[0]["field"] == field, (bad, payload)
    count = await graphql("{ interactions { totalCount } }", account=account)
    assert count["data"]["interactions"]["totalCount"] == 1, "a refused interaction was written"


async def test_add_interest_reinforces_and_remove(graphql: GraphQL, account: Account) -> None:
    a = await create_contact(graphql, account)
    add = """mutation($input: AddInterestInput!) { addInterest(input: $input) {
        interest { id category topic confidence evidenceCount } errors { code field } } }"""
    first = await graphql(
        add,
        {"input": {"contactId": a["id"], "category": "Tech", "topic": "Rust", "confidence": 0.4}},
        account=account,
    )
    again = await graphql(
        add,
        {"input": {"contactId": a["id"], "category": "tech", "topic": "rust", "confidence": 0.9}},
        account=account,
    )
    one, two = first["data"]["addInterest"]["interest"], again["data"]["addInterest"]["interest"]
    assert one["id"] == two["id"]
    assert (two["evidenceCount"], two["confidence"]) == (2, pytest.approx(0.9))
    removed = await graphql(
        "mutation($id: ID!) { removeInterest(id: $id) { deletedId errors { code } } }",
        {"id": one["id"]},
        account=account,
    )
    assert removed["data"]["removeInterest"] == {"deletedId": one["id"], "errors": []}


async def test_memories(graphql: GraphQL, account: Account) -> None:
    a = await create_contact(graphql, account)
    logged = await graphql(
        'mutation($id: ID!) { logInteraction(input: {participantIds: [$id], type: CALL, occurredAt: "2026-01-05T09:00:00Z"}) { interaction { id } } }',
        {"id": a["id"]},
        account=account,
    )
    interaction_id = logged["data"]["logInteraction"]["interaction"]["id"]
    created = await graphql(
        """mutation($input: CreateMemoryInput!) { createMemory(input: $input) {
            memory { id type title content tags importance embeddingStatus contact { id } sourceInteractions { id } }
            errors { code field } } }""",
        {
            "input": {
                "content": "Raising a seed round for a soil-carbon startup.",
                "contactId": a["id"],
                "type": "INSIGHT",
                "tags": ["Fundraising"],
                "sourceInteractionIds": [interaction_id],
            }
        },
        account=account,
    )
    memory = created["data"]["createMemory"]["memory"]
    assert memory["contact"]["id"] == a["id"]
    assert memory["sourceInteractions"] == [{"id": interaction_id}]
    assert (memory["type"], memory["tags"], memory["embeddingStatus"]) == (
        "INSIGHT",
        ["fundraising"],
        "EMBEDDED",  # by the local model, as it was saved
    )

    updated = await graphql(
        'mutation($id: ID!) { updateMemory(id: $id, input: {title: "Seed round", importance: 0.9}) { memory { title importance content } errors { code } } }',
        {"id": memory["id"]},
        account=account,
    )
    assert updated["data"]["updateMemory"]["memory"]["title"] == "Seed round"
    empty = await graphql(
        'mutation { createMemory(input: {content: ""}) { memory { id } errors { code field } } }',
        account=account,
    )
    assert empty["data"]["createMemory"]["errors"] == [
        {"code": "BAD_USER_INPUT", "field": "content"}
    ]
    deleted = await graphql(
        "mutation($id: ID!) { deleteMemory(id: $id) { deletedId } }",
        {"id": memory["id"]},
        account=account,
    )
    assert deleted["data"]["deleteMemory"]["deletedId"] == memory["id"]


async def test_merge_contacts(graphql: GraphQL, account: Account, pool: asyncpg.Pool) -> None:
    primary = await create_contact(graphql, account, fullName="Ada Lovelace")
    duplicate = await create_contact(
        graphql, account, fullName="A. Lovelace", email="ada@example.com", company="Engines"
    )
    friend = await create_contact(graphql, account, fullName="Grace")
    for contact in (primary, duplicate):
        await graphql(
            "mutation($a: ID!, $b: ID!) { createRelationship(input: {contactAId: $a, contactBId: $b}) { errors { code } } }",
            {"a": contact["id"], "b": friend["id"]},
            account=account,
        )
    await graphql(
        'mutation($id: ID!) { addInterest(input: {contactId: $id, category: "tech", topic: "rust"}) { errors { code } } }',
        {"id": duplicate["id"]},
        account=account,
    )
    merged = await graphql(
        """mutation($p: ID!, $d: [ID!]!) { mergeContacts(primaryId: $p, duplicateIds: $d) {
            contact { fullName email company interests { edges { node { topic } } } connections { totalCount } } errors { code field } } }""",
        {"p": primary["id"], "d": [duplicate["id"]]},
        account=account,
    )
    contact = merged["data"]["mergeContacts"]["contact"]
    assert contact["email"] == "ada@example.com" and contact["company"] == "Engines"
    assert contact["interests"]["edges"] == [{"node": {"topic": "rust"}}]
    assert contact["connections"]["totalCount"] == 1, "the two edges to Grace became one"
    gone = await graphql(
        "query($id: ID!) { contact(id: $id) { id } }", {"id": duplicate["id"]}, account=account
    )
    assert error_codes(gone) == ["NOT_FOUND"]

    into_itself = await graphql(
        "mutation($p: ID!) { mergeContacts(primaryId: $p, duplicateIds: [$p]) { errors { code field } } }",
        {"p": primary["id"]},
        account=account,
    )
    assert into_itself["data"]["mergeContacts"]["errors"] == [
        {"code": "BAD_USER_INPUT", "field": "duplicateIds"}
    ]
