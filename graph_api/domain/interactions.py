"""Interactions: an email, meeting, call or message with one or more contacts."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
from asyncpg import Record

from graph_api.db import ties
from graph_api.domain import audit, events, mentions, validation
from graph_api.domain.actor import Actor
from graph_api.errors import NotFound

TYPES = frozenset({"email", "meeting", "call", "message", "other"})
DIRECTIONS = frozenset({"inbound", "outbound", "mutual"})
MAX_PARTICIPANTS = 50
SUBJECT_MAX = 1000
CONTENT_MAX = 100_000
SUMMARY_MAX = 10_000
DURATION_MAX_MINUTES = 100_000
AUDITED_COLUMNS = (
    "type",
    "direction",
    "subject",
    "content",
    "summary",
    "sentiment",
    "occurred_at",
    "duration_minutes",
)

# Locks the participants in id order (concurrent logs over the same people cannot
# deadlock) and moves their last interaction forward, never back; the ids returned
# tell which participants exist.
TOUCH_PARTICIPANTS = """-- touch_interaction_participants
    with locked as (
        select id
          from contacts
         where user_id = $1 and id = any($2::uuid[])
         order by id
           for no key update
    )
    update contacts c
       set last_interaction_at = greatest(c.last_interaction_at, $3)
      from locked
     where c.user_id = $1 and c.id = locked.id
    returning c.id
"""

INSERT_INTERACTION = """-- insert_interaction
    insert into interactions (user_id, type, direction, subject, content, summary,
                              sentiment, occurred_at, duration_minutes, embedding, embedding_model)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
    returning *
"""

INSERT_PARTICIPANTS = """-- insert_interaction_participants
    insert into interaction_participants (user_id, interaction_id, contact_id)
    select $1, $2, contact_id
      from unnest($3::uuid[]) as contact_id
"""


async def log_interaction(
    conn: asyncpg.Connection,
    actor: Actor,
    *,
    participant_ids: list[UUID],
    type: str,
    occurred_at: datetime,
    direction: str = "mutual",
    subject: str | None = None,
    content: str | None = None,
    summary: str | None = None,
    duration_minutes: int | None = None,
    sentiment: float | None = None,
    embedding: list[float] | None = None,
    embedding_model: str | None = None,
) -> Record:
    """`embedding` is the vector of `search.interactions.interaction_text` of the
    validated subject, summary and content, or None (pending, when there is text)."""
    participants = validation.ids(
        participant_ids, field="participantIds", min_items=1, max_items=MAX_PARTICIPANTS
    )
    values = (
        validation.choice(type, field="type", allowed=TYPES),
        validation.choice(direction, field="direction", allowed=DIRECTIONS),
        validation.optional_text(subject, field="subject", max_length=SUBJECT_MAX),
        validation.optional_text(content, field="content", max_length=CONTENT_MAX),
        validation.optional_text(summary, field="summary", max_length=SUMMARY_MAX),
        validation.number(sentiment, field="sentiment", minimum=-1.0, maximum=1.0),
        validation.interaction_time(occurred_at, field="occurredAt"),
        validation.whole_number(
            duration_minutes, field="durationMinutes", minimum=0, maximum=DURATION_MAX_MINUTES
        ),
    )
    async with conn.transaction():
        touched = await conn.fetch(TOUCH_PARTICIPANTS, actor.user_id, participants, occurred_at)
        if len(touched) != len(participants):
            # the savepoint rolls the touched contacts back: nothing is written
            raise NotFound("Contact not found", field="participantIds")
        row = await conn.fetchrow(
            INSERT_INTERACTION,
            actor.user_id,
            *values,
            embedding,
            embedding_model if embedding is not None else None,
        )
        await conn.execute(INSERT_PARTICIPANTS, actor.user_id, row["id"], participants)
        texts = {"subject": row["subject"], "summary": row["summary"], "content": row["content"]}
        await mentions.record_mentions(conn, actor.user_id, texts, interaction_id=row["id"])
        inferred = (
            await ties.infer_ties_returning(conn, actor.user_id, [row["id"]])
            if len(participants) > 1
            else []
        )
        new = audit.pick(row, AUDITED_COLUMNS) | {"participant_ids": participants}
        await audit.record(conn, actor, "log_interaction", [row["id"], *participants], None, new)
        logged = events.Event(
            actor.user_id, "interaction", "logged", row["id"], tuple(participants)
        )
        # the ties the meeting revealed are news to relationshipChanged's subscribers too
        await events.emit(
            conn, [logged, *(events.relationship(actor.user_id, "created", r) for r in inferred)]
        )
    return row
