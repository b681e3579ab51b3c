"""`interactions(first, after, filter)`: the user's interactions, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from graph_api.db import columns, tenant
from graph_api.pagination import (
    Conditions,
    Keyset,
    Page,
    PageRequest,
    page_of,
    page_sql,
    time_key,
    uuid_key,
)

RECENT = Keyset("recent", ("n.occurred_at", "n.id"), (time_key, uuid_key), descending=True)


@dataclass(frozen=True)
class InteractionFilter:
    contact_ids: tuple[UUID, ...] = ()
    types: tuple[str, ...] = ()
    occurred_after: datetime | None = None
    occurred_before: datetime | None = None


def _where(filters: InteractionFilter, args: list[Any]) -> str:
    where = Conditions(args, "n.user_id = $1")
    if filters.contact_ids:
        where.add(
            "exists (select 1 from interaction_participants p where p.user_id = n.user_id"
            f" and p.interaction_id = n.id and p.contact_id = any({where.param(list(filters.contact_ids))}::uuid[]))"
        )
    if filters.types:
        where.add(f"n.type = any({where.param(list(filters.types))}::text[])")
    if filters.occurred_after is not None:
        where.add(f"n.occurred_at >= {where.param(filters.occurred_after)}")
    if filters.occurred_before is not None:
        where.add(f"n.occurred_at < {where.param(filters.occurred_before)}")
    return where.sql()


async def interactions_page(
    pool: asyncpg.Pool, user_id: UUID, filters: InteractionFilter, request: PageRequest
) -> Page:
    args: list[Any] = [user_id]
    where = _where(filters, args)
    page = page_sql(
        select=columns.INTERACTION,
        source="interactions n",
        where=where,
        keyset=RECENT,
        request=request,
        args=args,
    )
    rows = await tenant.fetch(pool, user_id, f"-- interactions_page\n{page}", *args)
    return page_of(RECENT, request, rows)


async def count_interactions(pool: asyncpg.Pool, user_id: UUID, filters: InteractionFilter) -> int:
    args: list[Any] = [user_id]
    where = _where(filters, args)
    count: int = await tenant.fetchval(
        pool,
        user_id,
        f"-- interactions_count\n select count(*) from interactions n where {where}",
        *args,
    )
    return count
