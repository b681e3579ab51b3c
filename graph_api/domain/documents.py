"""Documents about contacts: a title, a type, tags, the contacts it is about, and its
text split into chunks (by the chunker the caller passes: search's, which the domain
does not import) that are embedded in the background.

Caps, refused with BAD_USER_INPUT and nothing written (never truncated): content of
1 to CONTENT_MAX characters, at most MAX_CHUNKS chunks, MAX_CONTACTS contacts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol
from uuid import UUID

import asyncpg
from asyncpg import Record

from graph_api.domain import audit, events, mentions, validation
from graph_api.domain.actor import Actor
from graph_api.errors import InvalidInput, NotFound

TYPES = frozenset({"note", "article", "transcript", "email", "report", "other"})
SOURCES = frozenset({"api", "import"})
CONTENT_MAX = 200_000
TITLE_MAX = 200
MAX_CHUNKS = 1_000
MAX_CONTACTS = 50
AUDITED_COLUMNS = ("title", "type", "tags", "source")
NOT_FOUND = "Document not found"


class ChunkLike(Protocol):
    @property
    def position(self) -> int: ...
    @property
    def heading(self) -> str | None: ...
    @property
    def content(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


LOCK_CONTACT_KEYS = """-- lock_document_contacts
    select id
      from contacts
     where user_id = $1 and id = any($2::uuid[])
     order by id
       for key share
"""

INSERT_DOCUMENT = """-- insert_document
    insert into documents (user_id, title, type, content, tags, source)
    values ($1, $2, $3, $4, $5, $6)
    returning *
"""

INSERT_DOCUMENT_CONTACTS = """-- insert_document_contacts
    insert into document_contacts (user_id, document_id, contact_id)
    select $1, $2, contact_id
      from unnest($3::uuid[]) as contact_id
"""

# every chunk in one statement, pending its embedding
INSERT_CHUNKS = """-- insert_document_chunks
    insert into document_chunks (user_id, document_id, position, heading, content,
                                 start_offset, end_offset)
    select $1, $2, c.position, c.heading, c.content, c.start_offset, c.end_offset
      from unnest($3::integer[], $4::text[], $5::text[], $6::integer[], $7::integer[])
           as c(position, heading, content, start_offset, end_offset)
"""

DELETE_DOCUMENT = """-- delete_document
    delete from documents
     where user_id = $1 and id = $2
    returning *
"""


def document_content(value: object) -> str:
    """A document's text, trimmed: not blank, at most CONTENT_MAX characters."""
    if isinstance(value, str) and len(value) > CONTENT_MAX * 2:
        # far past the cap: refused before any work on it
        raise InvalidInput(f"content must be at most {CONTENT_MAX:,} characters", field="content")
    text = validation.optional_text(value, field="content", max_length=CONTENT_MAX)
    if text is None:
        raise InvalidInput("content must not be empty", field="content")
    return text


async def create_document(
    conn: asyncpg.Connection,
    actor: Actor,
    *,
    title: str,
    content: str,
    chunker: Callable[[str], Sequence[ChunkLike]],
    contact_ids: list[UUID] | None = None,
    tags: list[str] | None = None,
    type: str = "note",
    source: str = "api",
) -> Record:
    clean_title = validation.required_text(title, field="title", max_length=TITLE_MAX)
    text = document_content(content)
    doc_type = validation.choice(type, field="type", allowed=TYPES)
    doc_source = validation.choice(source, field="source", allowed=SOURCES)
    clean_tags = validation.tags(tags)
    contacts = validation.ids(
        contact_ids or [], field="contactIds", min_items=0, max_items=MAX_CONTACTS
    )
    chunks = list(chunker(text))
    if len(chunks) > MAX_CHUNKS:
        raise InvalidInput(
            f"content splits into {len(chunks):,} chunks, more than {MAX_CHUNKS:,}: "
            "split the document",
            field="content",
        )
    async with conn.transaction():
        if contacts:
            found = await conn.fetch(LOCK_CONTACT_KEYS, actor.user_id, contacts)
            if len(found) != len(contacts):
                raise NotFound("Contact not found", field="contactIds")
        row = await conn.fetchrow(
            INSERT_DOCUMENT, actor.user_id, clean_title, doc_type, text, clean_tags, doc_source
        )
        if contacts:
            await conn.execute(INSERT_DOCUMENT_CONTACTS, actor.user_id, row["id"], contacts)
        await conn.execute(
            INSERT_CHUNKS,
            actor.user_id,
            row["id"],
            [c.position for c in chunks],
            [c.heading for c in chunks],
            [c.content for c in chunks],
            [c.start for c in chunks],
            [c.end for c in chunks],
        )
        new = audit.pick(row, AUDITED_COLUMNS) | {
            "contact_ids": contacts,
            "characters": len(text),
            "chunks": len(chunks),
        }
        await audit.record(conn, actor, "create_document", [row["id"], *contacts], None, new)
        await mentions.record_mentions(conn, actor.user_id, text, document_id=row["id"])
        await events.emit(
            conn, [events.Event(actor.user_id, "document", "added", row["id"], tuple(contacts))]
        )
    return row


async def delete_document(conn: asyncpg.Connection, actor: Actor, document_id: UUID) -> UUID:
    async with conn.transaction():
        row = await conn.fetchrow(DELETE_DOCUMENT, actor.user_id, document_id)
        if row is None:
            raise NotFound(NOT_FOUND, field="id")
        await audit.record(
            conn, actor, "delete_document", [document_id], audit.pick(row, AUDITED_COLUMNS), None
        )
    return document_id
