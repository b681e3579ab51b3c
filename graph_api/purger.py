"""The background job that purges what retention names, as one cleanup context.

Beside the app factory: every `GRAPH_API_PURGE_INTERVAL_SECONDS` (default 3600; 0 turns
it off) it runs `graph-api purge`'s work (`domain.retention.purge_all`) on the app's
pool: expired memories (already hidden from every read), audit rows past
GRAPH_API_AUDIT_RETENTION_DAYS, notifications dismissed over
GRAPH_API_DISMISSED_RETENTION_DAYS ago. A delete is idempotent, so several processes
running it at once only repeat each other's empty deletes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
from aiohttp import web

from graph_api.db.pool import running_beside
from graph_api.domain.retention import Retention, purge_all
from graph_api.keys import POOL, SETTINGS

logger = logging.getLogger("graph_api.retention")


async def _loop(pool: asyncpg.Pool, retention: Retention, interval: int) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            report = await purge_all(pool, retention, datetime.now(UTC))
            if report.total:
                logger.info(
                    "purged %d expired memories, %d audit rows, %d dismissed notifications",
                    report.expired_memories,
                    report.audit_rows,
                    report.dismissed_notifications,
                )
        except (asyncpg.PostgresError, OSError) as error:
            logger.warning("the purge pass failed: %s", type(error).__name__)


async def purge_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    interval = settings.purge_interval_seconds
    job = _loop(app[POOL], settings.retention, interval) if interval > 0 else None
    async with running_beside(job):
        yield
