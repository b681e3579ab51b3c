"""`notifications(first, after, status)`: the user's notifications, latest scheduled first."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from graph_api.db import tenant
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

LATEST = Keyset("notifications", ("n.scheduled_for", "n.id"), (time_key, uuid_key), descending=True)

COLUMNS = """n.id, n.type, n.contact_id, n.priority, n.status, n.title, n.body,
    n.scheduled_for, n.delivered_at, n.created_at, n.updated_at"""


def _where(statuses: tuple[str, ...], args: list[Any]) -> str:
    where = Conditions(args, "n.user_id = $1")
    if statuses:
        where.add(f"n.status = any({where.param(list(statuses))}::text[])")
    return where.sql()


async def notifications_page(
    pool: asyncpg.Pool, user_id: UUID, statuses: tuple[str, ...], request: PageRequest
) -> Page:
    args: list[Any] = [user_id]
    where = _where(statuses, args)
    page = page_sql(
        select=COLUMNS,
        source="notifications n",
        where=where,
        keyset=LATEST,
        request=request,
        args=args,
    )
    rows = await tenant.fetch(pool, user_id, f"-- notifications_page\n{page}", *args)
    return page_of(LATEST, request, rows)


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
