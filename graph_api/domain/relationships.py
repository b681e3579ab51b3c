"""Explicit contact-to-contact relationships, stored once per pair in canonical order."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from asyncpg import Record

from graph_api.domain import audit, events, validation
from graph_api.domain.actor import Actor
from graph_api.errors import Conflict, InvalidInput, NotFound

TYPES = frozenset(
    {"colleague", "friend", "family", "client", "vendor", "mentor", "acquaintance", "other"}
)
# the GraphQL input field each updatable column comes from
UPDATABLE_FIELDS = {"type": "type", "manual_strength": "strength"}
AUDITED_COLUMNS = ("contact_a_id", "contact_b_id", "type", "manual_strength", "source")
NOT_FOUND = "Relationship not found"
CONTACT_NOT_FOUND = "Contact not found"

# key-share locks keep both contacts from being deleted before the insert lands
LOCK_CONTACT_KEYS = """-- lock_relationship_contacts
    select id
      from contacts
     where user_id = $1 and id = any($2::uuid[])
     order by id
       for key share
"""

# a tie inferred from shared interactions becomes explicit; a suppressed one (deleted)
# is declared again, under a new id, since the old one was deleted; a live explicit
# one is a conflict
INSERT_RELATIONSHIP = """-- insert_relationship
    insert into relationships (user_id, contact_a_id, contact_b_id, type, manual_strength)
    values ($1, $2, $3, $4, $5)
    on conflict (user_id, contact_a_id, contact_b_id) do update
       set id = case when relationships.suppressed_at is null then relationships.id
                     else gen_random_uuid() end,
           source = 'manual', type = excluded.type, manual_strength = excluded.manual_strength,
           suppressed_at = null, detected_at = now(), updated_at = now()
     where relationships.source = 'inferred' or relationships.suppressed_at is not null
    returning *
"""


LOCK_RELATIONSHIP = """-- lock_relationship
    select *
      from relationships
     where user_id = $1 and id = $2 and suppressed_at is null
       for update
"""

UPDATE_RELATIONSHIP = """-- update_relationship
    update relationships
       set type = $3, manual_strength = $4, updated_at = now()
     where user_id = $1 and id = $2
    returning *
"""

# deleting keeps the row as a suppression (migration 0007): were it gone, the
# next interaction the two share would infer the tie again
DELETE_RELATIONSHIP = """-- delete_relationship
    update relationships
       set suppressed_at = now(), updated_at = now()
     where user_id = $1 and id = $2 and suppressed_at is null
    returning *
"""


def _type(value: object) -> str:
    return validation.choice(value, field="type", allowed=TYPES)


def _strength(value: object) -> float | None:
    return validation.number(value, field="strength", minimum=0.0, maximum=1.0)


async def create_relationship(
    conn: asyncpg.Connection,
    actor: Actor,
    contact_a_id: UUID,
    contact_b_id: UUID,
    type: str = "other",
    manual_strength: float | None = None,
) -> Record:
    if contact_a_id == contact_b_id:
        raise InvalidInput("A contact cannot be related to itself", field="contactBId")
    relationship_type = _type(type)
    strength = _strength(manual_strength)
    low, high = sorted((contact_a_id, contact_b_id))
    async with conn.transaction():
        found = {
            row["id"] for row in await conn.fetch(LOCK_CONTACT_KEYS, actor.user_id, [low, high])
        }
        if contact_a_id not in found:
            raise NotFound(CONTACT_NOT_FOUND, field="contactAId")
        if contact_b_id not in found:
            raise NotFound(CONTACT_NOT_FOUND, field="contactBId")
        row = await conn.fetchrow(
            INSERT_RELATIONSHIP, actor.user_id, low, high, relationship_type, strength
        )
        if row is None:
            raise Conflict("These contacts are already related", field="contactBId")
        await audit.record(
            conn,
            actor,
            "create_relationship",
            [row["id"], low, high],
            None,
            audit.pick(row, AUDITED_COLUMNS),
        )
        await events.emit(conn, [events.relationship(actor.user_id, "created", row)])
    return row


async def update_relationship(
    conn: asyncpg.Connection, actor: Actor, relationship_id: UUID, fields: dict[str, Any]
) -> Record:
    unknown = fields.keys() - UPDATABLE_FIELDS.keys()
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(f"{name} is not a relationship field", field=name)
    values: dict[str, Any] = {}
    if "type" in fields:
        values["type"] = _type(fields["type"])
    if "manual_strength" in fields:
        values["manual_strength"] = _strength(fields["manual_strength"])
    async with conn.transaction():
        before = await conn.fetchrow(LOCK_RELATIONSHIP, actor.user_id, relationship_id)
        if before is None:
            raise NotFound(NOT_FOUND, field="id")
        after = {"type": before["type"], "manual_strength": before["manual_strength"]} | values
        row = await conn.fetchrow(
            UPDATE_RELATIONSHIP,
            actor.user_id,
            relationship_id,
            after["type"],
            after["manual_strength"],
        )
        old, new = audit.changes(before, row, values)
        targets = [relationship_id, row["contact_a_id"], row["contact_b_id"]]
        await audit.record(conn, actor, "update_relationship", targets, old, new)
        await events.emit(conn, [events.relationship(actor.user_id, "updated", row)])
    return row


async def delete_relationship(
    conn: asyncpg.Connection, actor: Actor, relationship_id: UUID
) -> UUID:
    async with conn.transaction():
        row = await conn.fetchrow(DELETE_RELATIONSHIP, actor.user_id, relationship_id)
        if row is None:
            raise NotFound(NOT_FOUND, field="id")
        targets = [relationship_id, row["contact_a_id"], row["contact_b_id"]]
        old = audit.pick(row, AUDITED_COLUMNS)
        await audit.record(conn, actor, "delete_relationship", targets, old, None)
        await events.emit(conn, [events.relationship(actor.user_id, "deleted", row)])
    return relationship_id
