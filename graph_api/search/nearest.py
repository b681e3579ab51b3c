"""The nearest neighbours of many rows at once: `Memory.related`, `Contact.similarContacts`.

One statement serves every parent of a level: a LATERAL join over the parents runs,
for each, `order by embedding <=> parent's embedding limit k`, the shape an HNSW index
answers. Which way it is answered follows the same rule as `searchMemories`:

- a user with at most EXACT_SCAN_LIMIT embedded rows is searched exactly (the
  distance written `+ 0`, so the planner cannot pick the index, which holds every
  user's rows and would make a small tenant's neighbours an approximate, filtered
  afterthought);
- a larger one goes through the index with pgvector 0.8 iterative scans (so filtering
  by user cannot silently stop short), and the parents whose answer still came back
  short are asked again, exactly, in one more statement.

Either way the statement count does not grow with the number of parents.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from uuid import UUID

import asyncpg

from graph_api.db import columns, tenant
from graph_api.search import memories as search
from graph_api.search.memories import COUNT_EMBEDDED, INDEX_SETTINGS, Hit

# (count statement, user) -> (when counted, rows); the limits are read from
# search/memories.py at each call, so one setting (or a test's patch) serves both
_sizes: dict[tuple[str, UUID], tuple[float, int]] = {}


async def nearest_per_parent(
    pool: asyncpg.Pool,
    user_id: UUID,
    parent_ids: Sequence[UUID],
    limit: int,
    *,
    statement: Callable[[bool], str],
    count: str,
) -> dict[UUID, list[asyncpg.Record]]:
    """Up to `limit` rows per parent, nearest first, keyed by the rows' `parent_id`.

    `statement(exact)` takes $1 user, $2 parent ids, $3 limit; `count` counts the
    user's embedded rows, capped at $2.
    """
    parents = list(dict.fromkeys(parent_ids))
    async with tenant.tenant_transaction(pool, user_id, readonly=True) as conn:
        exact = await _small_tenant(conn, user_id, count)
        if not exact:
            await conn.fetchval(INDEX_SETTINGS, str(search.EF_SEARCH), str(search.MAX_SCAN_TUPLES))
        found = _grouped(await conn.fetch(statement(exact), user_id, parents, limit))
        if not exact:
            short = [parent for parent in parents if len(found.get(parent, ())) < limit]
            if short:
                found |= _grouped(await conn.fetch(statement(True), user_id, short, limit))
    return found


def _grouped(rows: Sequence[asyncpg.Record]) -> dict[UUID, list[asyncpg.Record]]:
    grouped: dict[UUID, list[asyncpg.Record]] = defaultdict(list)
    for row in rows:
        grouped[row["parent_id"]].append(row)
    return dict(grouped)


async def _small_tenant(conn: asyncpg.Connection, user_id: UUID, count: str) -> bool:
    """Whether an exact scan suits this user; remembered for a minute per process
    (either answer is correct, a stale one only costs speed)."""
    now = time.monotonic()
    known = _sizes.get((count, user_id))
    if known is None or now - known[0] > search.TENANT_SIZE_TTL_SECONDS:
        known = (now, await conn.fetchval(count, user_id, search.EXACT_SCAN_LIMIT + 1))
        if len(_sizes) > 10_000:
            _sizes.clear()
        _sizes[(count, user_id)] = known
    return known[1] <= search.EXACT_SCAN_LIMIT


def related_statement(exact: bool) -> str:
    """Each parent memory's nearest others: $1 user, $2 parent ids, $3 how many each."""
    distance = "(m.embedding <=> source.embedding)" + (" + 0" if exact else "")
    return f"""-- related_memories
    select source.id as parent_id, related.*
      from memories source
     cross join lateral (
            select {columns.MEMORY}, 1 - (m.embedding <=> source.embedding) as score
              from memories m
             where m.user_id = $1 and m.id <> source.id and m.embedding is not null
               and {columns.UNEXPIRED_MEMORY}
             order by {distance}
             limit $3) related
     where source.user_id = $1 and source.id = any($2::uuid[]) and source.embedding is not null
     order by source.id, related.score desc, related.id"""


async def related_memories(
    pool: asyncpg.Pool, user_id: UUID, memory_ids: Sequence[UUID], limit: int
) -> list[list[Hit]]:
    """The memories nearest in meaning to each of these, in one statement for all."""
    found = await nearest_per_parent(
        pool, user_id, memory_ids, limit, statement=related_statement, count=COUNT_EMBEDDED
    )
    return [[Hit(row, row["score"]) for row in found.get(key, [])] for key in memory_ids]
