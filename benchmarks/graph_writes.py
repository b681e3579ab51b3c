"""Graph benchmark at scale: a write, then a graph read (#13's goals table).

    .venv/bin/python -m benchmarks.graph_writes [--contacts 10000] [--writes 20] [--build-only]

Seeds one user (embedded PostgreSQL in a temporary directory, or BENCH_DATABASE_URL's
server), then measures
- a full build from the database (load the facts, build the graph; best of 3) and the
  Python memory the built graph holds per edge (tracemalloc);
- the first keyConnectors after start (a new app: cold cache, the graph built, then
  centrality), through HTTP: once with nothing stored, once after a restart (the
  betweenness the first app stored is read by topology);
- a write through HTTP, then the read through HTTP, `--writes` times each, for two kinds
  of write: a call logged with one contact (strengths change, the topology does not)
  and a new relationship between two unconnected contacts (the topology changes, so
  betweenness is computed again); reads: contacts(orderBy: STRENGTH_DESC) and
  keyConnectors. Only the read is timed; the cache's counters show no rebuild happened.
Prints Markdown rows for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import socket
import subprocess
import sys
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

READS = {
    "contacts(orderBy: STRENGTH_DESC)": "{ contacts(first: 20, orderBy: STRENGTH_DESC) { edges { node { id strength { score } } } } }",
    "keyConnectors": "{ keyConnectors(first: 10) { contact { id } betweenness pagerank degree } }",
}
CALL = 'mutation($a: ID!) { logInteraction(input: {participantIds: [$a], type: CALL, occurredAt: "2026-11-30T12:00:00Z", direction: OUTBOUND}) { errors { code } } }'
TIE = "mutation($a: ID!, $b: ID!) { createRelationship(input: {contactAId: $a, contactBId: $b, type: FRIEND}) { errors { code } } }"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def full_build(url: str, user_id: uuid.UUID, settings: Settings) -> list[str]:
    pool = await create_pool(url, min_size=1, max_size=2, statement_timeout_ms=120_000)
    try:
        loads, builds = [], []
        for _ in range(3):
            start = time.perf_counter()
            _, facts = await load_facts(pool, user_id, datetime.now(UTC))
            loaded = time.perf_counter()
            network = Network.build(facts, settings.strength)
            loads.append(loaded - start)
            builds.append(time.perf_counter() - loaded)
            del network
        gc.collect()
        tracemalloc.start()
        network = Network.build(facts, settings.strength)
        held, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        edges = len(network.parts.edges)
    finally:
        await pool.close()
    return [
        f"| full build from the database | {(min(loads) + min(builds)) * 1000:,.0f} ms | load {min(loads) * 1000:,.0f} ms + build {min(builds) * 1000:,.0f} ms |",
        f"| memory per edge | {held / max(edges, 1):,.0f} B | {held / 2**20:,.1f} MiB for {edges:,} edges (tracemalloc, the built parts) |",
    ]


async def first_key_connectors(url: str, token: str) -> float:
    """A `graph-api serve` process started afresh (a real restart: nothing cached, nothing
    frozen): its first keyConnectors, then it stops, after the betweenness it computed is
    stored in the background."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "GRAPH_API_APP_DATABASE_URL"}
    env.update(
        DATABASE_URL=url,
        GRAPH_API_HOST="127.0.0.1",
        GRAPH_API_PORT=str(port),
        GRAPH_API_RATE_LIMIT_PER_MINUTE="0",
        GRAPH_API_EMBEDDINGS="none",
        GRAPH_API_LOG_LEVEL="WARNING",
    )
    process = _serve(env)
    try:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
            for _ in range(600):  # up to 60 s to start
                if process.poll() is not None:
                    raise SystemExit(f"serve exited with {process.returncode}")
                try:
                    async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            start = time.perf_counter()
            async with session.post(
                f"http://127.0.0.1:{port}/graphql", json={"query": READS["keyConnectors"]}
            ) as response:
                body = await response.json()
            took = time.perf_counter() - start
            assert "errors" not in body, body
        await asyncio.sleep(2)  # the background store of the betweenness it computed
    finally:
        _stop(process)
    return took


def _serve(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "graph_api", "serve", "--no-demo"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # the process this benchmark started, by its PID
    process.wait(timeout=30)


async def through_http(
    settings: Settings, token: str, ids: list[uuid.UUID], writes: int
) -> list[str]:
    rows: list[str] = []
    assert settings.database_url is not None
    cold = await first_key_connectors(settings.database_url, token)
    rows.append(
        f"| first keyConnectors after start, nothing stored | {cold * 1000:,.0f} ms | a new serve process: load + build + betweenness computed (and stored) |"
    )
    again = await first_key_connectors(settings.database_url, token)
    rows.append(
        f"| first keyConnectors after a restart | {again * 1000:,.0f} ms | a new serve process: load + build; betweenness read by topology (migration 0051) |"
    )
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    rng = random.Random(7)
    try:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:

            async def ask(query: str, variables: dict[str, Any] | None = None) -> float:
                start = time.perf_counter()
                async with session.post(
                    f"http://127.0.0.1:{port}/graphql",
                    json={"query": query, "variables": variables or {}},
                ) as response:
                    body = await response.json()
                assert "errors" not in body, body
                for payload in body["data"].values():
                    if isinstance(payload, dict) and payload.get("errors"):
                        raise AssertionError(payload["errors"])
                return time.perf_counter() - start

            await ask(READS["keyConnectors"])
            cache = app[GRAPHS]
            builds = cache.builds
            for label, read in READS.items():  # the machine's pace: the reads without a write
                await ask(read)
                samples = [await ask(read) for _ in range(writes)]
                rows.append(
                    f"| no write, {label} (warm cache) | p50 {percentile(samples, 0.5):,.1f} ms | p95 {percentile(samples, 0.95):,.1f} ms, n={len(samples)} |"
                )
            stall = {"longest": 0.0}

            async def watch() -> None:
                # the event loop's lateness waking a 5 ms sleep: how long anything held it
                while True:
                    start = time.perf_counter()
                    await asyncio.sleep(0.005)
                    stall["longest"] = max(stall["longest"], time.perf_counter() - start - 0.005)

            watcher = asyncio.create_task(watch())
            for kind, write in (("a call logged", CALL), ("a new relationship", TIE)):
                for label, read in READS.items():
                    await ask(read)  # warm: centrality computed once before the writes
                    stall["longest"] = 0.0
                    samples = []
                    for _ in range(writes):
                        a, b = rng.sample(ids, 2)
                        variables = {"a": str(global_id("Contact", a))}
                        if write is TIE:
                            variables["b"] = str(global_id("Contact", b))
                        await ask(write, variables)
                        samples.append(await ask(read))
                    rows.append(
                        f"| {kind}, then {label} | p50 {percentile(samples, 0.5):,.1f} ms | p95 {percentile(samples, 0.95):,.1f} ms, n={len(samples)}; the event loop's longest stall {stall['longest'] * 1000:,.0f} ms |"
                    )
            watcher.cancel()
            rows.append(
                f"| rebuilds during the writes | {cache.builds - builds} | {cache.updates} updates by delta |"
            )
    finally:
        await runner.cleanup()
    return rows


async def run(contacts: int, writes: int, server_url: str, build_only: bool = False) -> None:
    name = f"graph_api_wbench_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_url, name)
    url = with_database(server_url, name)
    try:
        settings = Settings(
            database_url=url,
            pool_max_size=4,
            statement_timeout_ms=120_000,
            request_timeout_seconds=600,  # a busy machine's first build can take long
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
        rows = await full_build(url, user.id, settings)
        if not build_only:
            rows += await through_http(settings, token, ids, writes)
    finally:
        await drop_database(server_url, name)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores)")
    print(f"| at {contacts:,} contacts | measured | notes |")
    print("|---|---|---|")
    print("\n".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument(
        "--build-only", action="store_true", help="only the full build and its memory"
    )
    args = parser.parse_args()
    external = os.environ.get("BENCH_DATABASE_URL")
    if external:
        asyncio.run(run(args.contacts, args.writes, external, args.build_only))
        return
    with tempfile.TemporaryDirectory() as directory:
        server = start_embedded(Path(directory) / "pgdata")
        try:
            asyncio.run(
                run(args.contacts, args.writes, embedded_url(server, "postgres"), args.build_only)
            )
        finally:
            stop_embedded(server)


if __name__ == "__main__":
    main()
