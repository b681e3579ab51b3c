"""Forgetting a contact for good: what `delete_contact`'s cascade does not reach.

Deleting the contact row cascades to their participations, interests, memories,
relationships and profile embedding, and `delete_contact` blanks the audit values that
name them. An interaction, though, belongs to the user, not to one contact: the person
leaves a shared one (their participation goes), but one where they were the only
participant would stay behind, subject and content readable, with no one in it. So
those go first, with the audit values that recorded them.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from graph_api.domain.actor import Actor

DELETE_SOLO_INTERACTIONS = """-- forget_solo_interactions
    delete from interactions i
     where i.user_id = $1
       and exists (select 1 from interaction_participants p
                    where p.user_id = $1 and p.interaction_id = i.id and p.contact_id = $2)
       and not exists (select 1 from interaction_participants p
                        where p.user_id = $1 and p.interaction_id = i.id and p.contact_id <> $2)
    returning i.id
"""

FORGET_INTERACTION_AUDIT_VALUES = """-- forget_interaction_audit_values
    update audit_log
       set old_values = null, new_values = null
     where user_id = $1 and target_ids && $2::uuid[]
       and (old_values is not null or new_values is not null)
"""

SAME_EMAIL = """-- contacts_with_same_email
    select id, full_name
      from contacts
     where user_id = $1 and lower(email) = lower($2) and id <> $3
     order by created_at, id
     limit 5
"""


async def forget_solo_interactions(
    conn: asyncpg.Connection, actor: Actor, contact_id: UUID
) -> list[UUID]:
    """Delete the interactions `contact_id` was alone in (in the caller's transaction)."""
    deleted = [
        row["id"] for row in await conn.fetch(DELETE_SOLO_INTERACTIONS, actor.user_id, contact_id)
    ]
    if deleted:
        await conn.execute(FORGET_INTERACTION_AUDIT_VALUES, actor.user_id, deleted)
    return deleted


async def same_email(
    conn: asyncpg.Connection, actor: Actor, contact_id: UUID, email: str | None
) -> list[asyncpg.Record]:
    """Other contacts with this email (case-insensitive): a second person for one address
    is worth a warning, not a refusal (a shared family address is real)."""
    if not email:
        return []
    return list(await conn.fetch(SAME_EMAIL, actor.user_id, email, contact_id))
