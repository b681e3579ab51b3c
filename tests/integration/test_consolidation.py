"""consolidateMemories with the real model: a contact's old memories grouped by meaning
into SUMMARY memories of their most central sentences, linking their sources, which
default search no longer shows and nothing deletes; the same memories give the same
summaries again after `unconsolidate`; a consolidation over consolidated memories is
refused with a code and writes nothing; the periodic job's pass and the CLI do it for
everyone; another user's memories are never touched."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from graph_api.consolidator import consolidate_everyone
from graph_api.domain.summaries import sentences
from tests.conftest import Account, GraphQL

CONTACT = """mutation($n: String!) { createContact(input: {fullName: $n}) { contact { id } } }"""
MEMORY = """mutation($c: ID!, $t: String!, $tags: [String!]) {
  createMemory(input: {contactId: $c, content: $t, tags: $tags}) {
    memory { id embeddingStatus } errors { code } } }"""
CONSOLIDATE = """mutation($c: ID!, $before: DateTime!, $ids: [ID!]) {
  consolidateMemories(contactId: $c, olderThan: $before, memoryIds: $ids) {
    consolidatedCount
    summaries { id type title content tags contact { id }
                consolidatedFrom { id content consolidatedInto { id } }
                links(first: 10) { edges { type strength node { id } } } }
    errors { code field message } } }"""
UNDO = """mutation($id: ID!) { unconsolidate(id: $id) {
  deletedId restored { id consolidatedInto { id } } errors { code field } } }"""
SEARCH = """query($q: String!, $all: Boolean) {
  searchMemories(query: $q, mode: KEYWORD, first: 20, filter: {includeConsolidated: $all}) {
    edges { node { id type } } } }"""

FUNDRAISING = [
    "Priya is raising a Series A for Helio Grid. She met two funds in Lisbon.",
    "Helio Grid's Series A should close in March; Priya has term sheets from two funds.",
    "Priya says the Series A fundraising for Helio Grid is going well. Investors like the "
    "grid storage story.",
]
DOG = [
    "Priya adopted a border collie named Biscuit.",
    "Priya adopted a border collie named Biscuit last weekend.",
]
LONER = "Priya had knee surgery and is back at work in six weeks."
RECENT = "The Series A for Helio Grid has a lead investor now."


async def ok(graphql: GraphQL, account: Account, query: str, **variables: Any) -> Any:
    body = await graphql(query, variables, account=account)
    assert "errors" not in body, body
    return body["data"]


async def old_memories(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool, name: str = "Priya Raman"
) -> tuple[str, dict[str, str]]:
    """A contact with the six old memories (200 days back) and a recent one; text -> id."""
    contact = (await ok(graphql, account, CONTACT, n=name))["createContact"]["contact"]["id"]
    ids = {}
    for days, text in enumerate([*FUNDRAISING, *DOG, LONER]):
        made = (await ok(graphql, account, MEMORY, c=contact, t=text, tags=[f"t{days % 2}"]))[
            "createMemory"
        ]["memory"]
        assert made["embeddingStatus"] == "EMBEDDED"
        ids[text] = made["id"]
        await pool.execute(
            """update memories set created_at = now() - make_interval(days => 200 - $3)
                where user_id = $1 and content = $2""",
            account.user.id,
            text,
            days,
        )
    ids[RECENT] = (await ok(graphql, account, MEMORY, c=contact, t=RECENT))["createMemory"][
        "memory"
    ]["id"]
    return contact, ids


def cutoff(days: int = 90) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


async def counts(pool: asyncpg.Pool, account: Account) -> tuple[int, int, int]:
    row = await pool.fetchrow(
        """select (select count(*) from memories where user_id = $1) as memories,
                  (select count(*) from memory_links where user_id = $1) as links,
                  (select count(*) from memories where user_id = $1
                      and consolidated_into is not null) as hidden""",
        account.user.id,
    )
    return row["memories"], row["links"], row["hidden"]


async def test_old_memories_are_summed_up_hidden_and_brought_back(
    graphql: GraphQL, account: Account, make_account: Any, pool: asyncpg.Pool
) -> None:
    contact, ids = await old_memories(graphql, account, pool)
    bystander = await make_account()
    _, their_ids = await old_memories(graphql, bystander, pool)

    done = (await ok(graphql, account, CONSOLIDATE, c=contact, before=cutoff()))[
        "consolidateMemories"
    ]
    assert done["errors"] == []
    assert done["consolidatedCount"] == 5
    money, dog = done["summaries"]
    assert [m["content"] for m in money["consolidatedFrom"]] == FUNDRAISING
    assert [m["content"] for m in dog["consolidatedFrom"]] == DOG
    for summary, sources in ((money, FUNDRAISING), (dog, DOG)):
        assert summary["type"] == "SUMMARY"
        assert summary["contact"] == {"id": contact}
        assert summary["title"].startswith(f"Summary of {len(sources)} memories, ")
        written = set(sentences(" ".join(sources)))
        assert sentences(summary["content"]), summary
        assert all(s in written for s in sentences(summary["content"])), "extractive"
        assert sorted(summary["tags"]) == ["t0", "t1"]
        links = summary["links"]["edges"]
        assert {e["node"]["id"] for e in links} == {ids[t] for t in sources}
        assert all(0 < e["strength"] <= 1 for e in links)
        assert all(
            m["consolidatedInto"] == {"id": summary["id"]} for m in summary["consolidatedFrom"]
        )
    assert {e["type"] for e in money["links"]["edges"]} == {"FOLLOWS_UP"}
    assert {e["type"] for e in dog["links"]["edges"]} == {"DUPLICATES"}  # a near repeat
    # the loner and the recent one stay as they were; nothing deleted
    assert await counts(pool, account) == (7 + 2, 5, 5)

    # default search hides the sources and finds the summaries; asked for, the sources too
    found = (await ok(graphql, account, SEARCH, q="Series A"))["searchMemories"]["edges"]
    assert {e["node"]["id"] for e in found} == {money["id"], ids[RECENT]}
    found = (await ok(graphql, account, SEARCH, q="Series A", all=True))["searchMemories"]["edges"]
    assert {e["node"]["id"] for e in found} == {money["id"], ids[RECENT]} | {
        ids[t] for t in FUNDRAISING
    }

    # again: nothing left to group (the summaries themselves are never consolidated)
    again = (await ok(graphql, account, CONSOLIDATE, c=contact, before=cutoff(-1)))[
        "consolidateMemories"
    ]
    assert again == {"consolidatedCount": 0, "summaries": [], "errors": []}
    assert await counts(pool, account) == (9, 5, 5)

    # bad input: memories already consolidated → CONFLICT, nothing written
    refused = (
        await ok(
            graphql,
            account,
            CONSOLIDATE,
            c=contact,
            before=cutoff(),
            ids=[ids[FUNDRAISING[0]], ids[LONER]],
        )
    )["consolidateMemories"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("CONFLICT", "memoryIds")]
    assert refused["summaries"] == []
    # a summary asked for, too; another user's memory or contact is not found
    refused = (
        await ok(
            graphql,
            account,
            CONSOLIDATE,
            c=contact,
            before=cutoff(-1),
            ids=[money["id"], ids[LONER]],
        )
    )["consolidateMemories"]
    assert [e["code"] for e in refused["errors"]] == ["CONFLICT"]
    refused = (
        await ok(
            graphql,
            account,
            CONSOLIDATE,
            c=contact,
            before=cutoff(),
            ids=[their_ids[LONER], ids[LONER]],
        )
    )["consolidateMemories"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOT_FOUND", "memoryIds")]
    # too new for olderThan
    refused = (
        await ok(
            graphql, account, CONSOLIDATE, c=contact, before=cutoff(), ids=[ids[RECENT], ids[LONER]]
        )
    )["consolidateMemories"]
    assert [e["code"] for e in refused["errors"]] == ["BAD_USER_INPUT"]
    assert await counts(pool, account) == (9, 5, 5)
    # the bystander's memories were never touched
    assert await counts(pool, bystander) == (7, 0, 0)

    # undone: summaries gone, sources back, the same summaries when done again
    contents = {money["content"], dog["content"]}
    for summary in (money, dog):
        undone = (await ok(graphql, account, UNDO, id=summary["id"]))["unconsolidate"]
        assert undone["errors"] == [] and undone["deletedId"] == summary["id"]
        assert all(m["consolidatedInto"] is None for m in undone["restored"])
    assert await counts(pool, account) == (7, 0, 0)
    not_summary = (await ok(graphql, account, UNDO, id=ids[LONER]))["unconsolidate"]
    assert [(e["code"], e["field"]) for e in not_summary["errors"]] == [("BAD_USER_INPUT", "id")]
    redone = (await ok(graphql, account, CONSOLIDATE, c=contact, before=cutoff()))[
        "consolidateMemories"
    ]
    assert {s["content"] for s in redone["summaries"]} == contents  # deterministic

    # exactly the memories asked for
    undo_all = [s["id"] for s in redone["summaries"]]
    for summary_id in undo_all:
        await ok(graphql, account, UNDO, id=summary_id)
    chosen = (
        await ok(
            graphql,
            account,
            CONSOLIDATE,
            c=contact,
            before=cutoff(),
            ids=[ids[DOG[0]], ids[DOG[1]], ids[LONER]],
        )
    )["consolidateMemories"]
    assert chosen["consolidatedCount"] == 2
    assert [m["content"] for m in chosen["summaries"][0]["consolidatedFrom"]] == DOG


async def test_the_periodic_pass_and_the_command_do_it_for_everyone(
    graphql: GraphQL,
    account: Account,
    make_account: Any,
    pool: asyncpg.Pool,
    database_url: str,
) -> None:
    await old_memories(graphql, account, pool)
    other = await make_account()
    await old_memories(graphql, other, pool, name="Marcus Webb")

    def command(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "graph_api", "consolidate", *args],
            capture_output=True,
            text=True,
            timeout=180,
            env={**os.environ, "DATABASE_URL": database_url, "GRAPH_API_EMBEDDINGS": "none"},
            check=False,
        )

    dry = command("--email", account.user.email, "--older-than-days", "90", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would consolidate 5 memories older than 90 days into 2 summaries (1 users)" in (
        dry.stdout
    )
    assert await counts(pool, account) == (7, 0, 0)
    run = command("--email", account.user.email, "--older-than-days", "90")
    assert run.returncode == 0, run.stderr
    assert "consolidated 5 memories older than 90 days into 2 summaries" in run.stdout
    assert await counts(pool, account) == (9, 5, 5)
    assert await counts(pool, other) == (7, 0, 0)

    # the periodic job's pass: everyone's, and what is done stays done
    done = await consolidate_everyone(pool, datetime.now(UTC) - timedelta(days=90))
    assert done.sources >= 5  # the other user's (and any other test's old memories)
    assert await counts(pool, other) == (9, 5, 5)
    assert await counts(pool, account) == (9, 5, 5)
