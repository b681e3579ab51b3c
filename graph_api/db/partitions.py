"""Time partitions of the audit trail (migration 0041): made ahead, dropped whole.

`audit_log` has a partition per UTC month and a default one that catches whatever no
month holds, so a write never fails for want of a partition. These run as the tables'
owner (DDL), never on the request pool: at serve's start and daily after, and on every
`graph-api purge`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

MONTHS_AHEAD = 3

ENSURE = """-- ensure_audit_log_partitions
    select ensure_audit_log_partitions($1::timestamptz, $1::timestamptz + make_interval(months => $2))"""

# the month partitions, with their bounds, oldest first (the default one has none)
MONTH_PARTITIONS = """-- audit_log_month_partitions
    select c.relname as name,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid),
                         'FROM \\(''(.*)''\\) TO \\(''(.*)''\\)'))[1]::timestamptz as starts,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid),
                         'FROM \\(''(.*)''\\) TO \\(''(.*)''\\)'))[2]::timestamptz as ends
      from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'audit_log'::regclass
       and pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
     order by starts"""


@dataclass(frozen=True)
class MonthPartition:
    name: str
    starts: datetime
    ends: datetime


async def ensure_partitions(
    conn: asyncpg.Connection, now: datetime | None = None, months_ahead: int = MONTHS_AHEAD
) -> int:
    """Make this month's partition and `months_ahead` more (those missing); how many made."""
    made: int = await conn.fetchval(ENSURE, now or datetime.now(UTC), months_ahead)
    return made


async def month_partitions(conn: asyncpg.Connection) -> list[MonthPartition]:
    rows = await conn.fetch(MONTH_PARTITIONS)
    return [MonthPartition(r["name"], r["starts"], r["ends"]) for r in rows]


async def wholly_before(conn: asyncpg.Connection, cutoff: datetime) -> list[MonthPartition]:
    """The month partitions holding only rows older than `cutoff`: retention drops them."""
    return [p for p in await month_partitions(conn) if p.ends <= cutoff]


async def drop_partitions(conn: asyncpg.Connection, partitions: list[MonthPartition]) -> None:
    for partition in partitions:
        # a name read from the catalog, quoted as an identifier
        await conn.execute(f'-- drop_audit_log_partition\n drop table "{partition.name}"')


def next_maintenance(now: datetime) -> float:
    """Seconds until the daily ensure: shortly after the next UTC midnight."""
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=5, second=0, microsecond=0)
    return (tomorrow - now).total_seconds()
