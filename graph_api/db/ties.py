"""Ties inferred from shared interactions: the one statement every write path runs.

Two contacts who took part in the same interaction gain an inferred relationship row,
unless a row (explicit, inferred or suppressed) already joins them. `logInteraction`,
the seed and any bulk import run `infer_ties` over the interactions they wrote, so the
rows mean the same whichever way the interactions came in; the graph draws an edge
for a stored row and for nothing else (docs/graph.md).

The statement is set-based and touches the participants table once, so its cost cannot
depend on the planner guessing right: one index scan reads the batch's participants,
a group-by counts each interaction's crowd once and gathers its people (sorted) into
an array, and the pairs of a small enough interaction are made from that array, with
no join the planner could get wrong. The old form joined participants to themselves
and counted the crowd in a correlated subquery per row; with statistics that did not
know the new rows (a seed into a database holding another user's data) the planner
chose a nested loop whose inner side scanned all of the user's participants for every
outer row, and a 10,000-contact seed did not finish in 23 minutes. A join form with
the crowd counted once got the same quadratic plan until ANALYZE ran; this one reads
the same in either case (benchmarks/seed_scale.py, docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

# A meeting of more people than this says little about who knows whom (an all-hands, a
# webinar), and its pairs grow quadratically: it infers no tie and adds nothing to the
# strength of the ties its participants have (graph/strength.py reads this too).
CROWD_LIMIT = 20

INFER_TIES = """-- infer_ties
    with small_enough as (
        select p.interaction_id, array_agg(p.contact_id order by p.contact_id) as people
          from interaction_participants p
         where p.user_id = $1 and p.interaction_id = any($2::uuid[])
         group by p.interaction_id
        having count(*) between 2 and $3
    )
    insert into relationships (user_id, contact_a_id, contact_b_id, type, source)
    select distinct $1::uuid, a.contact_id, b.contact_id, 'other', 'inferred'
      from small_enough s
     cross join lateral unnest(s.people) with ordinality as a(contact_id, position)
     cross join lateral unnest(s.people) with ordinality as b(contact_id, position)
     where a.position < b.position
    on conflict (user_id, contact_a_id, contact_b_id) do nothing"""

# the same, saying which rows it added: a single write announces them (relationshipChanged);
# bulk loads use the count alone
INFER_TIES_RETURNING = (
    INFER_TIES.replace("-- infer_ties", "-- infer_ties_returning", 1)
    + "\n    returning id, contact_a_id, contact_b_id"
)

# The tables a bulk load fills: statistics from before the load would have the planner
# plan the statements after it for the small tables it saw.
BULK_TABLES = (
    "contacts",
    "relationships",
    "interactions",
    "interaction_participants",
    "interests",
    "memories",
    "memory_sources",
)
ANALYZE_BULK_TABLES = "analyze " + ", ".join(BULK_TABLES)


async def infer_ties(
    conn: asyncpg.Connection, user_id: UUID, interaction_ids: Sequence[UUID]
) -> int:
    """Add the inferred ties of these interactions; return how many rows were added."""
    if not interaction_ids:
        return 0
    status = await conn.execute(INFER_TIES, user_id, list(interaction_ids), CROWD_LIMIT)
    return int(status.rsplit(" ", 1)[-1])  # "INSERT 0 n"


async def infer_ties_returning(
    conn: asyncpg.Connection, user_id: UUID, interaction_ids: Sequence[UUID]
) -> list[asyncpg.Record]:
    """Add the inferred ties of these interactions; return the rows added (id and ends)."""
    if not interaction_ids:
        return []
    return list(await conn.fetch(INFER_TIES_RETURNING, user_id, list(interaction_ids), CROWD_LIMIT))


async def analyze_bulk_load(conn: asyncpg.Connection) -> None:
    """Fresh planner statistics for the tables a bulk load filled, once it committed.

    It needs the tables' owner (the CLI's connection); PostgreSQL skips, with a
    warning, a table the role may not analyse.
    """
    await conn.execute(ANALYZE_BULK_TABLES)
