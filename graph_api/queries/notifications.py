"""`notifications(first, after, status)`: the user's notifications, latest scheduled first."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from graph_api.db import tenant
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

LATEST = Keyset("notifications", ("n.scheduled_for", "n.id"), (time_key, uuid_key), descending=True)

COLUMNS = """n.id, n.type, n.contact_id, n.priority, n.status, n.title, n.body,
    n.scheduled_for, n.delivered_at, n.created_at, n.updated_at"""


def _where(statuses: tuple[str, ...], args: list[Any]) -> str:
    where = "n.user_id = $1"
    if statuses:
        args.append(list(statuses))
        where += f" and n.status = any(${len(args)}::text[])"
    return where


async def notifications_page(
    pool: asyncpg.Pool, user_id: UUID, statuses: tuple[str, ...], request: PageRequest
) -> Page:
    args: list[Any] = [user_id]
    where = _where(statuses, args)
    if request.after is not None:
        where += " and " + keyset_condition(LATEST, request, len(args) + 1)
        args.extend(request.after)
    args.append(request.limit + 1)
    statement = f"""-- notifications_page
        select {COLUMNS}, {sort_keys(LATEST)}
          from notifications n
         where {where}
         order by {keyset_order(LATEST, request)}
         limit ${len(args)}"""
    rows = await tenant.fetch(pool, user_id, statement, *args)
    return make_page(LATEST, request, rows, row_keys(LATEST))


async def count_notifications(pool: asyncpg.Pool, user_id: UUID, statuses: tuple[str, ...]) -> int:
    args: list[Any] = [user_id]
    where = _where(statuses, args)
    count: int = await tenant.fetchval(
        pool,
        user_id,
        f"-- notifications_count\n select count(*) from notifications n where {where}",
        *args,
    )
    return count
