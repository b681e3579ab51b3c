"""`auditLog(first, after, filter)`: the user's own audit trail, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from graph_api.db import tenant
from graph_api.pagination import Conditions, Keyset, Page, PageRequest, page_of, page_sql, time_key


def int_key(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not an integer key")
    return value


RECENT = Keyset("audit", ("a.created_at", "a.id"), (time_key, int_key), descending=True)

COLUMNS = """a.id, a.actor, a.operation, a.target_ids, a.old_values, a.new_values,
    a.request_id, a.created_at"""


@dataclass(frozen=True)
class AuditFilter:
    operations: tuple[str, ...] = ()
    target_id: UUID | None = None
    after: datetime | None = None
    before: datetime | None = None


def _where(filters: AuditFilter, args: list[Any]) -> str:
    where = Conditions(args, "a.user_id = $1")
    if filters.operations:
        where.add(f"a.operation = any({where.param(list(filters.operations))}::text[])")
    if filters.target_id is not None:
        # `@>` so the GIN index on target_ids answers it
        where.add(f"a.target_ids @> array[{where.param(filters.target_id)}::uuid]")
    if filters.after is not None:
        where.add(f"a.created_at >= {where.param(filters.after)}")
    if filters.before is not None:
        where.add(f"a.created_at < {where.param(filters.before)}")
    return where.sql()


def page_statement(
    user_id: UUID, filters: AuditFilter, request: PageRequest
) -> tuple[str, list[Any]]:
    """The page's statement and its arguments (tests EXPLAIN it: partitions prune)."""
    args: list[Any] = [user_id]
    where = _where(filters, args)
    if request.after is not None:
        # implied by the cursor's row comparison (whose first value page_sql makes the
        # next parameter), but written out so the planner can leave out the months
        # beyond the cursor (a row comparison prunes no partition)
        side = "<=" if RECENT.descending != request.backward else ">="
        where += f" and a.created_at {side} ${len(args) + 1}"
    page = page_sql(
        select=COLUMNS, source="audit_log a", where=where, keyset=RECENT, request=request, args=args
    )
    return f"-- audit_log_page\n{page}", args


async def audit_page(
    pool: asyncpg.Pool, user_id: UUID, filters: AuditFilter, request: PageRequest
) -> Page:
    statement, args = page_statement(user_id, filters, request)
    rows = await tenant.fetch(pool, user_id, statement, *args)
    return page_of(RECENT, request, rows)


async def count_audit(pool: asyncpg.Pool, user_id: UUID, filters: AuditFilter) -> int:
    args: list[Any] = [user_id]
    where = _where(filters, args)
    count: int = await tenant.fetchval(
        pool, user_id, f"-- audit_log_count\n select count(*) from audit_log a where {where}", *args
    )
    return count
