"""Contact profiles by meaning: who someone is (name, role, company, place, bio, tags,
interests) embedded as one text, for `searchContacts` and `Contact.similarContacts`.

Profiles are embedded in the background, not in the writing request: a stale or
missing profile (its text differs from the contact's current one) is picked up by
the same task that embeds pending memories, and by `graph-api reembed`; user by
user, as row-level security shows one tenant at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from graph_api.db import columns, tenant
from graph_api.search.embeddings import EmbeddingProvider
from graph_api.search.nearest import nearest_per_parent
from graph_api.search.reembed import embed_rows

# Contacts written outside a serving process (`graph-api seed`, `graph-api import`) are
# announced here as the write commits, payload the user's id: every serve process's
# background embedder hears it and embeds that user's stale profiles promptly.
PROFILES_STALE = "contact_profiles_stale"
ANNOUNCE_STALE = "-- announce_stale_profiles\n select pg_notify('contact_profiles_stale', $1::text)"


async def announce_stale(conn: asyncpg.Connection, user_id: UUID) -> None:
    """Tell the serving processes that `user_id`'s contacts changed (sent at commit)."""
    await conn.execute(ANNOUNCE_STALE, str(user_id))


# the profile text, computed by the database so staleness and embedding agree
PROFILE_TEXT = """concat_ws('. ',
        c.full_name,
        nullif(concat_ws(' at ', c.job_title, c.company), ''),
        c.location,
        c.bio,
        nullif(array_to_string(c.tags, ', '), ''),
        (select 'Interests: ' || string_agg(i.topic, ', ' order by i.confidence desc, i.topic)
           from interests i where i.user_id = c.user_id and i.contact_id = c.id))"""

STALE_PROFILES = f"""-- stale_contact_profiles
    select c.id, {PROFILE_TEXT} as profile_text
      from contacts c
      left join contact_profiles p on p.user_id = c.user_id and p.contact_id = c.id
     where c.user_id = $1
       and (p.contact_id is null or p.embedding_model <> $2 or p.profile_text <> {PROFILE_TEXT})
       and c.id > $3
     order by c.id
     limit $4"""

COUNT_STALE_PROFILES = f"""-- stale_contact_profiles_count
    select count(*)
      from contacts c
      left join contact_profiles p on p.user_id = c.user_id and p.contact_id = c.id
     where c.user_id = $1
       and (p.contact_id is null or p.embedding_model <> $2 or p.profile_text <> {PROFILE_TEXT})"""

# the contact may have been deleted since it was read: then nothing is stored
STORE_PROFILE = """-- store_contact_profile
    insert into contact_profiles (user_id, contact_id, profile_text, embedding, embedding_model)
    select $1, $2, $3, $4, $5
     where exists (select 1 from contacts where user_id = $1 and id = $2)
    on conflict (user_id, contact_id) do update
       set profile_text = excluded.profile_text, embedding = excluded.embedding,
           embedding_model = excluded.embedding_model, embedded_at = now()"""

SEARCH_CONTACTS = f"""-- search_contacts
    select {columns.CONTACT}, 1 - (p.embedding <=> $2) as score
      from contact_profiles p
      join contacts c on c.user_id = p.user_id and c.id = p.contact_id
     where p.user_id = $1 and c.archived_at is null
     order by (p.embedding <=> $2) + 0, c.id
     limit $3"""

COUNT_PROFILES = """-- contact_profiles_count
    select count(*) from (select 1 from contact_profiles where user_id = $1 limit $2) capped"""


def similar_statement(exact: bool) -> str:
    """Each parent contact's nearest profiles: $1 user, $2 parent ids, $3 how many each."""
    distance = "(p.embedding <=> source.embedding)" + (" + 0" if exact else "")
    return f"""-- similar_contacts
    select source.contact_id as parent_id, nearby.*
      from contact_profiles source
     cross join lateral (
            select {columns.CONTACT}, 1 - (p.embedding <=> source.embedding) as score
              from contact_profiles p
              join contacts c on c.user_id = p.user_id and c.id = p.contact_id
             where p.user_id = $1 and p.contact_id <> source.contact_id and c.archived_at is null
             order by {distance}
             limit $3) nearby
     where source.user_id = $1 and source.contact_id = any($2::uuid[])
     order by source.contact_id, nearby.score desc, nearby.id"""


FIRST_ID = UUID(int=0)


@dataclass(frozen=True)
class ContactHit:
    row: asyncpg.Record
    score: float


async def count_stale_profiles(pool: asyncpg.Pool, model: str) -> int:
    count = 0
    for user_id in await tenant.all_users(pool):
        count += await tenant.fetchval(pool, user_id, COUNT_STALE_PROFILES, user_id, model)
    return count


async def embed_profiles(
    pool: asyncpg.Pool,
    provider: EmbeddingProvider,
    *,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
    user_id: UUID | None = None,
) -> int:
    """Embed every missing or stale profile (of one user, when given, else of every
    user in turn); returns how many were stored."""
    users = [user_id] if user_id is not None else await tenant.all_users(pool)
    stored = 0
    for user in users:
        stored += await _embed_profiles_of(pool, provider, user, batch_size, progress)
    return stored


async def _embed_profiles_of(
    pool: asyncpg.Pool,
    provider: EmbeddingProvider,
    user_id: UUID,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> int:
    stored = 0
    after = FIRST_ID
    while True:
        rows = await tenant.fetch(
            pool, user_id, STALE_PROFILES, user_id, provider.model, after, batch_size
        )
        if not rows:
            return stored
        # no connection is held while the provider thinks
        vectors = await embed_rows(provider, [row["profile_text"] for row in rows])
        async with tenant.tenant_transaction(pool, user_id) as conn:
            await conn.executemany(
                STORE_PROFILE,
                [
                    (user_id, row["id"], row["profile_text"], vector, provider.model)
                    for row, vector in zip(rows, vectors, strict=True)
                    if vector is not None
                ],
            )
        stored += sum(vector is not None for vector in vectors)
        after = rows[-1]["id"]
        if progress is not None:
            progress(len(rows))


async def search_contacts(
    pool: asyncpg.Pool, user_id: UUID, vector: list[float], limit: int
) -> list[ContactHit]:
    """Contacts whose profile is nearest in meaning (an exact scan of the user's)."""
    rows = await tenant.fetch(pool, user_id, SEARCH_CONTACTS, user_id, vector, limit)
    return [ContactHit(row, row["score"]) for row in rows]


async def similar_contacts(
    pool: asyncpg.Pool, user_id: UUID, contact_ids: Sequence[UUID], limit: int
) -> list[list[ContactHit]]:
    """The contacts whose profiles are nearest to each of these, in one statement."""
    found = await nearest_per_parent(
        pool, user_id, contact_ids, limit, statement=similar_statement, count=COUNT_PROFILES
    )
    return [[ContactHit(row, row["score"]) for row in found.get(key, [])] for key in contact_ids]
