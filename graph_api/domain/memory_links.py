"""Stored links between two memories: a type (supports, contradicts, follows up,
duplicates, related) and a strength, from one memory to another.

Both memories must be the user's (another user's id is as unknown as a missing one)
and different; a pair holds each type once per direction (CONFLICT on a second).
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
from asyncpg import Record

from graph_api.domain import audit, validation
from graph_api.domain.actor import Actor
from graph_api.errors import Conflict, InvalidInput, NotFound

TYPES = frozenset({"supports", "contradicts", "follows_up", "duplicates", "related"})
DEFAULT_STRENGTH = 1.0
AUDITED_COLUMNS = ("from_memory_id", "to_memory_id", "type", "strength")

# key share: neither memory can be deleted under the new link before it commits
LOCK_MEMORY_KEYS = """-- lock_linked_memories
    select id
      from memories
     where user_id = $1 and id = any($2::uuid[]) and (expires_at is null or expires_at > now())
     order by id
       for key share
"""

INSERT_LINK = """-- insert_memory_link
    insert into memory_links (user_id, from_memory_id, to_memory_id, type, strength)
    values ($1, $2, $3, $4, $5)
    on conflict (user_id, from_memory_id, to_memory_id, type) do nothing
    returning *
"""

DELETE_LINKS = """-- delete_memory_links
    delete from memory_links
     where user_id = $1 and from_memory_id = $2 and to_memory_id = $3
       and ($4::text is null or type = $4)
    returning *
"""


async def link_memories(
    conn: asyncpg.Connection,
    actor: Actor,
    *,
    from_id: UUID,
    to_id: UUID,
    type: str,
    strength: float | None = None,
) -> Record:
    link_type = validation.choice(type, field="type", allowed=TYPES)
    value = validation.number(strength, field="strength", minimum=0.0, maximum=1.0)
    if from_id == to_id:
        raise InvalidInput("a memory cannot be linked to itself", field="toId")
    async with conn.transaction():
        found = {
            row["id"] for row in await conn.fetch(LOCK_MEMORY_KEYS, actor.user_id, [from_id, to_id])
        }
        for memory_id, field in ((from_id, "fromId"), (to_id, "toId")):
            if memory_id not in found:
                raise NotFound("Memory not found", field=field)
        row = await conn.fetchrow(
            INSERT_LINK,
            actor.user_id,
            from_id,
            to_id,
            link_type,
            DEFAULT_STRENGTH if value is None else value,
        )
        if row is None:
            raise Conflict(
                f"these memories are already linked as {link_type}; unlink them first to change it",
                field="type",
            )
        targets = [row["id"], from_id, to_id]
        await audit.record(
            conn, actor, "link_memories", targets, None, audit.pick(row, AUDITED_COLUMNS)
        )
    return row


async def unlink_memories(
    conn: asyncpg.Connection,
    actor: Actor,
    *,
    from_id: UUID,
    to_id: UUID,
    type: str | None = None,
) -> list[Record]:
    """Delete the links from one memory to another (of one type, or every type)."""
    link_type = None if type is None else validation.choice(type, field="type", allowed=TYPES)
    async with conn.transaction():
        rows = list(await conn.fetch(DELETE_LINKS, actor.user_id, from_id, to_id, link_type))
        if not rows:
            raise NotFound("no such link between these memories", field="toId")
        for row in rows:
            await audit.record(
                conn,
                actor,
                "unlink_memories",
                [row["id"], from_id, to_id],
                audit.pick(row, AUDITED_COLUMNS),
                None,
            )
    return rows
