"""The three execution paths side by side, in one process: graphql-core, the Python
plan (execution/compiled.py) and the SQL plan (execution/sql.py).

    .venv/bin/python -m benchmarks.execution_paths [--contacts 2000] [--profile nested]

Starts an embedded PostgreSQL in a temporary directory, seeds one user, serves the app
on 127.0.0.1 and sends benchmarks/postgraphile.py's three shapes through an in-process
client, one request at a time, each path in turn. Prints milliseconds per request
(client included: compare the paths, not the figures with other runs), and with
`--profile SHAPE` a cProfile of that shape on the SQL plan, by internal time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web

from benchmarks.nested_query import NESTED
from benchmarks.postgraphile import BY_ID, FLAT, global_id
from graph_api import accounts
from graph_api.app import apply_migrations, create_app
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import ensure_database, with_database
from graph_api.demo import today
from graph_api.keys import GRAPHQL_ENDPOINT
from graph_api.search.embeddings import EmbeddingSettings
from graph_api.seed import seed_network
from graph_api.settings import Settings

# path -> (endpoint.compiled, endpoint.compiled_sql)
PATHS = {"graphql-core": (False, False), "python plan": (True, False), "sql plan": (True, True)}


async def run(server_url: str, contacts: int, profile: str | None) -> None:
    await ensure_database(server_url, "paths")
    url = with_database(server_url, "paths")
    await apply_migrations(url, Settings(database_url=url))
    conn = await asyncpg.connect(url)
    user = await accounts.create_user(conn, "paths@example.com", "Paths")
    token = await accounts.create_token(conn, user.id)
    await seed_network(conn, user.id, contacts, 42, today())
    contact = await conn.fetchval(
        "select id from contacts where user_id = $1 order by created_at, id limit 1", user.id
    )
    await conn.close()
    settings = Settings(
        database_url=url,
        pool_max_size=4,
        embeddings=EmbeddingSettings(provider="none"),
        rate_limit_per_minute=0,
    )
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    shapes: dict[str, tuple[dict[str, Any], int]] = {
        "nested": ({"query": NESTED}, 60),
        "flat": ({"query": FLAT}, 150),
        "by id": ({"query": BY_ID, "variables": {"id": global_id("Contact", contact)}}, 400),
    }
    endpoint = app[GRAPHQL_ENDPOINT]
    try:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:

            async def once(body: dict[str, Any]) -> None:
                async with session.post(f"http://127.0.0.1:{port}/graphql", json=body) as response:
                    data = await response.read()
                    if response.status != 200 or b'"errors"' in data:
                        raise SystemExit(f"HTTP {response.status}: {data[:500]!r}")

            print("| shape | " + " | ".join(PATHS) + " |")
            print("|---|" + "---|" * len(PATHS))
            for shape, (body, count) in shapes.items():
                cells = []
                for compiled, sql in PATHS.values():
                    endpoint.compiled, endpoint.compiled_sql = compiled, sql
                    for _ in range(10):
                        await once(body)
                    started = time.perf_counter()
                    for _ in range(count):
                        await once(body)
                    cells.append(f"{(time.perf_counter() - started) / count * 1000:.2f} ms")
                print(f"| {shape} | " + " | ".join(cells) + " |")
            if profile:
                endpoint.compiled = endpoint.compiled_sql = True
                body, count = shapes[profile]
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(count):
                    await once(body)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--profile", choices=["nested", "flat", "by id"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        server = start_embedded(Path(directory) / "pgdata")
        try:
            asyncio.run(run(embedded_url(server, "postgres"), args.contacts, args.profile))
        finally:
            stop_embedded(server)


if __name__ == "__main__":
    main()
