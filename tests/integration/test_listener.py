"""The notification listener comes back after the database restarts: a token revoked
afterwards still stops working at once, not only when the token cache expires."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient

from graph_api import accounts
from graph_api.app import create_app
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.keys import LISTENER
from graph_api.search.embeddings import EmbeddingSettings
from graph_api.settings import Settings

ME = {"query": "{ me { email } }"}


async def until(condition: Callable[[], Awaitable[bool]], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, "it did not happen in time"
        await asyncio.sleep(0.1)


async def test_revocation_after_a_database_restart_is_heard(
    tmp_path: Path, aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]]
) -> None:
    pgdata = tmp_path / "pgdata"
    server = start_embedded(pgdata)
    try:
        url = embedded_url(server, "postgres")
        client = await aiohttp_client(
            create_app(Settings(database_url=url, embeddings=EmbeddingSettings(provider="none")))
        )
        conn = await asyncpg.connect(url)
        try:
            user = await accounts.create_user(conn, "restart@example.com", None)
            token = await accounts.create_token(conn, user.id)
        finally:
            await conn.close()
        headers = {"Authorization": f"Bearer {token}"}

        async def me_status() -> str:
            body = await (await client.post("/graphql", json=ME, headers=headers)).json()
            return "ok" if "errors" not in body else body["errors"][0]["extensions"]["code"]

        assert await me_status() == "ok"  # the token is now cached
        server.stop()
        start_embedded(pgdata)
        listener = client.app[LISTENER]

        async def reconnected() -> bool:
            return listener.reconnects >= 1

        await until(reconnected, 15)
        await until(lambda: _is(me_status, "ok"), 10)  # the pool finds the database again
        conn = await asyncpg.connect(url)
        try:
            assert await accounts.revoke_token(conn, token)
        finally:
            await conn.close()
        await until(lambda: _is(me_status, "UNAUTHENTICATED"), 2)
    finally:
        stop_embedded(server)


async def _is(check: Callable[[], Awaitable[str]], expected: str) -> bool:
    return await check() == expected
