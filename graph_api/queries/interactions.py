"""`interactions(first, after, filter)`: the user's interactions, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from graph_api.db import columns, tenant
from graph_api.pagination import (
    Keyset,
    Page,
    PageRequest,
    keyset_condition,
    keyset_order,
    make_page,
    row_keys,
    sort_keys,
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
    conditions = ["n.user_id = $1"]

    def param(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if filters.contact_ids:
        conditions.append(
            "exists (select 1 from interaction_participants p where p.user_id = n.user_id"
            f" and p.interaction_id = n.id and p.contact_id = any({param(list(filters.contact_ids))}::uuid[]))"
        )
    if filters.types:
        conditions.append(f"n.type = any({param(list(filters.types))}::text[])")
    if filters.occurred_after is not None:
        conditions.append(f"n.occurred_at >= {param(filters.occurred_after)}")
    if filters.occurred_before is not None:
        conditions.append(f"n.occurred_at < {param(filters.occurred_before)}")
    return " and ".join(conditions)


async def interactions_page(
    pool: asyncpg.Pool, user_id: UUID, filters: InteractionFilter, request: PageRequest
) -> Page:
    args: list[Any] = [user_id]
    where = _where(filters, args)
    if request.after is not None:
        where += " and " + keyset_condition(RECENT, request, len(args) + 1)
        args.extend(request.after)
    args.append(request.limit + 1)
    statement = f"""-- interactions_page
        select {columns.INTERACTION}, {sort_keys(RECENT)}
          from interactions n
         where {where}
         order by {keyset_order(RECENT, request)}
         limit ${len(args)}"""
    rows = await tenant.fetch(pool, user_id, statement, *args)
    return make_page(RECENT, request, rows, row_keys(RECENT))


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
