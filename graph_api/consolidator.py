"""The periodic job that consolidates everyone's old memories, as one cleanup context.

Every `GRAPH_API_CONSOLIDATE_INTERVAL_SECONDS` (default 86400, a day; 0 turns it off)
it walks the users and consolidates, for each, every contact's memories older than
`GRAPH_API_CONSOLIDATE_AFTER_DAYS` (default 180) in a write transaction of that
user's (domain/consolidation.py). Two processes running it at once cannot use a
memory twice: the candidates are locked as they are read, and a consolidated memory
is no longer a candidate. The summaries are embedded by the background embedder.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
from aiohttp import web

from graph_api.db.pool import running_beside
from graph_api.db.tenant import all_users, write_transaction
from graph_api.domain import consolidation
from graph_api.domain.actor import Actor
from graph_api.env import env_int
from graph_api.keys import POOL, SEARCH

logger = logging.getLogger("graph_api.consolidation")

DEFAULT_INTERVAL_SECONDS = 86_400
DEFAULT_AFTER_DAYS = 180
# who the audit trail says made the summaries
ACTOR = "graph-api consolidation"


def after_days() -> int:
    return env_int(os.environ, "GRAPH_API_CONSOLIDATE_AFTER_DAYS", DEFAULT_AFTER_DAYS, 1, 36_500)


async def consolidate_everyone(
    pool: asyncpg.Pool, older_than: datetime
) -> consolidation.Consolidation:
    """Every user's contacts in turn; one user's failure does not stop the rest."""
    summaries: list[asyncpg.Record] = []
    sources = 0
    for user_id in await all_users(pool):
        try:
            done = await _one_user(pool, user_id, older_than)
        except (asyncpg.PostgresError, OSError) as error:
            logger.warning("consolidation for one user failed: %s", type(error).__name__)
            continue
        summaries += done.summaries
        sources += done.sources
    return consolidation.Consolidation(summaries, sources)


async def _one_user(
    pool: asyncpg.Pool, user_id: UUID, older_than: datetime
) -> consolidation.Consolidation:
    actor = Actor(user_id=user_id, email=ACTOR, request_id="consolidation-job")
    return await write_transaction(
        pool, user_id, lambda conn: consolidation.consolidate_user(conn, actor, older_than)
    )


async def _loop(app: web.Application, interval: int, days: int) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            done = await consolidate_everyone(app[POOL], datetime.now(UTC) - timedelta(days=days))
        except (asyncpg.PostgresError, OSError) as error:
            logger.warning("the consolidation pass failed: %s", type(error).__name__)
            continue
        if done.summaries:
            logger.info(
                "consolidated %d memories into %d summaries", done.sources, len(done.summaries)
            )
            pending = app[SEARCH].pending
            if pending is not None:
                pending.wake()


async def consolidation_ctx(app: web.Application) -> AsyncIterator[None]:
    interval = env_int(
        os.environ,
        "GRAPH_API_CONSOLIDATE_INTERVAL_SECONDS",
        DEFAULT_INTERVAL_SECONDS,
        0,
        30 * 86_400,
    )
    days = after_days()
    async with running_beside(_loop(app, interval, days) if interval > 0 else None):
        yield
