"""Retention: what `graph-api purge` deletes, one user at a time.

- memories past their `expires_at`;
- audit rows older than the audit retention (when one is set: by default the trail is
  kept, since it is the user's record of what happened);
- notifications dismissed longer ago than the notification retention.

A dry run counts what would go and deletes nothing. Each user's share runs in a
transaction of that user's (row-level security admits nothing else).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

EXPIRED_MEMORIES = """
    from memories where user_id = $1 and expires_at is not null and expires_at <= $2
"""
OLD_AUDIT_ROWS = """
    from audit_log where user_id = $1 and created_at < $2
"""
OLD_DISMISSED = """
    from notifications where user_id = $1 and status = 'dismissed' and updated_at < $2
"""


@dataclass
class PurgeReport:
    expired_memories: int = 0
    audit_rows: int = 0
    dismissed_notifications: int = 0

    def add(self, other: PurgeReport) -> None:
        self.expired_memories += other.expired_memories
        self.audit_rows += other.audit_rows
        self.dismissed_notifications += other.dismissed_notifications


async def _purge(
    conn: asyncpg.Connection, name: str, source: str, user_id: UUID, before: datetime, dry_run: bool
) -> int:
    if dry_run:
        count: int = await conn.fetchval(
            f"-- count_{name}\n select count(*) {source}", user_id, before
        )
        return count
    status = await conn.execute(f"-- purge_{name}\n delete {source}", user_id, before)
    return int(status.split()[-1])


async def purge_user(
    conn: asyncpg.Connection,
    user_id: UUID,
    now: datetime,
    *,
    audit_retention_days: int | None,
    notification_retention_days: int,
    dry_run: bool,
) -> PurgeReport:
    """One user's share, in the caller's transaction (with the tenant set)."""
    report = PurgeReport()
    report.expired_memories = await _purge(
        conn, "expired_memories", EXPIRED_MEMORIES, user_id, now, dry_run
    )
    if audit_retention_days is not None:
        report.audit_rows = await _purge(
            conn, "old_audit_rows", OLD_AUDIT_ROWS, user_id,
            now - timedelta(days=audit_retention_days), dry_run,
        )  # fmt: skip
    report.dismissed_notifications = await _purge(
        conn, "old_dismissed_notifications", OLD_DISMISSED, user_id,
        now - timedelta(days=notification_retention_days), dry_run,
    )  # fmt: skip
    return report
