"""The nested query against PostGraphile on the same database, as a ratio.

    (cd /tmp/pgl && npm install postgraphile@4)
    POSTGRAPHILE_BIN=/tmp/pgl/node_modules/.bin/postgraphile \\
        .venv/bin/python -m benchmarks.postgraphile [--contacts 10000] [--requests 300]

Seeds one user into a fresh database on an embedded PostgreSQL, serves it with this
API and with PostGraphile v4 (no JWT, no RLS: it sees every row, so its query filters
by `userId`), and times the same shape of query, one sequential client each,
alternating so machine noise hits both alike: 20 contacts by last interaction × 5
relationships × the other contact's 5 interests. PostGraphile follows the foreign
keys (only relationships where the contact is `contact_a`), so it does no more work
than this API, which follows ties both ways and orders them by computed strength.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web

from benchmarks.nested_query import NESTED
from graph_api import accounts
from graph_api.app import apply_migrations, create_app
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import drop_database, ensure_database, with_database
from graph_api.demo import today
from graph_api.search.embeddings import EmbeddingSettings
from graph_api.seed import seed_network
from graph_api.settings import Settings

POSTGRAPHILE_QUERY = """
query Nested($user: UUID!) {
  allContacts(first: 20, orderBy: LAST_INTERACTION_AT_DESC, condition: {userId: $user}) {
    nodes {
      id fullName company
      relationshipsByUserIdAndContactAId(first: 5) { nodes {
        type manualStrength
        contactByUserIdAndContactBId { id fullName
          interestsByUserIdAndContactId(first: 5) { nodes { category topic confidence } } }
      } }
    }
  }
}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def postgraphile_url(url: str) -> str:
    # asyncpg's "postgresql://postgres:@/db?host=/socket" becomes node-postgres' form
    return url.replace("postgresql://postgres:@/", "postgres://postgres@localhost/")


async def run(server_url: str, contacts: int, requests: int, binary: str) -> None:
    name = f"graph_api_pgl_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_url, name)
    url = with_database(server_url, name)
    process = None
    runner = None
    try:
        await apply_migrations(url, Settings(database_url=url))
        conn = await asyncpg.connect(url)
        user = await accounts.create_user(conn, "bench@example.com", None)
        token = await accounts.create_token(conn, user.id)
        await seed_network(conn, user.id, contacts, 42, today())
        await conn.close()

        app = create_app(
            Settings(
                database_url=url, pool_max_size=4, rate_limit_per_minute=0,
                embeddings=EmbeddingSettings(provider="none"),
            )
        )  # fmt: skip
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        ours_port = free_port()
        await web.TCPSite(runner, "127.0.0.1", ours_port).start()

        theirs_port = free_port()
        process = subprocess.Popen(  # noqa: ASYNC220 - started once, before anything is timed
            [binary, "-c", postgraphile_url(url), "--schema", "public", "--host", "127.0.0.1",
             "--port", str(theirs_port), "--disable-query-log", "--disable-graphiql"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

        async with aiohttp.ClientSession() as session:

            async def post(port: int, body: dict[str, Any], headers: dict[str, str]) -> float:
                start = time.perf_counter()
                async with session.post(
                    f"http://127.0.0.1:{port}/graphql", json=body, headers=headers
                ) as r:
                    answer = await r.json()
                assert "errors" not in answer, answer
                return time.perf_counter() - start

            ours = ({"query": NESTED}, {"Authorization": f"Bearer {token}"})
            theirs = ({"query": POSTGRAPHILE_QUERY, "variables": {"user": str(user.id)}}, {})
            for _ in range(100):  # PostGraphile introspects the database as it starts
                try:
                    await post(theirs_port, *theirs)
                    break
                except (aiohttp.ClientError, AssertionError):
                    await asyncio.sleep(0.3)
            for _ in range(20):
                await post(ours_port, *ours)
                await post(theirs_port, *theirs)
            our_times, their_times = [], []
            for _ in range(requests):
                our_times.append(await post(ours_port, *ours))
                their_times.append(await post(theirs_port, *theirs))
    finally:
        if process is not None:
            process.terminate()
            process.wait(10)
        if runner is not None:
            await runner.cleanup()
        await drop_database(server_url, name)

    def ms(samples: list[float], q: float) -> float:
        return sorted(samples)[int(q * (len(samples) - 1))] * 1000

    print("| server | p50 | p95 | mean |")
    print("|---|---|---|---|")
    for label, samples in (("graph-api", our_times), ("PostGraphile 4", their_times)):
        print(
            f"| {label} | {ms(samples, 0.5):.1f} ms | {ms(samples, 0.95):.1f} ms | {statistics.mean(samples) * 1000:.1f} ms |"
        )
    print(
        f"| ratio graph-api / PostGraphile (p50) | {ms(our_times, 0.5) / ms(their_times, 0.5):.2f} | | |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    binary = os.environ.get("POSTGRAPHILE_BIN", "postgraphile")
    with tempfile.TemporaryDirectory() as directory:
        server = start_embedded(Path(directory) / "pgdata")
        try:
            asyncio.run(run(embedded_url(server, "postgres"), args.contacts, args.requests, binary))
        finally:
            stop_embedded(server)


if __name__ == "__main__":
    main()
