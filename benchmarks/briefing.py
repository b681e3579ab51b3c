"""Latency of `briefing(contactId, topic)` at scale, through HTTP.

    .venv/bin/python -m benchmarks.briefing [--contacts 10000] [--requests 100]

Starts its own embedded PostgreSQL in a temporary directory (or uses
BENCH_DATABASE_URL's server), seeds one user's network, embeds every seeded memory
with the local model (each distinct text once), writes one document per 50 contacts
(chunked and embedded), marks the contact profiles embedded (the briefing does not
read them), serves the real app on 127.0.0.1 with the local model, and
asks for briefings of random contacts (with at least one tie) about random topics,
one at a time (latency, not throughput), after a warm-up that builds the graph.
Prints Markdown rows for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web
from pgvector.asyncpg import register_vector

from graph_api import accounts
from graph_api.app import apply_migrations, create_app
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import create_pool, drop_database, ensure_database, with_database
from graph_api.db.tenant import write_transaction
from graph_api.demo import today
from graph_api.domain import documents
from graph_api.domain.actor import Actor
from graph_api.ids import global_id
from graph_api.search.chunking import chunk_text
from graph_api.search.chunks import embed_pending_chunks
from graph_api.search.embeddings import LocalProvider
from graph_api.search.memories import memory_text
from graph_api.search.profiles import PROFILE_TEXT
from graph_api.seed import seed_network
from graph_api.settings import Settings

BRIEFING = """query Briefing($id: ID!, $topic: String) {
  briefing(contactId: $id, topic: $topic) {
    contact { fullName company }
    strength { score recency frequency reciprocity interactionCount lastInteractionAt }
    lastInteractions { type subject occurredAt }
    interests { effectiveConfidence interest { category topic } }
    relevant { source score memory { content } chunk { heading content document { title } } }
    mutualConnections { node { fullName } relationship { type strength } }
  }
}"""
TOPICS = [
    "raising money for a climate startup",
    "hiring engineers",
    "a marathon they are training for",
    "moving abroad",
    "investing in solar energy",
    "their children's school",
    "a new job in design",
    "sailing holidays",
]
PARAGRAPHS = [
    "{name} told me about the fundraising plans for next year and which investors they trust.",
    "# Work\n{name} leads a small team and is hiring two engineers before the summer.",
    "# Personal\n{name} spends weekends sailing and is planning a long trip along the coast.",
    "{name} is thinking about moving abroad, probably to Lisbon, once the children finish school.",
]


class StatementCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.names: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.names.append(getattr(record, "statement", "?"))


async def embed_memories(url: str, provider: LocalProvider, user_id: uuid.UUID) -> int:
    conn = await asyncpg.connect(url)
    await register_vector(conn)
    try:
        rows = await conn.fetch(
            "select id, title, content from memories where user_id = $1", user_id
        )
        texts = sorted({memory_text(r["title"], r["content"]) for r in rows})
        vectors = dict(zip(texts, await provider.embed(texts), strict=True))
        await conn.executemany(
            "update memories set embedding = $2, embedding_model = $3 where id = $1",
            [
                (r["id"], vectors[memory_text(r["title"], r["content"])], provider.model)
                for r in rows
            ],
        )
        return len(texts)
    finally:
        await conn.close()


async def run(contacts: int, requests: int, server_url: str) -> None:
    name = f"graph_api_brief_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_url, name)
    url = with_database(server_url, name)
    rng = random.Random(7)
    try:
        await apply_migrations(url, Settings(database_url=url))
        conn = await asyncpg.connect(url)
        user = await accounts.create_user(conn, "brief@example.com", "Bench")
        token = await accounts.create_token(conn, user.id)
        report = await seed_network(conn, user.id, contacts, 42, today())
        contact_rows = await conn.fetch(
            """select c.id, c.full_name from contacts c
                where c.user_id = $1 and exists (select 1 from relationships r
                  where r.user_id = c.user_id and c.id in (r.contact_a_id, r.contact_b_id))""",
            user.id,
        )
        await conn.close()
        provider = await LocalProvider.load()
        started = time.perf_counter()
        distinct = await embed_memories(url, provider, user.id)
        embed_seconds = time.perf_counter() - started

        pool = await create_pool(url, min_size=1, max_size=2, statement_timeout_ms=0)
        actor = Actor(user_id=user.id, email=user.email, request_id="bench")
        about = rng.sample(list(contact_rows), max(1, contacts // 50))
        for contact in about:
            text = "\n\n".join(
                p.format(name=contact["full_name"]) for p in rng.sample(PARAGRAPHS, 3)
            )

            async def write(conn: asyncpg.Connection, text: str = text, c: Any = contact) -> Any:
                return await documents.create_document(
                    conn, actor, title=f"Notes on {c['full_name']}", content=text,
                    chunker=chunk_text, contact_ids=[c["id"]],
                )  # fmt: skip

            await write_transaction(pool, user.id, write)
        chunks = await embed_pending_chunks(pool, provider, user_ids=[user.id])
        await pool.close()
        # contact profiles count as embedded (one vector for all): the briefing does not
        # read them, and the server embedding 10,000 of them in the background would share
        # the two cores with the requests being timed
        conn = await asyncpg.connect(url)
        await register_vector(conn)
        await conn.execute(
            f"""insert into contact_profiles (user_id, contact_id, profile_text, embedding,
                                              embedding_model)
                select c.user_id, c.id, {PROFILE_TEXT}, $2, $3 from contacts c
                 where c.user_id = $1""",
            user.id, [1.0] + [0.0] * 383, provider.model,
        )  # fmt: skip
        await conn.close()

        app = create_app(Settings(database_url=url, log_statements=True, pool_max_size=4,
                                  rate_limit_per_minute=0))  # fmt: skip
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
                    contact = rng.choice(contact_rows)
                    variables = {
                        "id": global_id("Contact", contact["id"]),
                        "topic": rng.choice(TOPICS),
                    }
                    start = time.perf_counter()
                    async with session.post(
                        f"http://127.0.0.1:{port}/graphql",
                        json={"query": BRIEFING, "variables": variables},
                    ) as response:
                        body: dict[str, Any] = await response.json()
                    assert "errors" not in body, body
                    return time.perf_counter() - start

                for _ in range(60):  # the model loads in the background; then warm up
                    try:
                        await once()
                        break
                    except AssertionError:
                        await asyncio.sleep(1)
                cold_start = time.perf_counter()
                for _ in range(10):
                    await once()
                warm = time.perf_counter() - cold_start
                counter.names.clear()
                await once()
                statements = [s for s in counter.names if s != "viewer_by_token"]
                samples = sorted([await once() for _ in range(requests)])
        finally:
            sql_logger.removeHandler(counter)
            await runner.cleanup()
    finally:
        await drop_database(server_url, name)

    def ms(q: float) -> str:
        return f"{samples[min(len(samples) - 1, int(q * len(samples)))] * 1000:.1f} ms"

    print(
        f"| seed {contacts:,} contacts | {report.seconds:.1f} s | {report.memories:,} memories "
        f"({distinct:,} distinct texts embedded in {embed_seconds:.1f} s), {len(about)} documents "
        f"({chunks:,} chunks) |"
    )
    print(f"| 10 warm-up briefings | {warm:.1f} s | |")
    print(
        f"| briefing p50 | {ms(0.5)} | p95 {ms(0.95)}, mean {statistics.mean(samples) * 1000:.1f} ms, "
        f"n={requests} |"
    )
    print(f"| statements per briefing | {len(statements)} | {', '.join(statements)} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=100)
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
