"""Search benchmark: HNSW build, recall against exact search, latency, embedding speed.

    .venv/bin/python -m benchmarks.search [--rows 500000] [--user-rows 100000] [--queries 100]

One user holds `--user-rows` memories among `--rows` in the table (the rest belong to
four other users). Vectors: real all-MiniLM-L6-v2 embeddings of 2,000 generated
memory sentences, each row one of them plus noise (re-normalised), so neighbourhoods
are clustered like real text rather than uniform noise. Queries: 100 other real
sentences, embedded. Measures, in one run:
- the HNSW index build time on the full table;
- recall@10 of the index (iterative scan, as the API runs it) against an exact scan, at
  several ef_search values, for the big user;
- p50/p95 of `searchMemories(mode: SEMANTIC)` through HTTP and GraphQL, and of the same
  SQL alone with a precomputed vector (the ratio is our overhead plus the query's
  embedding);
- local embedding throughput (texts/s, batches of 64).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import numpy as np
from aiohttp import web

from graph_api import accounts
from graph_api.app import apply_migrations, create_app
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import create_pool, drop_database, ensure_database, with_database
from graph_api.search import memories as search
from graph_api.search.embeddings import LocalProvider
from graph_api.search.memories import MemoryFilter
from graph_api.settings import Settings

SUBJECTS = [
    "Priya",
    "Marco",
    "Lena",
    "Tom",
    "Aisha",
    "Kenji",
    "Sofia",
    "Noor",
    "David",
    "Grace",
    "Omar",
    "Elena",
]
TOPICS = [
    "raising a seed round for a climate startup",
    "hiring a senior Rust engineer",
    "training for a marathon",
    "moving to Lisbon next month",
    "learning to play the cello",
    "adopting a rescue dog",
    "writing a book on computing",
    "expecting a first baby",
    "switching to a plant-based diet",
    "renovating an old kitchen",
    "looking for a new job in design",
    "planning a sailing trip",
    "recovering from a skiing accident",
    "volunteering at the food bank",
    "studying for an MBA",
    "launching a podcast about history",
    "buying a house in the countryside",
    "building a mobile app for farmers",
    "organising a school reunion",
    "investing in solar energy projects",
]
FRAMES = [
    "{s} mentioned they are {t}.",
    "{s} is {t} and asked for advice.",
    "Note: {s} has been {t} since spring.",
    "{s} told me over coffee about {t}.",
    "Remember that {s} is {t}; follow up next week.",
]


def sentences(rng: random.Random, count: int) -> list[str]:
    return [
        rng.choice(FRAMES).format(s=rng.choice(SUBJECTS), t=rng.choice(TOPICS)) + f" ({i})"
        for i in range(count)
    ]


def ms(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def run(server_url: str, rows: int, user_rows: int, queries: int) -> None:
    rng = random.Random(11)
    provider = await LocalProvider.load()
    texts = sentences(rng, 1280)
    started = time.perf_counter()
    await provider.embed(texts)
    throughput = len(texts) / (time.perf_counter() - started)

    base = np.array(await provider.embed(sentences(rng, 2000)), dtype=np.float32)
    query_texts = sentences(random.Random(99), queries)
    query_vectors = await provider.embed(query_texts)

    name = f"graph_api_sbench_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_url, name)
    url = with_database(server_url, name)
    try:
        await apply_migrations(url, Settings(database_url=url))
        conn = await asyncpg.connect(url)
        await conn.execute("set maintenance_work_mem = '3GB'")
        from pgvector.asyncpg import register_vector

        await register_vector(conn)
        users = [await accounts.create_user(conn, f"search{i}@example.com", None) for i in range(5)]
        token = await accounts.create_token(conn, users[0].id)
        await conn.execute("drop index memories_embedding_idx")
        noise = np.random.default_rng(5)
        counts = [user_rows] + [(rows - user_rows) // 4] * 4
        for user, count in zip(users, counts, strict=True):
            for start in range(0, count, 20_000):
                size = min(20_000, count - start)
                picks = noise.integers(0, len(base), size)
                vectors = base[picks] + noise.normal(0, 0.04, (size, base.shape[1])).astype(
                    np.float32
                )
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                records = [
                    (user.id, uuid.uuid4(), f"memory {start + i}", vectors[i], "all-MiniLM-L6-v2")
                    for i in range(size)
                ]
                await conn.copy_records_to_table(
                    "memories",
                    records=records,
                    columns=["user_id", "id", "content", "embedding", "embedding_model"],
                )
        await conn.execute("vacuum analyze memories")
        started = time.perf_counter()
        await conn.execute(
            "create index memories_embedding_idx on memories using hnsw (embedding vector_cosine_ops)"
        )
        build = time.perf_counter() - started
        await conn.close()

        pool = await create_pool(url, min_size=1, max_size=2, statement_timeout_ms=600_000)
        try:
            recall_rows = []
            exact_ids: list[set[Any]] = []
            exact_times = []
            async with pool.acquire() as c:
                for vector in query_vectors:
                    t = time.perf_counter()
                    found = await search._run(
                        c, users[0].id, "SEMANTIC", "", vector, MemoryFilter(), 10, None, True
                    )
                    exact_times.append(time.perf_counter() - t)
                    exact_ids.append({r["id"] for r in found})
            for ef in (40, 100, 200):
                recall, times = [], []
                async with pool.acquire() as c, c.transaction():
                    await c.fetchval(search.INDEX_SETTINGS, str(ef), str(search.MAX_SCAN_TUPLES))
                    for vector, truth in zip(query_vectors, exact_ids, strict=True):
                        t = time.perf_counter()
                        found = await search._run(
                            c, users[0].id, "SEMANTIC", "", vector, MemoryFilter(), 10, None, False
                        )
                        times.append(time.perf_counter() - t)
                        recall.append(len({r["id"] for r in found} & truth) / 10)
                recall_rows.append((ef, statistics.mean(recall), ms(times, 0.5), ms(times, 0.95)))
            sql_times = []
            for vector in query_vectors:
                t = time.perf_counter()
                await search.search_memories(
                    pool, users[0].id, mode="SEMANTIC", query="", vector=vector,
                    filters=MemoryFilter(), limit=10, after=None,
                )  # fmt: skip
                sql_times.append(time.perf_counter() - t)
        finally:
            await pool.close()

        app = create_app(
            Settings(database_url=url, statement_timeout_ms=600_000, rate_limit_per_minute=0)
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        query = "query($q: String!) { searchMemories(query: $q, mode: SEMANTIC, first: 10) { edges { score node { id } } } }"
        http_times = []
        try:
            async with aiohttp.ClientSession(
                headers={"Authorization": f"Bearer {token}"}
            ) as session:
                for text in query_texts[:3]:  # warm up
                    async with session.post(
                        f"http://127.0.0.1:{port}/graphql",
                        json={"query": query, "variables": {"q": text}},
                    ) as r:
                        await r.read()
                for text in query_texts:
                    t = time.perf_counter()
                    async with session.post(
                        f"http://127.0.0.1:{port}/graphql",
                        json={"query": query, "variables": {"q": text}},
                    ) as r:
                        body: dict[str, Any] = await r.json()
                    http_times.append(time.perf_counter() - t)
                    assert "errors" not in body, body
        finally:
            await runner.cleanup()
    finally:
        await drop_database(server_url, name)

    print(f"| rows in the table | {rows:,} ({user_rows:,} for the searched user) |")
    print(f"| HNSW build (m=16, ef_construction=64) | {build:.0f} s |")
    print(
        f"| exact scan for the user (SQL) | p50 {ms(exact_times, 0.5):.1f} ms, p95 {ms(exact_times, 0.95):.1f} ms |"
    )
    for ef, recall, p50, p95 in recall_rows:
        print(
            f"| HNSW, ef_search={ef}, iterative scan | recall@10 {recall:.3f}, p50 {p50:.1f} ms, p95 {p95:.1f} ms |"
        )
    print(
        f"| search SQL as the API runs it (ef_search={search.EF_SEARCH}) | p50 {ms(sql_times, 0.5):.1f} ms, p95 {ms(sql_times, 0.95):.1f} ms |"
    )
    print(
        f"| searchMemories SEMANTIC through HTTP (embeds the query) | p50 {ms(http_times, 0.5):.1f} ms, p95 {ms(http_times, 0.95):.1f} ms |"
    )
    print(f"| ratio HTTP / SQL (p50) | {ms(http_times, 0.5) / ms(sql_times, 0.5):.1f} |")
    print(f"| local embedding throughput (batch 64) | {throughput:,.0f} texts/s |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--user-rows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        server = start_embedded(Path(directory) / "pgdata")
        try:
            asyncio.run(
                run(embedded_url(server, "postgres"), args.rows, args.user_rows, args.queries)
            )
        finally:
            stop_embedded(server)


if __name__ == "__main__":
    main()
