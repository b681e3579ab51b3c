"""Resolving a mention by hand: linking it to a contact (resolveMention), or creating
the contact it names and linking it (createContactFromMention).

A resolved mention's method becomes 'manual' with confidence 1, and the matching of a
later edit of its text keeps the link (domain/mentions.py). With `same_name`, every
other unresolved mention of the same name (case-insensitive) is resolved with it, in
one statement.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from asyncpg import Record

from graph_api.db import columns
from graph_api.domain import audit, contacts
from graph_api.domain.actor import Actor
from graph_api.domain.mentions import MANUAL
from graph_api.errors import Conflict, NotFound

LOCK_MENTION = """-- lock_mention
    select id, surface, contact_id
      from mentions
     where user_id = $1 and id = $2
       for update"""

# key share: the contact cannot be deleted under the new links before they commit
LOCK_CONTACT = """-- lock_mention_contact
    select id
      from contacts
     where user_id = $1 and id = $2 and archived_at is null
       for key share"""

RESOLVE = f"""-- resolve_mentions
    update mentions x
       set contact_id = $3, confidence = 1, method = '{MANUAL}'
     where x.user_id = $1
       and (x.id = $2
            or ($4 and x.contact_id is null and lower(x.surface) = lower($5)))
    returning {columns.MENTION}"""


async def _resolve(
    conn: asyncpg.Connection,
    actor: Actor,
    operation: str,
    mention: Record,
    contact_id: UUID,
    same_name: bool,
) -> list[Record]:
    rows = list(
        await conn.fetch(
            RESOLVE, actor.user_id, mention["id"], contact_id, same_name, mention["surface"]
        )
    )
    await audit.record(
        conn,
        actor,
        operation,
        [contact_id, *(row["id"] for row in rows)],
        {"contact_id": mention["contact_id"]},
        {"contact_id": contact_id, "surface": mention["surface"], "mentions": len(rows)},
    )
    return rows


async def _lock_mention(conn: asyncpg.Connection, actor: Actor, mention_id: UUID) -> Record:
    mention = await conn.fetchrow(LOCK_MENTION, actor.user_id, mention_id)
    if mention is None:
        raise NotFound("Mention not found", field="id")
    return mention


async def resolve_mention(
    conn: asyncpg.Connection,
    actor: Actor,
    mention_id: UUID,
    contact_id: UUID,
    *,
    same_name: bool = False,
) -> list[Record]:
    """Link a mention (resolved or not: a wrong link is corrected the same way) to one
    of the user's contacts; the mentions changed, this one first."""
    async with conn.transaction():
        mention = await _lock_mention(conn, actor, mention_id)
        if await conn.fetchval(LOCK_CONTACT, actor.user_id, contact_id) is None:
            raise NotFound("Contact not found", field="contactId")
        rows = await _resolve(conn, actor, "resolve_mention", mention, contact_id, same_name)
    return sorted(rows, key=lambda row: row["id"] != mention_id)


async def create_contact_from_mention(
    conn: asyncpg.Connection,
    actor: Actor,
    mention_id: UUID,
    fields: dict[str, Any],
    *,
    same_name: bool = True,
) -> tuple[Record, list[Record]]:
    """A new contact named as the mention is written (unless `fields` names it), the
    mention linked to it (and, with `same_name`, every unresolved one of that name).
    A mention already linked to a contact is refused (CONFLICT): resolveMention
    corrects a link."""
    async with conn.transaction():
        mention = await _lock_mention(conn, actor, mention_id)
        if mention["contact_id"] is not None:
            raise Conflict(
                "this mention is already linked to a contact; use resolveMention to change it",
                field="id",
            )
        contact = await contacts.create_contact(
            conn, actor, {"full_name": mention["surface"]} | fields
        )
        rows = await _resolve(
            conn, actor, "create_contact_from_mention", mention, contact["id"], same_name
        )
    return contact, sorted(rows, key=lambda row: row["id"] != mention_id)
