"""Seed throughput and the latency of a 3-level nested query, through HTTP.

    .venv/bin/python -m benchmarks.nested_query [--contacts 10000] [--requests 200]

Starts its own embedded PostgreSQL in a temporary directory (or uses
BENCH_DATABASE_URL's server), seeds one user, serves the real app on 127.0.0.1,
and sends the query sequentially (one client, so the figure is latency, not
throughput under contention). Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web

from graph_api import accounts
from graph_api.app import apply_migrations, create_app
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import drop_database, ensure_database, with_database
from graph_api.demo import today
from graph_api.search.embeddings import EmbeddingSettings
from graph_api.seed import seed_network
from graph_api.settings import Settings

NESTED = """
query Nested {
  contacts(first: 20, orderBy: LAST_INTERACTION_DESC) {
    edges { node {
      id fullName company
      connections(first: 5) { edges {
        relationship { type strength }
        node { id fullName interests(first: 5) { edges { node { category topic confidence } } } }
      } }
    } }
  }
}
"""


class StatementCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.names: list[str] = []
        self.milliseconds = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        self.names.append(getattr(record, "statement", "?"))
        self.milliseconds += getattr(record, "elapsed_ms", 0.0)


async def run(contacts: int, requests: int, server_url: str) -> None:
    name = f"graph_api_bench_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_url, name)
    url = with_database(server_url, name)
    try:
        await apply_migrations(url, Settings(database_url=url))
        conn = await asyncpg.connect(url)
        user = await accounts.create_user(conn, "bench@example.com", "Bench")
        token = await accounts.create_token(conn, user.id)
        report = await seed_network(conn, user.id, contacts, 42, today())
        await conn.close()
        rows = (
            report.contacts + report.relationships + report.interactions
            + report.participants + report.interests + report.memories
        )  # fmt: skip

        # no embedding provider: embedding the seeded memories in the background would
        # share the two cores with the requests being timed
        app = create_app(
            Settings(
                database_url=url,
                log_statements=True,
                pool_max_size=4,
                embeddings=EmbeddingSettings(provider="none"),
                rate_limit_per_minute=0,
            )
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        counter = StatementCounter()
        sql_logger = logging.getLogger("graph_api.sql")
        sql_logger.setLevel(logging.DEBUG)
        sql_logger.addHandler(counter)
        try:
            async with aiohttp.ClientSession(
                headers={"Authorization": f"Bearer {token}"}
            ) as session:

                async def once() -> float:
                    start = time.perf_counter()
                    async with session.post(
                        f"http://127.0.0.1:{port}/graphql", json={"query": NESTED}
                    ) as response:
                        body: dict[str, Any] = await response.json()
                    assert "errors" not in body, body
                    return time.perf_counter() - start

                for _ in range(10):  # warm the prepared statements and caches
                    await once()
                counter.names.clear()
                await once()
                statements = list(counter.names)
                counter.milliseconds = 0.0
                samples = sorted([await once() for _ in range(requests)])
                sql_ms = counter.milliseconds / requests
        finally:
            sql_logger.removeHandler(counter)
            await runner.cleanup()
    finally:
        await drop_database(server_url, name)

    def ms(q: float) -> str:
        return f"{samples[min(len(samples) - 1, int(q * len(samples)))] * 1000:.1f} ms"

    print(
        f"| seed {contacts:,} contacts | {report.seconds:.1f} s | {rows / report.seconds:,.0f} rows/s "
        f"({report.interactions:,} interactions, {report.relationships:,} relationships) |"
    )
    print(
        f"| nested query p50 | {ms(0.5)} | p95 {ms(0.95)}, mean {statistics.mean(samples) * 1000:.1f} ms, n={requests} |"
    )
    print(f"| statements per nested query | {len(statements)} | {', '.join(statements)} |")
    print(
        f"| SQL time per nested query (mean, as asyncpg sees it) | {sql_ms:.1f} ms | the rest is HTTP, GraphQL and Python |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    external = os.environ.get("BENCH_DATABASE_URL")
    if external:
        asyncio.run(run(args.contacts, args.requests, external))
        return
    with tempfile.TemporaryDirectory() as directory:
        server = start_embedded(Path(directory) / "pgdata")
        try:
            asyncio.run(run(args.contacts, args.requests, embedded_url(server, "postgres")))
        finally:
            stop_embedded(server)


if __name__ == "__main__":
    main()
