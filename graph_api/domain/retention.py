"""Retention: what `graph-api purge` and serve's purge job delete, one user at a time.

- memories past their `expires_at` (hidden from every read and search from that moment:
  `db.columns.UNEXPIRED_MEMORY`; this only reclaims their rows);
- audit rows older than the audit retention (when one is set: by default the trail is
  kept, since it is the user's record of what happened). The trail is partitioned by
  month (graph_api/db/partitions.py): months wholly past the retention are dropped as
  whole partitions by the caller once every user is done (here they are only counted),
  and only the rows of the month the cutoff falls in are deleted row by row;
- notifications dismissed longer ago than the notification retention.

A dry run counts what would go and deletes nothing. Each user's share runs in a
transaction of that user's (row-level security admits nothing else).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from graph_api.db.tenant import all_users, write_transaction

logger = logging.getLogger("graph_api.retention")

DEFAULT_DISMISSED_DAYS = 90

EXPIRED_MEMORIES = """
    from memories where user_id = $1 and expires_at is not null and expires_at <= $2
"""
# rows past the cutoff ($2) but not in the month partitions dropped whole (before $3):
# those of the month the cutoff falls in, and strays in the default partition
OLD_AUDIT_ROWS = """
    from audit_log
   where user_id = $1 and created_at < $2
     and (created_at >= $3 or tableoid = 'audit_log_default'::regclass)
"""
IN_DROPPED_PARTITIONS = """-- count_audit_rows_in_dropped_partitions
    select count(*) from audit_log
     where user_id = $1 and created_at < $2 and tableoid <> 'audit_log_default'::regclass
"""
OLD_DISMISSED = """
    from notifications where user_id = $1 and status = 'dismissed' and updated_at < $2
"""


@dataclass(frozen=True)
class Retention:
    """How long what the purge deletes is kept (GRAPH_API_AUDIT_RETENTION_DAYS,
    GRAPH_API_DISMISSED_RETENTION_DAYS)."""

    # None: the audit trail is kept
    audit_days: int | None = None
    dismissed_days: int = DEFAULT_DISMISSED_DAYS


@dataclass
class PurgeReport:
    expired_memories: int = 0
    audit_rows: int = 0
    dismissed_notifications: int = 0

    def add(self, other: PurgeReport) -> None:
        self.expired_memories += other.expired_memories
        self.audit_rows += other.audit_rows
        self.dismissed_notifications += other.dismissed_notifications

    @property
    def total(self) -> int:
        return self.expired_memories + self.audit_rows + self.dismissed_notifications


async def _purge(
    conn: asyncpg.Connection,
    name: str,
    source: str,
    user_id: UUID,
    before: datetime,
    dry_run: bool,
    *extra: object,
) -> int:
    if dry_run:
        count: int = await conn.fetchval(
            f"-- count_{name}\n select count(*) {source}", user_id, before, *extra
        )
        return count
    status = await conn.execute(f"-- purge_{name}\n delete {source}", user_id, before, *extra)
    return int(status.split()[-1])


async def purge_user(
    conn: asyncpg.Connection,
    user_id: UUID,
    now: datetime,
    *,
    audit_retention_days: int | None,
    notification_retention_days: int,
    dry_run: bool,
    audit_dropped_before: datetime | None = None,
) -> PurgeReport:
    """One user's share, in the caller's transaction (with the tenant set).

    `audit_dropped_before`: the end of the audit partitions the caller drops whole; the
    user's rows before it are counted, not deleted."""
    report = PurgeReport()
    report.expired_memories = await _purge(
        conn, "expired_memories", EXPIRED_MEMORIES, user_id, now, dry_run
    )
    if audit_retention_days is not None:
        cutoff = now - timedelta(days=audit_retention_days)
        dropped = min(audit_dropped_before or datetime.min.replace(tzinfo=UTC), cutoff)
        report.audit_rows = await _purge(
            conn, "old_audit_rows", OLD_AUDIT_ROWS, user_id, cutoff, dry_run, dropped,
        )  # fmt: skip
        if audit_dropped_before is not None:
            report.audit_rows += await conn.fetchval(IN_DROPPED_PARTITIONS, user_id, dropped)
    report.dismissed_notifications = await _purge(
        conn, "old_dismissed_notifications", OLD_DISMISSED, user_id,
        now - timedelta(days=notification_retention_days), dry_run,
    )  # fmt: skip
    return report


async def purge_all(
    pool: asyncpg.Pool, retention: Retention, now: datetime, *, dry_run: bool = False
) -> PurgeReport:
    """Every user's share, each in a write transaction of that user's, on the app's pool
    (serve's purge job). Row by row only: dropping whole audit partitions takes the
    tables' owner, which `graph-api purge` is; here old audit rows are deleted from the
    partitions they are in. O(users) transactions, each through user-leading indexes."""
    total = PurgeReport()
    for user_id in await all_users(pool):
        try:
            total.add(
                await write_transaction(
                    pool,
                    user_id,
                    lambda conn, user_id=user_id: purge_user(  # type: ignore[misc]
                        conn,
                        user_id,
                        now,
                        audit_retention_days=retention.audit_days,
                        notification_retention_days=retention.dismissed_days,
                        dry_run=dry_run,
                    ),
                )
            )
        except (asyncpg.PostgresError, OSError) as error:
            # one user's failure (a lock timeout, a lost connection) must not stop the rest
            logger.warning("purging one user's rows failed: %s", type(error).__name__)
    return total
