"""Memory expiry: `expiresAt` set on createMemory/updateMemory; from that moment the
memory is gone for every read and search (by id, a contact's memories, searchMemories in
every mode and with documents, Memory.related and links, the briefing, mentions) and for
writes that would touch it; serve's purge job deletes its row."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient

from graph_api.app import SEARCH, create_app
from graph_api.ids import parse_global_id
from graph_api.settings import Settings
from tests.conftest import Account, GraphQL, error_codes

CREATE = """mutation($input: CreateMemoryInput!) {
  createMemory(input: $input) { memory { id expiresAt } errors { code field } } }"""
UPDATE = """mutation($id: ID!, $input: UpdateMemoryInput!) {
  updateMemory(id: $id, input: $input) { memory { id expiresAt } errors { code field } } }"""

SEES = """query($contact: ID!, $keep: ID!, $gone: ID!) {
  byId: node(id: $gone) { id }
  both: nodes(ids: [$keep, $gone]) { id }
  contact(id: $contact) {
    memories { totalCount edges { node { id } } }
    mentionedIn { edges { node { memory { id } } } }
  }
  keyword: searchMemories(query: "lighthouse", mode: KEYWORD) { edges { node { id } } }
  semantic: searchMemories(query: "lighthouse keeper on the coast", mode: SEMANTIC) { edges { node { id } } }
  hybrid: searchMemories(query: "lighthouse", mode: HYBRID) { edges { node { id } } }
  sources: searchMemories(query: "lighthouse", sources: [MEMORY, DOCUMENT]) { hits { memory { id } } }
  briefing(contactId: $contact, topic: "lighthouse") { relevant { memory { id } } }
  kept: node(id: $keep) { ... on Memory {
    related(first: 5) { memory { id } }
    links { totalCount edges { node { id } } } } }
}"""


def _ids(value: Any) -> set[str]:
    """Every memory id anywhere in a response's part."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "id" and isinstance(item, str) and item.startswith("TWVtb3J5"):
                found.add(item)  # base64 of "Memory:"
            else:
                found |= _ids(item)
    elif isinstance(value, list):
        for item in value:
            found |= _ids(item)
    return found


async def _network(graphql: GraphQL, account: Account) -> tuple[str, str, str]:
    made = await graphql(
        'mutation { createContact(input: {fullName: "Grace Darling"}) { contact { id } } }',
        account=account,
    )
    contact = made["data"]["createContact"]["contact"]["id"]
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    memories = []
    for content, expires in (
        ("Grace Darling kept the lighthouse on the Farne Islands.", None),
        ("Grace Darling rowed out from the lighthouse in a storm.", later),
    ):
        body = await graphql(
            CREATE,
            {"input": {"contactId": contact, "content": content, "expiresAt": expires}},
            account=account,
        )
        assert body["data"]["createMemory"]["errors"] == [], body
        memories.append(body["data"]["createMemory"]["memory"]["id"])
    keep, gone = memories
    linked = await graphql(
        """mutation($a: ID!, $b: ID!) { linkMemories(input: {fromId: $a, toId: $b, type: RELATED}) {
             errors { code } } }""",
        {"a": keep, "b": gone},
        account=account,
    )
    assert linked["data"]["linkMemories"]["errors"] == []
    return contact, keep, gone


async def test_an_expired_memory_is_gone_from_every_read_and_search(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    contact, keep, gone = await _network(graphql, account)
    variables = {"contact": contact, "keep": keep, "gone": gone}
    before = await graphql(SEES, variables, account=account)
    assert "errors" not in before, before
    for part in ("byId", "both", "contact", "keyword", "semantic", "hybrid", "sources", "briefing"):
        assert gone in _ids(before["data"][part]), part
    assert gone in _ids(before["data"]["kept"]["related"])
    assert gone in _ids(before["data"]["kept"]["links"])

    # its moment passes
    await pool.execute(
        "update memories set expires_at = now() - interval '1 second' where user_id = $1 and id = $2",
        account.user.id,
        parse_global_id(gone)[1],  # type: ignore[index]
    )
    after = await graphql(SEES, variables, account=account)
    # as for any id not found: null with NOT_FOUND
    assert [(e["path"], e["extensions"]["code"]) for e in after.get("errors", [])] == [
        (["byId"], "NOT_FOUND"),
        (["both", 1], "NOT_FOUND"),
    ], after
    assert after["data"]["byId"] is None
    assert after["data"]["both"] == [{"id": keep}, None]
    assert after["data"]["contact"]["memories"]["totalCount"] == 1
    assert gone not in _ids(after["data"])
    for part in ("keyword", "semantic", "hybrid", "sources", "briefing"):
        assert keep in _ids(after["data"][part]), part
    # its mention went with it; the kept memory's stays
    assert _ids(after["data"]["contact"]["mentionedIn"]) == {keep}
    assert after["data"]["kept"]["links"]["totalCount"] == 0

    # nor can it be changed or linked again
    changed = await graphql(UPDATE, {"id": gone, "input": {"title": "t"}}, account=account)
    assert changed["data"]["updateMemory"]["errors"][0]["code"] == "NOT_FOUND"
    relinked = await graphql(
        """mutation($a: ID!, $b: ID!) { linkMemories(input: {fromId: $a, toId: $b, type: SUPPORTS}) {
             errors { code } } }""",
        {"a": keep, "b": gone},
        account=account,
    )
    assert relinked["data"]["linkMemories"]["errors"][0]["code"] == "NOT_FOUND"


async def test_expires_at_is_set_changed_cleared_and_never_in_the_past(
    graphql: GraphQL, account: Account
) -> None:
    soon = datetime.now(UTC) + timedelta(hours=2)
    made = await graphql(
        CREATE,
        {"input": {"content": "parking ticket", "expiresAt": soon.isoformat()}},
        account=account,
    )
    memory = made["data"]["createMemory"]["memory"]
    assert datetime.fromisoformat(memory["expiresAt"]) == soon

    later = soon + timedelta(days=30)
    moved = await graphql(
        UPDATE, {"id": memory["id"], "input": {"expiresAt": later.isoformat()}}, account=account
    )
    assert datetime.fromisoformat(moved["data"]["updateMemory"]["memory"]["expiresAt"]) == later
    # a field not sent is left alone; null keeps it for good
    titled = await graphql(UPDATE, {"id": memory["id"], "input": {"title": "car"}}, account=account)
    assert titled["data"]["updateMemory"]["memory"]["expiresAt"] is not None
    kept = await graphql(
        UPDATE, {"id": memory["id"], "input": {"expiresAt": None}}, account=account
    )
    assert kept["data"]["updateMemory"]["memory"]["expiresAt"] is None

    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    refused = await graphql(CREATE, {"input": {"content": "x", "expiresAt": past}}, account=account)
    assert refused["data"]["createMemory"]["memory"] is None
    assert refused["data"]["createMemory"]["errors"] == [
        {"code": "BAD_USER_INPUT", "field": "expiresAt"}
    ]
    refused = await graphql(
        UPDATE, {"id": memory["id"], "input": {"expiresAt": past}}, account=account
    )
    assert refused["data"]["updateMemory"]["errors"][0]["field"] == "expiresAt"
    audit = await graphql(
        """{ auditLog(first: 5, filter: {operation: ["update_memory"]}) {
             edges { node { newValues } } } }""",
        account=account,
    )
    assert error_codes(audit) == []
    assert any(
        "expires_at" in str(e["node"]["newValues"]) for e in audit["data"]["auditLog"]["edges"]
    )


async def test_serve_purges_expired_memories_in_the_background(
    settings: Settings,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
    account: Account,
    pool: asyncpg.Pool,
) -> None:
    client = await aiohttp_client(create_app(replace(settings, purge_interval_seconds=1)))
    await client.app[SEARCH].ready.wait()
    user = account.user.id
    await pool.execute(
        """insert into memories (user_id, content, expires_at) values
           ($1, 'expired', now() - interval '1 minute'), ($1, 'kept', now() + interval '1 day')""",
        user,
    )
    remaining: list[str] = []
    for _ in range(100):  # at most 20 s: the job runs every second
        rows = await pool.fetch("select content from memories where user_id = $1", user)
        remaining = sorted(row["content"] for row in rows)
        if remaining == ["kept"]:
            break
        await asyncio.sleep(0.2)
    assert remaining == ["kept"]
