"""Graph benchmark: cache build and graph queries through GraphQL, by network size.

    .venv/bin/python -m benchmarks.graph_queries [--sizes 1000,10000,50000] [--requests 100]

For each size: seeds one user (embedded PostgreSQL in a temporary directory, or
BENCH_DATABASE_URL's server), then measures
- a full cache rebuild: loading the facts (SQL) and building the graph, and the
  Python memory the built graph holds per edge (tracemalloc);
- p50/p95 through HTTP of mutualConnections, shortestPath, introductionPaths and
  communities on a warm cache (random pairs, fixed seed), one sequential client.
Prints Markdown rows for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web

from graph_api import accounts
from graph_api.app import GRAPHS, apply_migrations, create_app
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import create_pool, drop_database, ensure_database, with_database
from graph_api.demo import today
from graph_api.graph.load import load_facts
from graph_api.graph.network import Network
from graph_api.search.embeddings import EmbeddingSettings
from graph_api.seed import seed_network
from graph_api.settings import Settings
from graph_api.types.node import global_id

QUERIES = {
    "mutualConnections": "query($a: ID!, $b: ID!) { mutualConnections(a: $a, b: $b) { count jaccard adamicAdar contacts { id } } }",
    "shortestPath": "query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b) { length weakestLink contacts { id } } }",
    "introductionPaths": "query($b: ID!) { introductionPaths(to: $b) { length weakestLink contacts { id } } }",
    "communities": "{ communities { id size label } }",
}


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def bench_size(server_url: str, contacts: int, requests: int) -> list[str]:
    name = f"graph_api_gbench_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_url, name)
    url = with_database(server_url, name)
    rows: list[str] = []
    try:
        # no embedding provider: background embedding would share the cores with the timing
        settings = Settings(
            database_url=url,
            pool_max_size=4,
            statement_timeout_ms=120_000,
            embeddings=EmbeddingSettings(provider="none"),
            rate_limit_per_minute=0,
        )
        await apply_migrations(url, settings)
        conn = await asyncpg.connect(url)
        user = await accounts.create_user(conn, "bench@example.com", None)
        token = await accounts.create_token(conn, user.id)
        await seed_network(conn, user.id, contacts, 42, today())
        ids = [
            r["id"]
            for r in await conn.fetch(
                "select id from contacts where user_id = $1 and archived_at is null", user.id
            )
        ]
        await conn.close()

        # a full rebuild, measured outside the server: SQL load, then build
        pool = await create_pool(url, min_size=1, max_size=2, statement_timeout_ms=120_000)
        try:
            load_times, build_times = [], []
            for _ in range(3):
                start = time.perf_counter()
                _, facts = await load_facts(pool, user.id, datetime.now(UTC))
                loaded = time.perf_counter()
                network = Network.build(facts, settings.strength)
                load_times.append(loaded - start)
                build_times.append(time.perf_counter() - loaded)
            del network
            gc.collect()
            tracemalloc.start()
            network = Network.build(facts, settings.strength)
            held, _ = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            edges = network.graph.number_of_edges()
        finally:
            await pool.close()
        rows.append(
            f"| {contacts:,} | {edges:,} | {min(load_times) * 1000:,.0f} ms | {min(build_times) * 1000:,.0f} ms "
            f"| {(min(load_times) + min(build_times)) * 1000:,.0f} ms | {held / max(edges, 1):,.0f} B |"
        )
        del network, facts

        app = create_app(settings)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        rng = random.Random(7)
        try:
            async with aiohttp.ClientSession(
                headers={"Authorization": f"Bearer {token}"}
            ) as session:

                async def ask(query: str, variables: dict[str, Any]) -> float:
                    start = time.perf_counter()
                    async with session.post(
                        f"http://127.0.0.1:{port}/graphql",
                        json={"query": query, "variables": variables},
                    ) as response:
                        body = await response.json()
                    assert "errors" not in body, body
                    return time.perf_counter() - start

                warm_start = time.perf_counter()
                await ask(QUERIES["communities"], {})  # builds the cache and the communities
                warm = time.perf_counter() - warm_start
                rows.append(
                    f"| {contacts:,} | first query on a cold cache (build + communities) | {warm * 1000:,.0f} ms | | |"
                )
                for label, query in QUERIES.items():
                    samples = []
                    for _ in range(requests if label != "communities" else max(10, requests // 10)):
                        a, b = rng.sample(ids, 2)
                        variables = {
                            "a": str(global_id("Contact", a)),
                            "b": str(global_id("Contact", b)),
                        }
                        used = {k: v for k, v in variables.items() if f"${k}" in query}
                        samples.append(await ask(query, used))
                    rows.append(
                        f"| {contacts:,} | {label} | {percentile(samples, 0.5):.1f} ms | {percentile(samples, 0.95):.1f} ms | n={len(samples)} |"
                    )
                assert app[GRAPHS].builds == 1, "the warm queries rebuilt the graph"
        finally:
            await runner.cleanup()
    finally:
        await drop_database(server_url, name)
    return rows


async def run(sizes: list[int], requests: int, server_url: str) -> None:
    build_rows: list[str] = []
    query_rows: list[str] = []
    for size in sizes:
        rows = await bench_size(server_url, size, requests)
        build_rows.append(rows[0])
        query_rows.extend(rows[1:])
    print("| contacts | edges | load facts (SQL) | build graph | full rebuild | memory per edge |")
    print("|---|---|---|---|---|---|")
    print("\n".join(build_rows))
    print()
    print("| contacts | query (warm cache, through HTTP) | p50 | p95 | |")
    print("|---|---|---|---|---|")
    print("\n".join(query_rows))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    external = os.environ.get("BENCH_DATABASE_URL")
    if external:
        asyncio.run(run(sizes, args.requests, external))
        return
    with tempfile.TemporaryDirectory() as directory:
        server = start_embedded(Path(directory) / "pgdata")
        try:
            asyncio.run(run(sizes, args.requests, embedded_url(server, "postgres")))
        finally:
            stop_embedded(server)


if __name__ == "__main__":
    main()
