"""A statement's log record says whether a request ran it or the process's own background
work did, so a test counting one request's statements is not thrown by the others."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import pytest

from graph_api.db.pool import background_task, create_pool


async def test_statements_of_background_tasks_are_marked_and_a_requests_are_not(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    pool = await create_pool(
        database_url, min_size=1, max_size=2, statement_timeout_ms=30_000, log_statements=True
    )
    try:
        await _statements_of(pool, caplog)
    finally:
        await pool.close()


async def _statements_of(pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture) -> None:
    async def run(name: str) -> None:
        async with pool.acquire() as conn:
            await conn.fetchval(f"-- {name}\n select 1")

    async def starts_another() -> None:
        # a task the background work starts is background work too
        await asyncio.create_task(run("origin_nested"))

    with caplog.at_level(logging.DEBUG, logger="graph_api.sql"):
        await run("origin_request")
        await background_task(run("origin_background"))
        await background_task(starts_another())
        await run("origin_request_again")  # setting it in a task left this one alone
    marked = {
        r.statement: r.background  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "graph_api.sql" and r.statement.startswith("origin_")  # type: ignore[attr-defined]
    }
    assert marked == {
        "origin_request": False,
        "origin_background": True,
        "origin_nested": True,
        "origin_request_again": False,
    }
