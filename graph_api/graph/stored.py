"""Betweenness kept in the database by topology (migration 0051), shared by processes.

A graph's betweenness depends only on its topology, and computing it is the slow part
of its metrics. `load` finds the scores some process stored for a graph of the same
topology (the digest, graph/centrality.py); `store` keeps the latest per user.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
import numpy

from graph_api.db import tenant

LOAD = """-- graph_betweenness_stored
    select scores from graph_betweenness where user_id = $1 and topology = $2"""

STORE = """-- graph_betweenness_store
    insert into graph_betweenness (user_id, topology, scores) values ($1, $2, $3)
    on conflict (user_id) do update
       set topology = excluded.topology, scores = excluded.scores, computed_at = now()"""

LITTLE_ENDIAN_FLOAT64 = "<f8"


async def load(
    pool: asyncpg.Pool, user_id: UUID, topology: bytes, nodes: int
) -> list[float] | None:
    """The stored betweenness of this topology, None when no process stored it."""
    scores: bytes | None = await tenant.fetchval(pool, user_id, LOAD, user_id, topology)
    if scores is None or len(scores) != 8 * nodes:
        return None
    return numpy.frombuffer(scores, dtype=LITTLE_ENDIAN_FLOAT64).tolist()  # type: ignore[no-any-return]


async def store(pool: asyncpg.Pool, user_id: UUID, topology: bytes, scores: list[float]) -> None:
    raw = numpy.asarray(scores, dtype=LITTLE_ENDIAN_FLOAT64).tobytes()
    async with tenant.tenant(pool, user_id) as conn:
        await conn.execute(STORE, user_id, topology, raw)
