"""Batch functions loading a short list per key (participants, sources) or a
number per key; one statement per batch, a missing key gives [] or 0."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from graph_api.db import columns, tenant, ties

PARTICIPANTS = f"""-- interaction_participants
    select p.interaction_id, {columns.CONTACT}
      from interaction_participants p
      join contacts c on c.user_id = p.user_id and c.id = p.contact_id
     where p.user_id = $1 and p.interaction_id = any($2::uuid[])
     order by lower(c.full_name), c.id"""

MEMORY_SOURCES = f"""-- memory_source_interactions
    select s.memory_id, {columns.INTERACTION}
      from memory_sources s
      join interactions n on n.user_id = s.user_id and n.id = s.interaction_id
     where s.user_id = $1 and s.memory_id = any($2::uuid[])
     order by n.occurred_at desc, n.id"""

# a level of consolidation summaries' sources, in the order they were written
CONSOLIDATED_FROM = f"""-- memories_consolidated_from
    select {columns.MEMORY}
      from memories m
     where m.user_id = $1 and m.consolidated_into = any($2::uuid[])
       and {columns.UNEXPIRED_MEMORY}
     order by m.created_at, m.id"""

# the interactions strength counts: those of at most CROWD_LIMIT people (a crowd's
# size counted once per shared interaction, its participants by the primary key)
SHARED_INTERACTION_COUNTS = """-- shared_interaction_counts
    select pairs.a, pairs.b, count(*) as shared
      from unnest($2::uuid[], $3::uuid[]) as pairs(a, b)
      join interaction_participants pa on pa.user_id = $1 and pa.contact_id = pairs.a
      join interaction_participants pb on pb.user_id = $1 and pb.contact_id = pairs.b
                                      and pb.interaction_id = pa.interaction_id
      cross join lateral (select count(*) as size
                            from interaction_participants crowd
                           where crowd.user_id = $1
                             and crowd.interaction_id = pa.interaction_id) c
     where c.size <= $4
     group by pairs.a, pairs.b"""


async def load_grouped(
    pool: asyncpg.Pool, statement: str, group_column: str, user_id: UUID, keys: Sequence[UUID]
) -> list[list[asyncpg.Record]]:
    grouped: dict[UUID, list[asyncpg.Record]] = defaultdict(list)
    for row in await tenant.fetch(pool, user_id, statement, user_id, list(keys)):
        grouped[row[group_column]].append(row)
    return [grouped.get(key, []) for key in keys]


async def load_shared_interaction_counts(
    pool: asyncpg.Pool, user_id: UUID, pairs: Sequence[tuple[UUID, UUID]]
) -> list[int]:
    rows = await tenant.fetch(
        pool,
        user_id,
        SHARED_INTERACTION_COUNTS,
        user_id,
        [a for a, _ in pairs],
        [b for _, b in pairs],
        ties.CROWD_LIMIT,
    )
    counts = {(row["a"], row["b"]): row["shared"] for row in rows}
    return [counts.get(pair, 0) for pair in pairs]
