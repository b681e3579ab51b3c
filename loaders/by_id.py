"""Batch functions loading one entity per id: one statement per batch, rows
mapped back by key (a missing or foreign id gives None)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from graph_api.db import columns, tenant

CONTACTS_BY_ID = f"""-- contacts_by_id
    select {columns.CONTACT}
      from contacts c
     where c.user_id = $1 and c.id = any($2::uuid[])"""

RELATIONSHIPS_BY_ID = f"""-- relationships_by_id
    select {columns.RELATIONSHIP}
      from relationships r
     where r.user_id = $1 and r.id = any($2::uuid[]) and r.suppressed_at is null"""

# deleted ones too (kept as suppressions): what a relationshipChanged DELETED event shows
RELATIONSHIPS_WITH_DELETED_BY_ID = f"""-- relationships_with_deleted_by_id
    select {columns.RELATIONSHIP}
      from relationships r
     where r.user_id = $1 and r.id = any($2::uuid[])"""

INTERACTIONS_BY_ID = f"""-- interactions_by_id
    select {columns.INTERACTION}
      from interactions n
     where n.user_id = $1 and n.id = any($2::uuid[])"""

INTERESTS_BY_ID = f"""-- interests_by_id
    select {columns.INTEREST}
      from interests i
     where i.user_id = $1 and i.id = any($2::uuid[])"""

MEMORIES_BY_ID = f"""-- memories_by_id
    select {columns.MEMORY}
      from memories m
     where m.user_id = $1 and m.id = any($2::uuid[]) and {columns.UNEXPIRED_MEMORY}"""


NOTIFICATIONS_BY_ID = """-- notifications_by_id
    select *
      from notifications
     where user_id = $1 and id = any($2::uuid[])"""


async def load_by_id(
    pool: asyncpg.Pool, statement: str, user_id: UUID, ids: Sequence[UUID]
) -> list[asyncpg.Record | None]:
    rows = await tenant.fetch(pool, user_id, statement, user_id, list(ids))
    by_id = {row["id"]: row for row in rows}
    return [by_id.get(key) for key in ids]
