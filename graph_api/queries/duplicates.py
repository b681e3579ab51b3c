"""`duplicateCandidates`: pairs of the user's contacts that are probably one person.

Two reads, then the pure detector (graph_api/domain/duplicates.py) off the event loop:
the people, and each described profile's `NEAR_PROFILES_K` nearest profiles at cosine
≥ `PROFILE_SIMILARITY_MIN`, in one statement. That statement costs
O(profiles × one nearest-neighbour probe): through the HNSW index for a large network
(iterative scans, so the `user_id` filter cannot cut a probe short), exactly for a
small one: scanning the user's profiles once per profile (≤ `EXACT_PROFILES_LIMIT`²
distances, ~150 ms) does not depend on how many other users' rows the shared index
holds, which each probe of a small tenant would have to skip. Neither compares all
pairs in Python. A probe that still comes back short in the index path is
not asked again: a missing neighbour costs one possible reason, not a wrong answer; and
a statement that outlasts the statement timeout costs every profile reason (logged),
not the answer. Measured in benchmarks/duplicates_scale.py (docs/benchmarks.md).

Only profiles worth comparing take part: embedded by the same model on both sides
(cosines across models mean nothing), of unarchived contacts, and saying more than the
name and the company (a profile of nothing else repeats evidence the name and company
reasons weigh already). A contact whose profile is not embedded yet is simply absent.
"""

from __future__ import annotations

import asyncio
import logging
from uuid import UUID

import asyncpg

from graph_api.db import tenant
from graph_api.domain import duplicates
from graph_api.search import memories as search

logger = logging.getLogger("graph_api.duplicates")

# the fields the detector compares; archived contacts are left out (set aside already)
PEOPLE = """-- duplicate_candidates_people
    select id, full_name, email, phone, company
      from contacts
     where user_id = $1 and archived_at is null
"""

NEAR_PROFILES_K = 5
# pgvector's default candidate list: plenty for 5 neighbours, and half the buffers of the
# 100 memory search asks for (benchmarks/duplicates_scale.py)
EF_SEARCH = 40
# a tenant with at most this many contacts is scanned exactly (≤ 250,000 distances)
EXACT_PROFILES_LIMIT = 500


# "described": the stored profile text is more than `name` or `name. company`
# (graph_api/search/profiles.py's PROFILE_TEXT). The similarity threshold is applied
# after the `limit`, so a profile with no near neighbour costs k rows, not a long scan.
def _near_profiles(distance: str) -> str:
    """$1 user, $2 k, $3 the least cosine similarity."""
    return f"""-- duplicate_candidates_near_profiles
    select source.contact_id as a, near.contact_id as b, near.similarity
      from contact_profiles source
      join contacts c on c.user_id = source.user_id and c.id = source.contact_id
     cross join lateral (
            select p.contact_id, 1 - (p.embedding <=> source.embedding) as similarity
              from contact_profiles p
              join contacts o on o.user_id = p.user_id and o.id = p.contact_id
             where p.user_id = $1 and p.contact_id <> source.contact_id
               and p.embedding_model = source.embedding_model
               and o.archived_at is null
               and p.profile_text not in (o.full_name, concat_ws('. ', o.full_name, o.company))
             order by {distance}
             limit $2) near
     where source.user_id = $1 and c.archived_at is null
       and source.profile_text not in (c.full_name, concat_ws('. ', c.full_name, c.company))
       and near.similarity >= $3"""


# `+ 0` keeps the planner off the HNSW index (graph_api/search/nearest.py says why)
NEAR_PROFILES_EXACT = _near_profiles("(p.embedding <=> source.embedding) + 0")
NEAR_PROFILES_INDEXED = _near_profiles("p.embedding <=> source.embedding")


async def near_profiles(
    conn: asyncpg.Connection, user_id: UUID, *, exact: bool
) -> dict[tuple[UUID, UUID], float]:
    """Pairs of near profiles (`duplicates.pair_key`) and their cosine similarity, in
    one statement; on a connection that is `user_id`'s tenant, inside a transaction."""
    if not exact:
        await conn.fetchval(search.INDEX_SETTINGS, str(EF_SEARCH), str(search.MAX_SCAN_TUPLES))
    rows = await conn.fetch(
        NEAR_PROFILES_EXACT if exact else NEAR_PROFILES_INDEXED,
        user_id,
        NEAR_PROFILES_K,
        duplicates.PROFILE_SIMILARITY_MIN,
    )
    # each pair usually comes twice (each is among the other's nearest), alike
    return {duplicates.pair_key(row["a"], row["b"]): float(row["similarity"]) for row in rows}


async def duplicate_candidates(
    pool: asyncpg.Pool, user_id: UUID, first: int
) -> list[duplicates.Candidate]:
    """The `first` best pairs; the comparing runs off the event loop."""
    async with tenant.tenant_transaction(pool, user_id, readonly=True) as conn:
        rows = await conn.fetch(PEOPLE, user_id)
        try:
            # a savepoint: the probes outlasting the statement timeout (a very large
            # network on a busy server) cost the profile reasons, not the answer
            async with conn.transaction():
                near = await near_profiles(conn, user_id, exact=len(rows) <= EXACT_PROFILES_LIMIT)
        except asyncpg.QueryCanceledError:
            logger.warning(
                "duplicate candidates of %d contacts: the near-profile statement ran out "
                "of time; answered without SIMILAR_PROFILE",
                len(rows),
            )
            near = {}
    people = [duplicates.Person.from_row(row) for row in rows]
    found = await asyncio.to_thread(duplicates.candidates, people, near)
    return found[:first]
