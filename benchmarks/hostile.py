"""How long hostile documents take to be refused, anonymously, through HTTP.

    .venv/bin/python -m benchmarks.hostile [--repeat 5]

Starts its own embedded PostgreSQL in a temporary directory (or uses
BENCH_DATABASE_URL's server), serves the real app on 127.0.0.1 without a token,
and sends each document `--repeat` times: the first answer pays for parsing and
checking it, the others find it prepared. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from aiohttp import web

from graph_api.app import apply_migrations, create_app
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import drop_database, ensure_database, with_database
from graph_api.search.embeddings import EmbeddingSettings
from graph_api.settings import Settings


def doubling_fragments(levels: int) -> str:
    """Each fragment spreads the next twice: 2^levels leaves when expanded naively."""
    fragments = [f"fragment F{i} on User {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    return "{ me { ...F0 } } " + " ".join(
        [*fragments, f"fragment F{levels} on User {{ __typename }}"]
    )


DOCUMENTS = {
    "fragments doubling, 26 levels": doubling_fragments(26),
    "fragments doubling, 30 levels": doubling_fragments(30),
    "1,000 overlapping fields": "{ " + "me { email } " * 1000 + "}",
    "450 aliased __schema": "{ "
    + " ".join(f"a{i}: __schema {{ types {{ name fields {{ name }} }} }}" for i in range(450))
    + " }",
    "a chain of 2,000 fragments": "{ me { ...F0 } } "
    + " ".join(f"fragment F{i} on User {{ ...F{i + 1} }}" for i in range(2000))
    + " fragment F2000 on User { email }",
}


async def run(server_url: str, repeat: int) -> None:
    name = f"graph_api_bench_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_url, name)
    url = with_database(server_url, name)
    try:
        await apply_migrations(url, Settings(database_url=url))
        app = create_app(
            Settings(
                database_url=url,
                embeddings=EmbeddingSettings(provider="none"),
                rate_limit_per_minute=0,
            )
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        print("| document | size | answer | first | then (best) |")
        print("|---|---|---|---|---|")
        try:
            async with aiohttp.ClientSession() as session:
                for label, query in DOCUMENTS.items():
                    times, code = [], ""
                    for _ in range(repeat):
                        started = time.perf_counter()
                        async with session.post(
                            f"http://127.0.0.1:{port}/graphql", json={"query": query}
                        ) as response:
                            body = await response.json()
                        times.append((time.perf_counter() - started) * 1000)
                        code = f"{response.status} {body['errors'][0]['extensions']['code']}"
                    print(
                        f"| {label} | {len(query):,} B | {code} | {times[0]:.1f} ms "
                        f"| {min(times[1:] or times):.1f} ms |"
                    )
        finally:
            await runner.cleanup()
    finally:
        await drop_database(server_url, name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    external = os.environ.get("BENCH_DATABASE_URL")
    if external:
        asyncio.run(run(external, args.repeat))
        return
    with tempfile.TemporaryDirectory() as directory:
        server = start_embedded(Path(directory) / "pgdata")
        try:
            asyncio.run(run(embedded_url(server, "postgres"), args.repeat))
        finally:
            stop_embedded(server)


if __name__ == "__main__":
    main()
