"""A contact's interests: a topic within a category, reinforced by each new piece of evidence."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from asyncpg import Record

from graph_api.domain import audit, validation
from graph_api.domain.actor import Actor
from graph_api.errors import NotFound

CATEGORY_MAX = 100
TOPIC_MAX = 200
AUDITED_COLUMNS = ("contact_id", "category", "topic", "confidence", "evidence_count")
NOT_FOUND = "Interest not found"

# the contact, key-share locked so it stays until the interest lands, and the
# interest it may already have (for the audit trail's old values)
LOCK_CONTACT_INTEREST = """-- lock_contact_interest
    select c.id as contact_id, i.id, i.category, i.topic, i.confidence, i.evidence_count
      from contacts c
      left join interests i
             on i.user_id = c.user_id and i.contact_id = c.id
            and i.category = $3 and i.topic = $4
     where c.user_id = $1 and c.id = $2
       for key share of c
"""

UPSERT_INTEREST = """-- upsert_interest
    insert into interests (user_id, contact_id, category, topic, confidence)
    values ($1, $2, $3, $4, coalesce($5::double precision, 0.5))
    on conflict (user_id, contact_id, category, topic) do update
       set evidence_count = interests.evidence_count + 1,
           last_reinforced_at = now(),
           confidence = greatest(interests.confidence, coalesce($5::double precision, interests.confidence))
    returning *
"""

DELETE_INTEREST = """-- delete_interest
    delete from interests
     where user_id = $1 and id = $2
    returning *
"""


async def add_interest(
    conn: asyncpg.Connection,
    actor: Actor,
    contact_id: UUID,
    category: str,
    topic: str,
    confidence: float | None = None,
) -> Record:
    """Record an interest, or reinforce it when the contact already has it."""
    category = validation.required_text(
        category, field="category", max_length=CATEGORY_MAX, lowercase=True
    )
    topic = validation.required_text(topic, field="topic", max_length=TOPIC_MAX, lowercase=True)
    level = validation.number(confidence, field="confidence", minimum=0.0, maximum=1.0)
    async with conn.transaction():
        existing = await conn.fetchrow(
            LOCK_CONTACT_INTEREST, actor.user_id, contact_id, category, topic
        )
        if existing is None:
            raise NotFound("Contact not found", field="contactId")
        row = await conn.fetchrow(
            UPSERT_INTEREST, actor.user_id, contact_id, category, topic, level
        )
        old = audit.pick(existing, AUDITED_COLUMNS) if existing["id"] is not None else None
        new = audit.pick(row, AUDITED_COLUMNS)
        await audit.record(conn, actor, "add_interest", [row["id"], contact_id], old, new)
    return row


async def remove_interest(conn: asyncpg.Connection, actor: Actor, interest_id: UUID) -> UUID:
    async with conn.transaction():
        row = await conn.fetchrow(DELETE_INTEREST, actor.user_id, interest_id)
        if row is None:
            raise NotFound(NOT_FOUND, field="id")
        old = audit.pick(row, AUDITED_COLUMNS)
        await audit.record(
            conn, actor, "remove_interest", [interest_id, row["contact_id"]], old, None
        )
    return interest_id
