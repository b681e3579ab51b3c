"""Memories: notes, summaries, insights, briefings and talking points, about one contact
or (without a contact) about the network as a whole."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from asyncpg import Record

from graph_api.domain import audit, events, mentions, validation
from graph_api.domain.actor import Actor
from graph_api.errors import InvalidInput, NotFound

TYPES = frozenset({"note", "summary", "insight", "briefing", "talking_point"})
CONTENT_MAX = 20_000
TITLE_MAX = 200
# the one cap on a memory's source interactions (the API refuses more, never truncates)
MAX_SOURCES = 100
DEFAULT_IMPORTANCE = 0.5
# the GraphQL input field each updatable column comes from
UPDATABLE_FIELDS = {
    "content": "content",
    "title": "title",
    "type": "type",
    "tags": "tags",
    "importance": "importance",
    "contact_id": "contactId",
    "expires_at": "expiresAt",
}
AUDITED_COLUMNS = ("contact_id", "type", "title", "content", "tags", "importance", "expires_at")
NOT_FOUND = "Memory not found"

LOCK_CONTACT_KEY = """-- lock_memory_contact
    select id
      from contacts
     where user_id = $1 and id = $2
       for key share
"""

LOCK_INTERACTION_KEYS = """-- lock_memory_source_interactions
    select id
      from interactions
     where user_id = $1 and id = any($2::uuid[])
     order by id
       for key share
"""

INSERT_MEMORY = """-- insert_memory
    insert into memories (user_id, contact_id, type, title, content, tags, importance,
                          expires_at, embedding, embedding_model)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    returning *
"""

INSERT_MEMORY_SOURCES = """-- insert_memory_sources
    insert into memory_sources (user_id, memory_id, interaction_id)
    select $1, $2, interaction_id
      from unnest($3::uuid[]) as interaction_id
"""

LOCK_MEMORY = """-- lock_memory
    select *
      from memories
     where user_id = $1 and id = $2 and (expires_at is null or expires_at > now())
       for update
"""

# a changed text makes the stored embedding stale: it is replaced by the new one, or
# cleared (pending) so re-embedding picks it up
UPDATE_MEMORY = """-- update_memory
    update memories
       set contact_id = $3, type = $4, title = $5, content = $6, tags = $7, importance = $8,
           expires_at = $9,
           embedding = case when $10::boolean then $11::vector else embedding end,
           embedding_model = case when $10::boolean then $12::text else embedding_model end,
           updated_at = now()
     where user_id = $1 and id = $2
    returning *
"""

DELETE_MEMORY = """-- delete_memory
    delete from memories
     where user_id = $1 and id = $2
    returning *
"""


def _validate_field(name: str, value: Any) -> Any:
    field = UPDATABLE_FIELDS.get(name)
    if field is None:
        raise InvalidInput(f"{name} is not a memory field", field=name)
    if name == "content":
        return validation.required_text(value, field=field, max_length=CONTENT_MAX)
    if name == "title":
        return validation.optional_text(value, field=field, max_length=TITLE_MAX)
    if name == "type":
        return validation.choice(value, field=field, allowed=TYPES)
    if name == "tags":
        return validation.tags(value, field=field)
    if name == "importance":
        importance = validation.number(value, field=field, minimum=0.0, maximum=1.0)
        if importance is None:
            raise InvalidInput("importance cannot be cleared", field=field)
        return importance
    if name == "expires_at":
        return _expiry(value, field=field)
    if value is not None and not isinstance(value, UUID):
        raise InvalidInput("contactId must be an id", field=field)
    return value


def _expiry(value: Any, *, field: str) -> datetime | None:
    """A moment still to come, or None (kept until deleted). One in the past is refused:
    the memory would vanish as it is written (`deleteMemory` forgets at once)."""
    moment = validation.optional_timestamp(value, field=field)
    if moment is not None and moment <= datetime.now(UTC):
        raise InvalidInput(f"{field} must be in the future", field=field)
    return moment


async def _check_contact(conn: asyncpg.Connection, actor: Actor, contact_id: UUID) -> None:
    if await conn.fetchval(LOCK_CONTACT_KEY, actor.user_id, contact_id) is None:
        raise NotFound("Contact not found", field="contactId")


def _targets(memory_id: UUID, *contact_ids: UUID | None) -> list[UUID]:
    targets = [memory_id]
    for contact_id in contact_ids:
        if contact_id is not None and contact_id not in targets:
            targets.append(contact_id)
    return targets


async def create_memory(
    conn: asyncpg.Connection,
    actor: Actor,
    *,
    content: str,
    contact_id: UUID | None = None,
    type: str = "note",
    title: str | None = None,
    tags: list[str] | None = None,
    importance: float | None = None,
    source_interaction_ids: list[UUID] | None = None,
    embedding: list[float] | None = None,
    embedding_model: str | None = None,
    expires_at: datetime | None = None,
) -> Record:
    """`embedding` is the already validated vector of title + content, or None (pending)."""
    values = {
        "contact_id": _validate_field("contact_id", contact_id),
        "type": _validate_field("type", type),
        "title": _validate_field("title", title),
        "content": _validate_field("content", content),
        "tags": _validate_field("tags", tags),
        "importance": DEFAULT_IMPORTANCE,
        "expires_at": _validate_field("expires_at", expires_at),
    }
    if importance is not None:
        values["importance"] = _validate_field("importance", importance)
    sources = validation.ids(
        source_interaction_ids or [],
        field="sourceInteractionIds",
        min_items=0,
        max_items=MAX_SOURCES,
    )
    async with conn.transaction():
        if contact_id is not None:
            await _check_contact(conn, actor, contact_id)
        if sources:
            found = await conn.fetch(LOCK_INTERACTION_KEYS, actor.user_id, sources)
            if len(found) != len(sources):
                raise NotFound("Interaction not found", field="sourceInteractionIds")
        row = await conn.fetchrow(
            INSERT_MEMORY,
            actor.user_id,
            *(values[name] for name in AUDITED_COLUMNS),
            embedding,
            embedding_model if embedding is not None else None,
        )
        if sources:
            await conn.execute(INSERT_MEMORY_SOURCES, actor.user_id, row["id"], sources)
        new = audit.pick(row, AUDITED_COLUMNS) | {"source_interaction_ids": sources}
        targets = _targets(row["id"], contact_id)
        await audit.record(conn, actor, "create_memory", targets, None, new)
        await mentions.record_mentions(conn, actor.user_id, row["content"], memory_id=row["id"])
        contacts = () if contact_id is None else (contact_id,)
        await events.emit(
            conn, [events.Event(actor.user_id, "memory", "added", row["id"], contacts)]
        )
    return row


def _same_text(text: tuple[str | None, str]) -> tuple[str, str]:
    title, content = text
    return ((title or "").strip(), content.strip())


async def update_memory(
    conn: asyncpg.Connection,
    actor: Actor,
    memory_id: UUID,
    fields: dict[str, Any],
    embedding: list[float] | None = None,
    embedding_model: str | None = None,
    embedded_text: tuple[str | None, str] | None = None,
) -> Record:
    """`embedding`, when given, is the vector of `embedded_text` (title, content); it is
    stored only if that is still the memory's text once the row is locked (an edit in
    between would make it wrong: the memory is left pending instead)."""
    values = {name: _validate_field(name, value) for name, value in fields.items()}
    async with conn.transaction():
        before = await conn.fetchrow(LOCK_MEMORY, actor.user_id, memory_id)
        if before is None:
            raise NotFound(NOT_FOUND, field="id")
        if values.get("contact_id") is not None and values["contact_id"] != before["contact_id"]:
            await _check_contact(conn, actor, values["contact_id"])
        after = {name: before[name] for name in AUDITED_COLUMNS} | values
        text_changed = any(after[name] != before[name] for name in ("title", "content"))
        if embedded_text is not None and _same_text(embedded_text) != _same_text(
            (after["title"], after["content"])
        ):
            embedding = None
        row = await conn.fetchrow(
            UPDATE_MEMORY,
            actor.user_id,
            memory_id,
            *(after[name] for name in AUDITED_COLUMNS),
            text_changed or embedding is not None,
            embedding,
            embedding_model if embedding is not None else None,
        )
        old, new = audit.changes(before, row, values)
        targets = _targets(memory_id, before["contact_id"], row["contact_id"])
        await audit.record(conn, actor, "update_memory", targets, old, new)
        if row["content"] != before["content"]:
            await mentions.record_mentions(conn, actor.user_id, row["content"], memory_id=memory_id)
    return row


async def delete_memory(conn: asyncpg.Connection, actor: Actor, memory_id: UUID) -> UUID:
    async with conn.transaction():
        row = await conn.fetchrow(DELETE_MEMORY, actor.user_id, memory_id)
        if row is None:
            raise NotFound(NOT_FOUND, field="id")
        old = audit.pick(row, AUDITED_COLUMNS)
        await audit.record(
            conn, actor, "delete_memory", _targets(memory_id, row["contact_id"]), old, None
        )
    return memory_id
