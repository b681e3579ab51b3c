"""Searching memories by meaning (SEMANTIC), by words (KEYWORD) or both (HYBRID).

- SEMANTIC ranks by cosine similarity of the query's embedding to each memory's.
- KEYWORD ranks PostgreSQL full-text matches (`websearch_to_tsquery`, `ts_rank_cd`).
- HYBRID fuses both rankings with reciprocal rank fusion in one statement:
  score = Σ 1 / (60 + rank) over the modes that found the memory.

Filtered searches never silently come back short: a user with at most
EXACT_SCAN_LIMIT embedded memories is searched exactly (the order expression is
written so the planner cannot use the HNSW index); a larger one uses the index with
pgvector 0.8 iterative scans, and falls back to an exact scan in the rare case the
index still returns fewer rows than asked for.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from graph_api.db import columns, tenant
from graph_api.pagination import Keyset, float_key, uuid_key

RRF_K = 60
# each mode ranks at most this many candidates: pages end there
SEARCH_WINDOW = 200
EXACT_SCAN_LIMIT = 20_000
EF_SEARCH = 100
MAX_SCAN_TUPLES = 100_000

TENANT_SIZE_TTL_SECONDS = 60.0
_tenant_sizes: dict[UUID, tuple[float, int]] = {}

CURSOR = Keyset("search", ("score", "id"), (float_key, uuid_key), descending=True)

COUNT_EMBEDDED = """-- memories_embedded_count
    select count(*) from (
        select 1 from memories where user_id = $1 and embedding is not null limit $2
    ) capped"""

INDEX_SETTINGS = """-- search_index_settings
    select set_config('hnsw.iterative_scan', 'relaxed_order', true),
           set_config('hnsw.ef_search', $1::text, true),
           set_config('hnsw.max_scan_tuples', $2::text, true)"""


def memory_text(title: str | None, content: str) -> str:
    """What a memory's embedding is made of."""
    return f"{title}\n{content}" if title else content


@dataclass(frozen=True)
class MemoryFilter:
    contact_ids: tuple[UUID, ...] | None = None  # None: any contact (or none)
    types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    created_after: datetime | None = None
    created_before: datetime | None = None
    # memories gone into a consolidation summary are hidden unless asked for
    include_consolidated: bool = False


@dataclass(frozen=True)
class Hit:
    row: asyncpg.Record
    score: float


@dataclass(frozen=True)
class Ranking:
    """How hits are kept and ordered beyond their match score (the defaults change nothing).

    A hit whose match score (cosine similarity, full-text rank or fused rank, as the
    mode computes it) is below `min_score` is dropped, whatever its boosts. The rest
    are ordered by

        score = match × (1 + importance_weight · importance + recency_weight · recency)

    with importance in 0..1 (a document chunk counts as 0.5) and recency =
    0.5 ^ (age in days / half_life_days), 1 for something written today. A weight
    of 1 can at most double a hit's score for importance, and double it again for
    recency: a boost reorders hits of similar match, it does not lift a weak one
    past a far better one. Boosts reorder the mode's best 200 candidates.
    """

    min_score: float | None = None
    importance_weight: float = 0.0
    recency_weight: float = 0.0
    half_life_days: float = 30.0

    @property
    def changes_nothing(self) -> bool:
        return self.min_score is None and not self.importance_weight and not self.recency_weight


def ranked_statement(
    name: str,
    select: str,
    source: str,
    importance: str,
    created_at: str,
    ranking: Ranking,
    args: list[Any],
    after: tuple[float, UUID] | None,
) -> str:
    """A page of hits with `ranking` applied: `source` yields r.score (the match) and
    the joins that `select`, `importance` and `created_at` read; the ordering score
    is the boosted one, and so is the cursor."""

    def param(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    keep = "" if ranking.min_score is None else f"where r.score >= {param(ranking.min_score)}"
    boost = (
        f"r.score * (1 + {param(ranking.importance_weight)}::float8 * {importance}"
        f" + {param(ranking.recency_weight)}::float8 * power(0.5, greatest(extract(epoch from"
        f" now() - {created_at}), 0) / 86400.0 / {param(ranking.half_life_days)}::float8))"
    )
    cursor = ""
    if after is not None:
        cursor = f"where (b.score, b.id) < ({param(after[0])}, {param(after[1])})"
    limit = param(None)
    return f"""-- {name}
        select * from (
            select {select}, r.score as match_score, ({boost})::float8 as score
              from {source}
              {keep}
        ) b
        {cursor}
        order by b.score desc, b.id desc
        limit {limit}"""


def _filters(filters: MemoryFilter, args: list[Any]) -> str:
    def param(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    # an expired memory is never found, whatever the filters
    conditions = [columns.UNEXPIRED_MEMORY]
    if not filters.include_consolidated:
        conditions.append("m.consolidated_into is null")
    if filters.contact_ids is not None:
        conditions.append(f"m.contact_id = any({param(list(filters.contact_ids))}::uuid[])")
    if filters.types:
        conditions.append(f"m.type = any({param(list(filters.types))}::text[])")
    if filters.tags:
        conditions.append(f"m.tags @> {param(list(filters.tags))}::text[]")
    if filters.created_after is not None:
        conditions.append(f"m.created_at >= {param(filters.created_after)}")
    if filters.created_before is not None:
        conditions.append(f"m.created_at < {param(filters.created_before)}")
    return "".join(f" and {c}" for c in conditions)


def _semantic(vector_param: str, where: str, exact: bool) -> str:
    # `+ 0` hides the distance from the planner's index matching: an exact scan
    distance = f"(m.embedding <=> {vector_param})" + (" + 0" if exact else "")
    return f"""
        select m.id, 1 - (m.embedding <=> {vector_param}) as similarity,
               row_number() over (order by {distance}, m.id) as rank
          from memories m
         where m.user_id = $1 and m.embedding is not null {where}
         order by {distance}, m.id
         limit {SEARCH_WINDOW}"""


def _keyword(query_param: str, where: str) -> str:
    return f"""
        select m.id, ts_rank_cd(m.search_vector, q) as relevance,
               row_number() over (order by ts_rank_cd(m.search_vector, q) desc, m.id) as rank
          from memories m, websearch_to_tsquery('english', {query_param}) q
         where m.user_id = $1 and m.search_vector @@ q {where}
         order by ts_rank_cd(m.search_vector, q) desc, m.id
         limit {SEARCH_WINDOW}"""


def _ranked(mode: str, where: str, exact: bool) -> str:
    """The ranking subquery. Parameters: $1 user, then $2 the vector (SEMANTIC),
    the query text (KEYWORD) or both, $2 and $3 (HYBRID); the filters follow."""
    if mode == "SEMANTIC":
        return f"select id, similarity as score from ({_semantic('$2', where, exact)}) s"
    if mode == "KEYWORD":
        return f"select id, relevance as score from ({_keyword('$2', where)}) k"
    return f"""
        select id, sum(1.0 / ({RRF_K} + rank))::float8 as score
          from (select id, rank from ({_semantic("$2", where, exact)}) s
                union all
                select id, rank from ({_keyword("$3", where)}) k) both_modes
         group by id"""


async def search_memories(
    pool: asyncpg.Pool,
    user_id: UUID,
    *,
    mode: str,
    query: str,
    vector: Sequence[float] | None,
    filters: MemoryFilter,
    limit: int,
    after: tuple[float, UUID] | None,
    ranking: Ranking | None = None,
) -> list[Hit]:
    """Up to `limit` hits after the cursor; `vector` is required unless mode is KEYWORD."""
    async with tenant.tenant_transaction(pool, user_id, readonly=True) as conn:
        exact = True
        if mode != "KEYWORD":
            exact = await _small_tenant(conn, user_id)
            if not exact:
                await conn.fetchval(INDEX_SETTINGS, str(EF_SEARCH), str(MAX_SCAN_TUPLES))
        rows = await _run(conn, user_id, mode, query, vector, filters, limit, after, exact, ranking)
        if not exact and len(rows) < limit:
            # the index gave up early (very selective filters): ask exactly
            rows = await _run(
                conn, user_id, mode, query, vector, filters, limit, after, True, ranking
            )
    return [Hit(row, row["score"]) for row in rows]


async def _small_tenant(conn: asyncpg.Connection, user_id: UUID) -> bool:
    """Whether an exact scan suits this user; remembered for a minute per process.

    Either answer gives correct results (the index path falls back to an exact scan
    when short), so a slightly old answer only costs speed.
    """
    now = time.monotonic()
    known = _tenant_sizes.get(user_id)
    if known is None or now - known[0] > TENANT_SIZE_TTL_SECONDS:
        embedded = await conn.fetchval(COUNT_EMBEDDED, user_id, EXACT_SCAN_LIMIT + 1)
        known = (now, embedded)
        if len(_tenant_sizes) > 10_000:
            _tenant_sizes.clear()
        _tenant_sizes[user_id] = known
    return known[1] <= EXACT_SCAN_LIMIT


async def _run(
    conn: asyncpg.Connection,
    user_id: UUID,
    mode: str,
    query: str,
    vector: Sequence[float] | None,
    filters: MemoryFilter,
    limit: int,
    after: tuple[float, UUID] | None,
    exact: bool,
    ranking: Ranking | None = None,
) -> list[asyncpg.Record]:
    args: list[Any] = [user_id]
    if mode == "SEMANTIC":
        args.append(vector)
    elif mode == "KEYWORD":
        args.append(query)
    else:
        args.extend([vector, query])
    where = _filters(filters, args)
    if ranking is not None and not ranking.changes_nothing:
        statement = ranked_statement(
            f"search_memories_{mode.lower()}_ranked",
            columns.MEMORY,
            f"""({_ranked(mode, where, exact)}) r
              join memories m on m.user_id = $1 and m.id = r.id""",
            "m.importance",
            "m.created_at",
            ranking,
            args,
            after,
        )
        args[-1] = limit
        return list(await conn.fetch(statement, *args))
    cursor = ""
    if after is not None:
        args.extend(after)
        cursor = f"where (r.score, r.id) < (${len(args) - 1}, ${len(args)})"
    args.append(limit)
    statement = f"""-- search_memories_{mode.lower()}
        select {columns.MEMORY}, r.score
          from ({_ranked(mode, where, exact)}) r
          join memories m on m.user_id = $1 and m.id = r.id
          {cursor}
         order by r.score desc, r.id desc
         limit ${len(args)}"""
    return list(await conn.fetch(statement, *args))
