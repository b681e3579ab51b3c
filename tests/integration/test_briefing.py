"""briefing(contactId, topic): the tie with its parts, the last interactions, interests
by effective confidence, the memories and document passages about the topic from the
contact and their 1-hop circle (nobody farther), and the people both know; read in one
round of statements."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from graph_api.ids import parse_global_id
from tests.conftest import Account, GraphQL

BRIEFING = """query($id: ID!, $topic: String) { briefing(contactId: $id, topic: $topic) {
  contact { fullName }
  strength { score recency frequency reciprocity interactionCount lastInteractionAt }
  lastInteractions { subject occurredAt }
  interests { effectiveConfidence interest { topic confidence } }
  relevant { source score memory { content contact { fullName } }
             chunk { content document { title } } }
  mutualConnections { node { fullName } relationship { type strength } }
  openNotifications { type status title }
} }"""


async def ok(graphql: GraphQL, account: Account, query: str, **variables: Any) -> Any:
    body = await graphql(query, variables, account=account)
    assert "errors" not in body, body
    return body["data"]


async def person(graphql: GraphQL, account: Account, name: str) -> str:
    data = await ok(
        graphql,
        account,
        "mutation($n: String!) { createContact(input: {fullName: $n}) { contact { id } } }",
        n=name,
    )
    contact_id: str = data["createContact"]["contact"]["id"]
    return contact_id


async def network(graphql: GraphQL, account: Account, pool: asyncpg.Pool) -> dict[str, str]:
    ids = {name: await person(graphql, account, name) for name in ("Ada", "Ben", "Cleo", "Dev")}
    for other, kind in (("Ben", "COLLEAGUE"), ("Cleo", "FRIEND")):
        await ok(
            graphql,
            account,
            """mutation($a: ID!, $b: ID!, $t: RelationshipType!) { createRelationship(
                 input: {contactAId: $a, contactBId: $b, type: $t}) { errors { code } } }""",
            a=ids["Ada"], b=ids[other], t=kind,
        )  # fmt: skip
    now = datetime.now(UTC)
    for days, subject in ((30, "Intro call"), (9, "Coffee"), (2, "Follow-up about the round")):
        await ok(
            graphql,
            account,
            """mutation($p: [ID!]!, $at: DateTime!, $s: String) { logInteraction(input: {
                 participantIds: $p, type: MEETING, occurredAt: $at, direction: MUTUAL,
                 subject: $s}) { errors { code } } }""",
            p=[ids["Ada"]], at=(now - timedelta(days=days)).isoformat(), s=subject,
        )  # fmt: skip
    for topic, confidence in (("sailing", 0.9), ("solar energy", 0.6)):
        await ok(
            graphql,
            account,
            """mutation($c: ID!, $t: String!, $x: Float) { addInterest(input: {contactId: $c,
                 category: "hobby", topic: $t, confidence: $x}) { errors { code } } }""",
            c=ids["Ada"], t=topic, x=confidence,
        )  # fmt: skip
    # sailing was last seen three years ago: it has decayed below solar energy
    await pool.execute(
        "update interests set last_reinforced_at = now() - interval '3 years' "
        "where user_id = $1 and topic = 'sailing'",
        account.user.id,
    )
    notes = (
        ("Ada", "Ada is raising a seed round for her solar panel startup."),
        ("Ben", "Ben invested in two solar energy companies last year."),
        ("Dev", "Dev runs a solar farm fund and wants deal flow."),
        ("Ada", "Ada's daughter plays the violin."),
    )
    for name, content in notes:
        await ok(
            graphql,
            account,
            """mutation($c: ID!, $t: String!) { createMemory(input: {contactId: $c, content: $t}) {
                 errors { code } } }""",
            c=ids[name], t=content,
        )  # fmt: skip
    data = await ok(
        graphql,
        account,
        """mutation($c: [ID!]) { createDocument(input: {title: "Cleo's climate fund memo",
             content: "# Thesis\\nCleo's fund backs early solar and battery startups in Europe.",
             contactIds: $c}) { document { id } } }""",
        c=[ids["Cleo"]],
    )
    document_id = data["createDocument"]["document"]["id"]
    for _ in range(1800):  # a bound for a stuck embedder, not a speed target
        status = await ok(
            graphql,
            account,
            "query($id: ID!) { node(id: $id) { ... on Document { embeddingStatus } } }",
            id=document_id,
        )
        if status["node"]["embeddingStatus"] == "EMBEDDED":
            break
        await asyncio.sleep(0.1)
    return ids


async def test_a_briefing_assembles_what_to_know(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    ids = await network(graphql, account, pool)
    ada = parse_global_id(ids["Ada"])[1]  # type: ignore[index]
    for key, status in (("open", "unread"), ("done", "dismissed")):
        await pool.execute(
            """insert into notifications (user_id, type, contact_id, status, title, dedupe_key)
               values ($1, 'follow_up', $2, $3, $4, $4)""",
            account.user.id, ada, status, f"Follow up with Ada ({key})",
        )  # fmt: skip
    with caplog.at_level(logging.DEBUG, logger="graph_api.sql"):
        data = await ok(
            graphql, account, BRIEFING, id=ids["Ada"], topic="who could fund a solar startup?"
        )
    briefing = data["briefing"]
    assert briefing["contact"]["fullName"] == "Ada"
    strength = briefing["strength"]
    assert strength["interactionCount"] == 3 and 0 < strength["score"] <= 1
    assert {"recency", "frequency", "reciprocity"} <= set(strength)
    assert [i["subject"] for i in briefing["lastInteractions"]] == [
        "Follow-up about the round", "Coffee", "Intro call",
    ]  # fmt: skip
    # by effective confidence: the decayed 0.9 falls below the fresh 0.6
    interests = briefing["interests"]
    assert [i["interest"]["topic"] for i in interests] == ["solar energy", "sailing"]
    assert interests[1]["effectiveConfidence"] < 0.9 * 0.5**2
    relevant = briefing["relevant"]
    sources = {
        (h["source"], (h["memory"] or {}).get("contact", {}).get("fullName")) for h in relevant
    }
    # Ada's and Ben's notes and Cleo's memo (one tie away); never Dev's, who is not in the circle
    assert ("MEMORY", "Ada") in sources and ("MEMORY", "Ben") in sources
    assert any(h["chunk"] and h["chunk"]["document"]["title"].startswith("Cleo") for h in relevant)
    assert all("Dev" not in (h["memory"] or {}).get("content", "") for h in relevant)
    assert relevant[0]["memory"] is None or "violin" not in relevant[0]["memory"]["content"]
    assert sorted(m["node"]["fullName"] for m in briefing["mutualConnections"]) == ["Ben", "Cleo"]
    assert briefing["openNotifications"] == [
        {"type": "FOLLOW_UP", "status": "UNREAD", "title": "Follow up with Ada (open)"}
    ]

    # the request's own: the background embedder runs beside it (earlier tests' documents
    # can still be waiting for it), its statements marked as background work
    statements = [
        r.statement  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "graph_api.sql" and not r.background  # type: ignore[attr-defined]
    ]
    # (the graph's first build for this user aside: graph_* statements, once per version)
    data_statements = sorted(
        s for s in statements if s != "viewer_by_token" and not s.startswith("graph_")
    )
    # one round: the contact, interactions, interests, connections, open notifications
    # and the search; then
    # the hits' rows (one statement per source) and, for the fields selected on them,
    # one more level (the memories' contacts, the chunks' documents)
    assert data_statements == sorted(
        [
            "contacts_by_id", "contact_interactions_page", "contact_interests_page",
            "contact_connections_page", "contact_open_notifications", "search_sources_hybrid",
            "memories_by_id", "document_chunks_by_id",
            "contacts_by_id", "documents_by_id",
        ]
    ), statements  # fmt: skip


async def test_a_briefing_without_topic_and_of_nobody(
    graphql: GraphQL, account: Account, make_account: Any
) -> None:
    ada = await person(graphql, account, "Ada")
    data = await ok(graphql, account, BRIEFING, id=ada)
    assert data["briefing"]["relevant"] == [] and data["briefing"]["lastInteractions"] == []
    other = await make_account()
    body = await graphql(BRIEFING, {"id": ada}, account=other)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
    body = await graphql(
        "query($id: ID!) { briefing(contactId: $id, first: 50) { topic } }", {"id": ada},
        account=account,
    )  # fmt: skip
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert parse_global_id(ada) is not None
