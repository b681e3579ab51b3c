"""The background job that makes notifications, every user's in turn, as one cleanup context.

Beside the app factory: it reads the app's keys (the pool, the graph cache). Every
`GRAPH_API_NOTIFY_INTERVAL_SECONDS` (default 900; 0 turns it off) it walks the users and,
for each, asks its graph which ties are going cold and `domain.notifications.generate`
for the rest, in a write transaction of that user's: idempotent, so several processes
(or a restart) running it at once make each notice once.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
from aiohttp import web

from graph_api.db.pool import running_beside
from graph_api.db.tenant import all_users, write_transaction
from graph_api.domain import notifications
from graph_api.env import env_int
from graph_api.graph.cache import GraphCache
from graph_api.keys import GRAPHS, POOL

logger = logging.getLogger("graph_api.notifications")

DEFAULT_INTERVAL_SECONDS = 900
# the most going-cold ties one pass notices per user (most overdue first)
COLD_PER_PASS = 50


async def notify_user(
    pool: asyncpg.Pool, graphs: GraphCache, user_id: UUID, now: datetime | None = None
) -> int:
    """One user's new notices; how many."""
    moment = now or datetime.now(UTC)
    network = await graphs.get(user_id)
    cold = [tie.contact_id for tie in await asyncio.to_thread(network.going_cold, COLD_PER_PASS)]
    half_life = graphs.params.interest_half_life_days
    return await write_transaction(
        pool,
        user_id,
        lambda conn: notifications.generate(conn, user_id, cold, moment, half_life),
    )


async def notify_all(pool: asyncpg.Pool, graphs: GraphCache) -> int:
    made = 0
    for user_id in await all_users(pool):
        try:
            made += await notify_user(pool, graphs, user_id)
        except (asyncpg.PostgresError, OSError) as error:
            # one user's failure (a deleted user, a lost connection) must not stop the rest
            logger.warning("notifications for one user failed: %s", type(error).__name__)
    return made


async def _loop(pool: asyncpg.Pool, graphs: GraphCache, interval: int) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            made = await notify_all(pool, graphs)
            if made:
                logger.info("%d new notifications", made)
        except (asyncpg.PostgresError, OSError) as error:
            logger.warning("the notifications pass failed: %s", type(error).__name__)


async def notifications_ctx(app: web.Application) -> AsyncIterator[None]:
    interval = env_int(
        os.environ, "GRAPH_API_NOTIFY_INTERVAL_SECONDS", DEFAULT_INTERVAL_SECONDS, 0, 86_400
    )
    async with running_beside(_loop(app[POOL], app[GRAPHS], interval) if interval > 0 else None):
        yield
