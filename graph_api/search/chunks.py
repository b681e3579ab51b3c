"""Document chunks for search: embedding them in the background, and searching
memories, chunks and interactions together
(`searchMemories(sources: [MEMORY, DOCUMENT, INTERACTION])`).

Chunks are written without an embedding (a document may hold hundreds: embedding
them inside the request would hold it for seconds) and embedded by the server's
background embedder (background.py), woken by the write, batch by batch in id order;
keyword search finds them at once.

A search over several sources ranks them together, with the scores of
search/memories.py: cosine similarity (SEMANTIC), full-text rank (KEYWORD), or
reciprocal rank fusion of the two rankings taken over all sources together
(HYBRID). It scans exactly (brute-force cosine): it never comes back short,
whatever the filters, and costs a scan of the user's rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from graph_api.db import tenant
from graph_api.search.embeddings import EmbeddingProvider
from graph_api.search.memories import (
    RRF_K,
    SEARCH_WINDOW,
    MemoryFilter,
    Ranking,
    ranked_statement,
)
from graph_api.search.memories import _filters as memory_filters
from graph_api.search.reembed import FIRST_ID, embed_rows

PENDING_CHUNKS = """-- document_chunks_pending_embedding
    select id, heading, content
      from document_chunks
     where user_id = $1 and embedding is null and id > $2
     order by id
     limit $3"""

STORE_CHUNK_EMBEDDING = """-- store_document_chunk_embedding
    update document_chunks
       set embedding = $3, embedding_model = $4
     where user_id = $1 and id = $2"""

MEMORY = "memory"
CHUNK = "chunk"
INTERACTION = "interaction"
# a chunk or an interaction has no importance of its own: it counts as a memory of
# default importance
NEUTRAL_IMPORTANCE = 0.5


def chunk_text_for_embedding(heading: str | None, content: str) -> str:
    return f"{heading}\n{content}" if heading else content


async def embed_pending_chunks(
    pool: asyncpg.Pool,
    provider: EmbeddingProvider,
    *,
    user_ids: Iterable[UUID] | None = None,
    batch_size: int = 64,
) -> int:
    """Embed every chunk without an embedding, of every user or of `user_ids`."""
    users = await tenant.all_users(pool) if user_ids is None else list(user_ids)
    stored = 0
    for user_id in users:
        after = FIRST_ID
        while True:
            rows = await tenant.fetch(pool, user_id, PENDING_CHUNKS, user_id, after, batch_size)
            if not rows:
                break
            vectors = await embed_rows(
                provider, [chunk_text_for_embedding(r["heading"], r["content"]) for r in rows]
            )
            async with tenant.tenant_transaction(pool, user_id) as conn:
                await conn.executemany(
                    STORE_CHUNK_EMBEDDING,
                    [
                        (user_id, r["id"], vector, provider.model)
                        for r, vector in zip(rows, vectors, strict=True)
                        if vector is not None
                    ],
                )
            stored += sum(vector is not None for vector in vectors)
            after = rows[-1]["id"]
    return stored


@dataclass(frozen=True)
class SourceHit:
    source: str  # MEMORY, CHUNK or INTERACTION
    id: UUID
    score: float  # what orders the hits: the match score, boosted when asked
    match_score: float


def _chunk_filters(filters: MemoryFilter, args: list[Any]) -> str:
    """The filters that apply to a chunk, through its document: the contacts it is
    about, its tags and when it was created (memory types concern memories only)."""

    def param(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    conditions = []
    if filters.contact_ids is not None:
        conditions.append(
            f"""exists (select 1 from document_contacts dc
                         where dc.user_id = $1 and dc.document_id = c.document_id
                           and dc.contact_id = any({param(list(filters.contact_ids))}::uuid[]))"""
        )
    if filters.tags:
        conditions.append(f"d.tags @> {param(list(filters.tags))}::text[]")
    if filters.created_after is not None:
        conditions.append(f"d.created_at >= {param(filters.created_after)}")
    if filters.created_before is not None:
        conditions.append(f"d.created_at < {param(filters.created_before)}")
    return "".join(f" and {c}" for c in conditions)


CHUNKS_FROM = """document_chunks c
          join documents d on d.user_id = c.user_id and d.id = c.document_id"""


def _interaction_filters(filters: MemoryFilter, args: list[Any]) -> str:
    """The filters that apply to an interaction: the contacts who took part, and when
    it occurred (created after/before); an interaction carries no tags, so a search by
    tags finds none (memory types concern memories only)."""

    def param(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    conditions = []
    if filters.contact_ids is not None:
        conditions.append(
            f"""exists (select 1 from interaction_participants p
                         where p.user_id = $1 and p.interaction_id = n.id
                           and p.contact_id = any({param(list(filters.contact_ids))}::uuid[]))"""
        )
    if filters.tags:
        conditions.append("false")
    if filters.created_after is not None:
        conditions.append(f"n.occurred_at >= {param(filters.created_after)}")
    if filters.created_before is not None:
        conditions.append(f"n.occurred_at < {param(filters.created_before)}")
    return "".join(f" and {c}" for c in conditions)


def _semantic(sources: frozenset[str], where_m: str, where_c: str, where_n: str) -> str:
    parts = []
    if MEMORY in sources:
        parts.append(f"""(select 'memory' as source, m.id, (m.embedding <=> $2) + 0 as distance
           from memories m
          where m.user_id = $1 and m.embedding is not null {where_m}
          order by 3, m.id limit {SEARCH_WINDOW})""")
    if CHUNK in sources:
        parts.append(f"""(select 'chunk' as source, c.id, (c.embedding <=> $2) + 0 as distance
           from {CHUNKS_FROM}
          where c.user_id = $1 and c.embedding is not null {where_c}
          order by 3, c.id limit {SEARCH_WINDOW})""")
    if INTERACTION in sources:
        parts.append(f"""(select 'interaction' as source, n.id, (n.embedding <=> $2) + 0 as distance
           from interactions n
          where n.user_id = $1 and n.embedding is not null {where_n}
          order by 3, n.id limit {SEARCH_WINDOW})""")
    union = " union all ".join(parts)
    return f"""
        select source, id, 1 - distance as similarity,
               row_number() over (order by distance, id) as rank
          from ({union}) candidates
         order by distance, id
         limit {SEARCH_WINDOW}"""


def _keyword(
    query_param: str, sources: frozenset[str], where_m: str, where_c: str, where_n: str
) -> str:
    parts = []
    if MEMORY in sources:
        parts.append(f"""(select 'memory' as source, m.id, ts_rank_cd(m.search_vector, q) as relevance
           from memories m, websearch_to_tsquery('english', {query_param}) q
          where m.user_id = $1 and m.search_vector @@ q {where_m}
          order by 3 desc, m.id limit {SEARCH_WINDOW})""")
    if CHUNK in sources:
        parts.append(f"""(select 'chunk' as source, c.id, ts_rank_cd(c.search_vector, q) as relevance
           from {CHUNKS_FROM}, websearch_to_tsquery('english', {query_param}) q
          where c.user_id = $1 and c.search_vector @@ q {where_c}
          order by 3 desc, c.id limit {SEARCH_WINDOW})""")
    if INTERACTION in sources:
        parts.append(f"""(select 'interaction' as source, n.id, ts_rank_cd(n.search_vector, q) as relevance
           from interactions n, websearch_to_tsquery('english', {query_param}) q
          where n.user_id = $1 and n.search_vector @@ q {where_n}
          order by 3 desc, n.id limit {SEARCH_WINDOW})""")
    union = " union all ".join(parts)
    return f"""
        select source, id, relevance::float8 as relevance,
               row_number() over (order by relevance desc, id) as rank
          from ({union}) candidates
         order by relevance desc, id
         limit {SEARCH_WINDOW}"""


async def search_sources(
    pool: asyncpg.Pool,
    user_id: UUID,
    *,
    sources: frozenset[str],
    mode: str,
    query: str,
    vector: Sequence[float] | None,
    filters: MemoryFilter,
    limit: int,
    after: tuple[float, UUID] | None,
    ranking: Ranking | None = None,
) -> list[SourceHit]:
    """Up to `limit` hits over memories, chunks and interactions, best first, after the cursor."""
    args: list[Any] = [user_id]
    if mode == "SEMANTIC":
        args.append(vector)
    elif mode == "KEYWORD":
        args.append(query)
    else:
        args.extend([vector, query])
    # a source's filters only when it is searched: a parameter no part reads has no type
    where_m = memory_filters(filters, args) if MEMORY in sources else ""
    where_c = _chunk_filters(filters, args) if CHUNK in sources else ""
    where_n = _interaction_filters(filters, args) if INTERACTION in sources else ""
    wheres = (where_m, where_c, where_n)
    if mode == "SEMANTIC":
        ranked = f"select source, id, similarity as score from ({_semantic(sources, *wheres)}) s"
    elif mode == "KEYWORD":
        ranked = (
            f"select source, id, relevance as score from ({_keyword('$2', sources, *wheres)}) k"
        )
    else:
        ranked = f"""
        select source, id, sum(1.0 / ({RRF_K} + rank))::float8 as score
          from (select source, id, rank from ({_semantic(sources, *wheres)}) s
                union all
                select source, id, rank from ({_keyword("$3", sources, *wheres)}) k) both_modes
         group by source, id"""
    if ranking is not None and not ranking.changes_nothing:
        statement = ranked_statement(
            f"search_sources_{mode.lower()}_ranked",
            "r.source, r.id",
            f"""({ranked}) r
              left join memories m on m.user_id = $1 and r.source = 'memory' and m.id = r.id
              left join document_chunks c on c.user_id = $1 and r.source = 'chunk' and c.id = r.id
              left join documents d on d.user_id = $1 and d.id = c.document_id
              left join interactions n
                     on n.user_id = $1 and r.source = 'interaction' and n.id = r.id""",
            f"coalesce(m.importance, {NEUTRAL_IMPORTANCE})",
            "coalesce(m.created_at, d.created_at, n.occurred_at)",
            ranking,
            args,
            after,
        )
        args[-1] = limit
        rows = await tenant.fetch(pool, user_id, statement, *args)
        return [
            SourceHit(row["source"], row["id"], row["score"], row["match_score"]) for row in rows
        ]
    cursor = ""
    if after is not None:
        args.extend(after)
        cursor = f"where (r.score, r.id) < (${len(args) - 1}, ${len(args)})"
    args.append(limit)
    statement = f"""-- search_sources_{mode.lower()}
        select r.source, r.id, r.score
          from ({ranked}) r
          {cursor}
         order by r.score desc, r.id desc
         limit ${len(args)}"""
    rows = await tenant.fetch(pool, user_id, statement, *args)
    return [SourceHit(row["source"], row["id"], row["score"], row["score"]) for row in rows]
