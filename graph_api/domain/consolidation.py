"""Consolidation: a contact's old memories grouped by similarity, one SUMMARY memory
per group (extractive: domain/summaries.py), linking its sources; and its undoing.

Each summary links to each of its sources (DUPLICATES when the source nearly repeats
another of the group, FOLLOWS_UP otherwise; the strength is the source's similarity
to the group's centre). A source is marked with the summary it went into
(`consolidated_into`): hidden from default search, never deleted. `unconsolidate`
deletes the summary (its links go with it) and brings the sources back; so does
deleting the summary.

Only embedded memories are grouped (a pending one waits for a later run); a summary
is never consolidated again, and a memory already in one is refused when asked for by
id (CONFLICT). Everything is written in the caller's transaction, after every check:
a refused consolidation writes nothing. The candidates are locked as they are read,
so two consolidations of one contact at once cannot use a memory twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg
from asyncpg import Record

from graph_api.db import columns
from graph_api.domain import audit, events, mentions, validation
from graph_api.domain.actor import Actor
from graph_api.domain.memories import INSERT_MEMORY
from graph_api.domain.summaries import DEFAULT_MIN_SIMILARITY, Source, group, link_types, summarise
from graph_api.errors import Conflict, InvalidInput, NotFound

# a contact's oldest memories per run: grouping is cubic in their number
MAX_CANDIDATES = 200
MAX_CHOSEN = 200

ELIGIBLE = """m.consolidated_into is null and m.embedding is not null
       and (m.expires_at is null or m.expires_at > now())
       and not exists (select 1 from memories s
                        where s.user_id = m.user_id and s.consolidated_into = m.id)"""

LOCK_CONTACT = """-- lock_consolidated_contact
    select id from contacts where user_id = $1 and id = $2 for key share"""

# embeddings as real[]: the same values whether or not the connection has pgvector's codec
CANDIDATES = f"""-- consolidation_candidates
    select m.id, m.title, m.content, m.embedding::real[] as embedding, m.importance, m.tags, m.created_at
      from memories m
     where m.user_id = $1 and m.contact_id = $2 and m.created_at < $3 and {ELIGIBLE}
     order by m.created_at, m.id
     limit $4
       for update of m"""

CHOSEN = """-- consolidation_chosen
    select m.id, m.contact_id, m.title, m.content, m.embedding::real[] as embedding, m.importance, m.tags,
           m.created_at, m.consolidated_into,
           exists (select 1 from memories s
                    where s.user_id = m.user_id and s.consolidated_into = m.id) as is_summary
      from memories m
     where m.user_id = $1 and m.id = any($2::uuid[])
     order by m.created_at, m.id
       for update of m"""

# the contacts the periodic job looks at: two or more memories it could group
CONTACTS_TO_CONSOLIDATE = f"""-- contacts_to_consolidate
    select m.contact_id
      from memories m
     where m.user_id = $1 and m.contact_id is not null and m.created_at < $2 and {ELIGIBLE}
     group by m.contact_id
    having count(*) >= 2
     order by m.contact_id"""

INSERT_LINKS = """-- insert_consolidation_links
    insert into memory_links (user_id, from_memory_id, to_memory_id, type, strength)
    select $1, $2, l.to_id, l.type, l.strength
      from unnest($3::uuid[], $4::text[], $5::float8[]) as l(to_id, type, strength)"""

MARK_SOURCES = """-- mark_consolidated_sources
    update memories
       set consolidated_into = $2
     where user_id = $1 and id = any($3::uuid[])"""

LOCK_SUMMARY = """-- lock_consolidation_summary
    select id, contact_id from memories where user_id = $1 and id = $2 for update"""

RESTORE_SOURCES = f"""-- restore_consolidated_sources
    update memories m
       set consolidated_into = null
     where m.user_id = $1 and m.consolidated_into = $2
    returning {columns.MEMORY}"""

DELETE_SUMMARY = """-- delete_consolidation_summary
    delete from memories where user_id = $1 and id = $2"""


@dataclass(frozen=True)
class Consolidation:
    summaries: list[Record]
    sources: int  # how many memories went into them


async def consolidate_contact(
    conn: asyncpg.Connection,
    actor: Actor,
    contact_id: UUID,
    older_than: datetime,
    *,
    memory_ids: Sequence[UUID] | None = None,
    min_similarity: float | None = None,
) -> Consolidation:
    """Group the contact's memories created before `older_than` (or exactly
    `memory_ids`, which must all be eligible) and write a summary per group."""
    cutoff = validation.timestamp(older_than, field="olderThan")
    threshold = validation.number(min_similarity, field="minSimilarity", minimum=0.0, maximum=1.0)
    async with conn.transaction():
        if await conn.fetchval(LOCK_CONTACT, actor.user_id, contact_id) is None:
            raise NotFound("Contact not found", field="contactId")
        if memory_ids is None:
            rows = list(
                await conn.fetch(CANDIDATES, actor.user_id, contact_id, cutoff, MAX_CANDIDATES)
            )
        else:
            rows = await _chosen(conn, actor, contact_id, cutoff, memory_ids)
        sources = [Source(_text(r), r["embedding"]) for r in rows]
        groups = group(sources, DEFAULT_MIN_SIMILARITY if threshold is None else threshold)
        summaries = [
            await _write_summary(conn, actor, contact_id, rows, sources, members)
            for members in groups
        ]
        return Consolidation(summaries, sum(len(members) for members in groups))


async def _chosen(
    conn: asyncpg.Connection,
    actor: Actor,
    contact_id: UUID,
    cutoff: datetime,
    memory_ids: Sequence[UUID],
) -> list[Record]:
    ids = validation.ids(list(memory_ids), field="memoryIds", min_items=2, max_items=MAX_CHOSEN)
    rows = list(await conn.fetch(CHOSEN, actor.user_id, ids))
    if len(rows) != len(ids):
        raise NotFound("Memory not found", field="memoryIds")
    for row in rows:
        if row["consolidated_into"] is not None or row["is_summary"]:
            raise Conflict(
                "a memory asked for is already consolidated (or is a summary); unconsolidate first",
                field="memoryIds",
            )
        if row["contact_id"] != contact_id:
            raise InvalidInput("every memory must be about the contact", field="memoryIds")
        if row["embedding"] is None:
            raise InvalidInput(
                "a memory asked for is not embedded yet; try again shortly", field="memoryIds"
            )
        if row["created_at"] >= cutoff:
            raise InvalidInput("a memory asked for is not older than olderThan", field="memoryIds")
    return rows


def _text(row: Record) -> str:
    title, content = row["title"], row["content"]
    return f"{title}. {content}" if title else content


async def _write_summary(
    conn: asyncpg.Connection,
    actor: Actor,
    contact_id: UUID,
    rows: Sequence[Record],
    sources: Sequence[Source],
    members: Sequence[int],
) -> Record:
    chosen = [rows[i] for i in members]
    content = summarise([sources[i].text for i in members])
    first, last = chosen[0]["created_at"], chosen[-1]["created_at"]
    title = f"Summary of {len(chosen)} memories, {first:%Y-%m-%d} to {last:%Y-%m-%d}"
    tags = list(dict.fromkeys(tag for row in chosen for tag in row["tags"]))[: validation.MAX_TAGS]
    importance = max(row["importance"] for row in chosen)
    # embedded in the background (pending): a model is never run inside a transaction
    summary = await conn.fetchrow(
        INSERT_MEMORY,
        actor.user_id,
        contact_id,
        "summary",
        title,
        content,
        tags,
        importance,
        None,  # expires_at: a summary is kept
        None,
        None,
    )
    kinds = link_types(sources, members)
    source_ids = [row["id"] for row in chosen]
    await conn.execute(
        INSERT_LINKS,
        actor.user_id,
        summary["id"],
        source_ids,
        [kind for kind, _ in kinds],
        [strength for _, strength in kinds],
    )
    await conn.execute(MARK_SOURCES, actor.user_id, summary["id"], source_ids)
    new = {"summary": audit.pick(summary, ("title", "content")), "source_ids": source_ids}
    await audit.record(conn, actor, "consolidate_memories", [summary["id"], *source_ids], None, new)
    await mentions.record_mentions(conn, actor.user_id, content, memory_id=summary["id"])
    await events.emit(
        conn, [events.Event(actor.user_id, "memory", "added", summary["id"], (contact_id,))]
    )
    return summary


async def unconsolidate(conn: asyncpg.Connection, actor: Actor, summary_id: UUID) -> list[Record]:
    """Delete a consolidation summary and bring its sources back; the sources."""
    async with conn.transaction():
        summary = await conn.fetchrow(LOCK_SUMMARY, actor.user_id, summary_id)
        if summary is None:
            raise NotFound("Memory not found", field="id")
        restored = list(await conn.fetch(RESTORE_SOURCES, actor.user_id, summary_id))
        if not restored:
            raise InvalidInput("this memory is not a consolidation summary", field="id")
        await conn.execute(DELETE_SUMMARY, actor.user_id, summary_id)
        source_ids = [row["id"] for row in restored]
        await audit.record(
            conn,
            actor,
            "unconsolidate",
            [summary_id, *source_ids],
            {"source_ids": source_ids},
            None,
        )
    return restored


async def consolidate_user(
    conn: asyncpg.Connection, actor: Actor, older_than: datetime
) -> Consolidation:
    """Every contact of the user's with memories to group (the CLI's and the periodic
    job's share), in the caller's transaction."""
    contacts = await conn.fetch(CONTACTS_TO_CONSOLIDATE, actor.user_id, older_than)
    summaries: list[Record] = []
    sources = 0
    for row in contacts:
        done = await consolidate_contact(conn, actor, row["contact_id"], older_than)
        summaries += done.summaries
        sources += done.sources
    return Consolidation(summaries, sources)
