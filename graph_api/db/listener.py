"""One connection listening for other processes' news (LISTEN/NOTIFY), that comes back.

When the database restarts, the connection dies and so do its LISTENs: without a
new one, this process would stop hearing about revoked tokens and other processes'
writes. The listener reconnects with a backoff, listens again on every channel, and
then calls the `on_reconnect` callbacks, since anything sent while it was away is
lost: they drop what the missed notifications would have told them to drop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from graph_api.db.errors import CONNECTION_ERRORS
from graph_api.db.pool import connect

logger = logging.getLogger("graph_api.db")

Callback = Callable[[Any, int, str, str], None]
RECONNECT_BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)


class Listener:
    def __init__(self, url: str) -> None:
        self._url = url
        # a channel's callbacks, in the order they were added (several parts of the
        # process may want one channel: the graph cache and the subscriptions)
        self._channels: dict[str, list[Callback]] = {}
        self._on_reconnect: list[Callable[[], None]] = []
        self._conn: asyncpg.Connection | None = None
        self._reconnecting: asyncio.Task[None] | None = None
        self._closed = False
        self.reconnects = 0

    async def start(self) -> None:
        self._conn = await self._open()

    async def listen(self, channel: str, callback: Callback) -> None:
        self._channels.setdefault(channel, []).append(callback)
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.add_listener(channel, callback)

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        self._on_reconnect.append(callback)

    async def _open(self) -> asyncpg.Connection:
        conn = await connect(self._url)
        for channel, callbacks in self._channels.items():
            for callback in callbacks:
                await conn.add_listener(channel, callback)
        conn.add_termination_listener(self._lost)
        return conn

    def _lost(self, conn: asyncpg.Connection) -> None:
        if self._closed or self._reconnecting is not None:
            return
        logger.warning("the notification listener lost its connection; reconnecting")
        self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        attempt = 0
        try:
            while not self._closed:
                await asyncio.sleep(RECONNECT_BACKOFF_SECONDS[min(attempt, 4)])
                attempt += 1
                try:
                    self._conn = await self._open()
                except CONNECTION_ERRORS:
                    continue
                self.reconnects += 1
                logger.info("the notification listener is back (attempt %d)", attempt)
                for callback in self._on_reconnect:
                    callback()
                return
        finally:
            self._reconnecting = None

    async def close(self) -> None:
        self._closed = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()
