"""A network's life over time: duplicates found and warned about, the audit trail the
user reads, and deleting a contact that forgets them everywhere."""

from __future__ import annotations

from typing import Any

import asyncpg

from graph_api.ids import global_id, parse_global_id
from tests.conftest import Account, GraphQL, error_codes

CREATE = """mutation($input: CreateContactInput!) { createContact(input: $input) {
  contact { id fullName } errors { code field } warnings { code field message contactIds } } }"""


async def create(graphql: GraphQL, account: Account, **fields: Any) -> dict[str, Any]:
    body = await graphql(CREATE, {"input": fields}, account=account)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["createContact"]
    assert payload["errors"] == []
    return payload


async def test_a_second_contact_with_an_email_gets_a_warning_and_shows_as_a_candidate(
    graphql: GraphQL, account: Account
) -> None:
    ada = await create(graphql, account, fullName="Ada Lovelace", email="ada@example.com")
    assert ada["warnings"] == []
    twin = await create(graphql, account, fullName="Ada King", email="ADA@example.com")
    (warning,) = twin["warnings"]
    assert warning["code"] == "EMAIL_EXISTS" and warning["field"] == "email"
    assert warning["contactIds"] == [ada["contact"]["id"]]
    assert "Ada Lovelace" in warning["message"]
    await create(graphql, account, fullName="Jon Smith", company="Initech", phone="+1 555 010 2000")
    await create(
        graphql, account, fullName="John Smith", company="Initech, Inc.", phone="(555) 010-2000"
    )
    await create(graphql, account, fullName="Grace Hopper")

    body = await graphql(
        "{ duplicateCandidates(first: 10) { score contacts { fullName } reasons { kind weight detail } } }",
        account=account,
    )
    assert "errors" not in body, body
    found = body["data"]["duplicateCandidates"]
    pairs = [sorted(c["fullName"] for c in candidate["contacts"]) for candidate in found]
    assert pairs == [["John Smith", "Jon Smith"], ["Ada King", "Ada Lovelace"]]
    smiths, adas = found
    assert {r["kind"] for r in smiths["reasons"]} == {"SAME_PHONE", "SIMILAR_NAME", "SAME_COMPANY"}
    assert [r["kind"] for r in adas["reasons"]] == ["SAME_EMAIL"]
    assert adas["score"] == 0.9
    assert smiths["score"] > adas["score"]

    too_many = await graphql("{ duplicateCandidates(first: 1000) { score } }", account=account)
    assert error_codes(too_many) == ["BAD_USER_INPUT"]


AUDIT = """query($first: Int, $after: String, $filter: AuditLogFilter) {
  auditLog(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id actor operation targets oldValues newValues requestId createdAt } }
    pageInfo { hasNextPage endCursor }
  } }"""


async def test_the_audit_log_is_the_users_own_newest_first_paged_and_filtered(
    graphql: GraphQL, account: Account, make_account: Any
) -> None:
    ada = (await create(graphql, account, fullName="Ada Lovelace"))["contact"]["id"]
    grace = (await create(graphql, account, fullName="Grace Hopper"))["contact"]["id"]
    updated = await graphql(
        'mutation($id: ID!) { updateContact(id: $id, input: {company: "Engines"}) { errors { code } } }',
        {"id": ada},
        account=account,
    )
    assert updated["data"]["updateContact"]["errors"] == []
    other = await make_account()
    await create(graphql, other, fullName="Someone Else")

    seen: list[dict[str, Any]] = []
    after = None
    while True:
        body = await graphql(AUDIT, {"first": 2, "after": after}, account=account)
        assert "errors" not in body, body
        page = body["data"]["auditLog"]
        assert page["totalCount"] == 3
        seen.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert [entry["operation"] for entry in seen] == [
        "update_contact",
        "create_contact",
        "create_contact",
    ]
    assert seen[0]["targets"] == [ada]
    assert seen[0]["oldValues"] == {"company": None}
    assert seen[0]["newValues"] == {"company": "Engines"}
    assert seen[0]["actor"] == account.user.email
    assert seen[1]["targets"] == [grace]

    by_target = await graphql(AUDIT, {"filter": {"targetId": ada}}, account=account)
    assert [e["node"]["operation"] for e in by_target["data"]["auditLog"]["edges"]] == [
        "update_contact", "create_contact",
    ]  # fmt: skip
    by_operation = await graphql(
        AUDIT, {"filter": {"operation": ["create_contact"], "before": seen[0]["createdAt"]}},
        account=account,
    )  # fmt: skip
    assert [e["node"]["targets"] for e in by_operation["data"]["auditLog"]["edges"]] == [
        [grace],
        [ada],
    ]
    bad_cursor = await graphql(AUDIT, {"after": "not-a-cursor"}, account=account)
    assert error_codes(bad_cursor) == ["BAD_USER_INPUT"]


async def test_delete_contact_forgets_them_in_every_table(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    name = "Zebulon Quistgaard"
    person = (
        await create(graphql, account, fullName=name, email="zq@example.com", bio=f"{name}'s bio")
    )["contact"]["id"]
    friend = (await create(graphql, account, fullName="Ada Lovelace"))["contact"]["id"]
    log = """mutation($input: LogInteractionInput!) { logInteraction(input: $input) {
      interaction { id } errors { code } } }"""
    solo = await graphql(
        log,
        {"input": {"participantIds": [person], "type": "CALL", "occurredAt": "2026-01-05T10:00:00Z",
                   "subject": f"Call with {name}", "content": f"{name} talked about zebras"}},
        account=account,
    )  # fmt: skip
    solo_id = solo["data"]["logInteraction"]["interaction"]["id"]
    shared = await graphql(
        log,
        {"input": {"participantIds": [person, friend], "type": "MEETING",
                   "occurredAt": "2026-01-06T10:00:00Z", "subject": "Quarterly planning"}},
        account=account,
    )  # fmt: skip
    shared_id = shared["data"]["logInteraction"]["interaction"]["id"]
    for mutation, variables in [
        ('mutation($id: ID!) { addInterest(input: {contactId: $id, category: "animals", topic: "zebras"}) { errors { code } } }', {"id": person}),
        (f'mutation($id: ID!) {{ createMemory(input: {{contactId: $id, content: "{name} likes zebras"}}) {{ errors {{ code }} }} }}', {"id": person}),
        ("mutation($a: ID!, $b: ID!) { createRelationship(input: {contactAId: $a, contactBId: $b}) { errors { code } } }", {"a": person, "b": friend}),
        ('mutation($id: ID!) { updateContact(id: $id, input: {company: "Zebra Co"}) { errors { code } } }', {"id": person}),
    ]:  # fmt: skip
        body = await graphql(mutation, variables, account=account)
        assert "errors" not in body, body

    deleted = await graphql(
        "mutation($id: ID!) { deleteContact(id: $id) { deletedId errors { code } } }",
        {"id": person},
        account=account,
    )
    assert deleted["data"]["deleteContact"] == {"deletedId": person, "errors": []}

    person_id = str(parse_global_id(person)[1])  # type: ignore[index]
    tables = [
        row["table_name"]
        for row in await pool.fetch(
            # a partitioned table's rows are read through it, not its partitions again
            "select c.relname as table_name from pg_class c"
            " where c.relnamespace = current_schema()::regnamespace"
            " and c.relkind in ('r', 'p') and not c.relispartition"
        )
    ]
    found: dict[str, int] = {}
    for table in tables:
        # the whole row as text: every column, whatever its type
        count = await pool.fetchval(
            f'select count(*) from "{table}" t where t::text ilike $1 or t::text ilike $2',
            f"%{name}%",
            f"%{person_id}%",
        )
        if count:
            found[table] = count
    # what remains is the fact that something happened: the delete's own row and the
    # id in earlier rows' targets, their values blanked; and the bare id in the graph's
    # change records (migration 0050: how other processes learn to drop the contact from
    # their cached graphs; no values, and pruned after 1,000 versions)
    assert set(found) <= {"audit_log", "graph_changes"} and "audit_log" in found, found
    changes = await pool.fetch(
        "select t::text as row from graph_changes t where t::text ilike $1", f"%{person_id}%"
    )
    assert all(name not in change["row"] for change in changes)
    leftovers = await pool.fetch(
        "select operation, old_values, new_values from audit_log where user_id = $1 and t::text ilike $2".replace(
            "t::text", "audit_log::text"
        ),
        account.user.id,
        f"%{person_id}%",
    )
    assert all(row["old_values"] is None and row["new_values"] is None for row in leftovers), (
        leftovers
    )

    gone = await graphql(
        "query($id: ID!) { node(id: $id) { id } }", {"id": solo_id}, account=account
    )
    assert error_codes(gone) == ["NOT_FOUND"]
    kept = await graphql(
        "query($id: ID!) { node(id: $id) { ... on Interaction { subject } } }",
        {"id": shared_id},
        account=account,
    )
    assert kept["data"]["node"] == {"subject": "Quarterly planning"}
    assert global_id("Contact", parse_global_id(friend)[1]) == friend  # type: ignore[index]
