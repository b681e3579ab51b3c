"""What the near-profile statement of `duplicateCandidates` costs as a network grows.

    .venv/bin/python -m benchmarks.duplicates_scale [--sizes 500,2000,10000] [--exact-up-to 2000]

For each size N, one user with N contacts and N profiles embedded by the local model
(seeded synthetic lives: name, title at company, city, two interests; every tenth the
previous person again with another title), beside another user holding the same
profiles (the HNSW index holds every user's rows, as in production, and each probe's
nearest row is the other user's twin, filtered out); then, after
ANALYZE, the statement (graph_api/queries/duplicates.py) timed on the exact path (up to
`--exact-up-to`) and on the index path, best of three, and the whole
`duplicate_candidates` call at the size's own path. Embedded PostgreSQL in a temporary
directory, or BENCH_DATABASE_URL's server (a fresh database is created and dropped).
Prints Markdown rows for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg

from graph_api import accounts
from graph_api.app import apply_migrations
from graph_api.db import tenant
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import create_pool, drop_database, ensure_database, with_database
from graph_api.queries import duplicates as queries
from graph_api.search.embeddings import LOCAL_MODEL
from graph_api.settings import Settings

FIRST = ["Priya", "José", "Zoë", "Anna", "Marcus", "Ngozi", "Søren", "Élodie", "Li", "Ahmed",
         "Olivia", "Kenji", "Fatima", "Łukasz", "Chidi", "Ines", "Mateo", "Hana", "Omar", "Grace"]  # fmt: skip
LAST = ["Raman", "Núñez", "Ødegård", "Kowalska", "O'Neil", "Okafor", "Brûlé", "Wang", "Haddad",
        "Smith", "Tanaka", "Zahir", "Wiśniewski", "Eze", "Moreau", "García", "Kim", "Farouk"]  # fmt: skip
TITLES = ["Staff engineer", "Product designer", "Partner", "Head chef", "Nurse", "Data engineer",
          "Climate analyst", "Sales director", "Architect", "Teacher", "Founder", "Recruiter"]  # fmt: skip
COMPANIES = ["Initech", "Globex", "SolarBloom", "Ferrous Labs", "Trattoria Roma", "St Mary's",
             "Spotify", "Green Data", "Verdant Ventures", "Nordbank", "Hooli", "Acme"]  # fmt: skip
CITIES = ["London", "Berlin", "Lagos", "Seoul", "Madrid", "Oslo", "Toronto", "Mumbai", "Lima"]
TOPICS = ["rust", "climbing", "jazz", "wine", "chess", "sailing", "typography", "carbon removal",
          "marathons", "pottery", "venture capital", "machine learning", "gardening", "poker"]  # fmt: skip

CONTACTS = """
    insert into contacts (user_id, full_name)
    select $1, name from unnest($2::text[]) with ordinality as t(name, n) order by n
    returning id"""
PROFILES = """
    insert into contact_profiles (user_id, contact_id, profile_text, embedding, embedding_model)
    values ($1, $2, $3, $4, $5)"""


def lives(count: int, seed: int = 5) -> list[tuple[str, str]]:
    """(name, profile text) per person, seeded; every tenth is the one before it again."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for i in range(count):
        if i % 10 == 9:
            name, text = out[-1]
            out.append((name, f"{text.split('. ')[0]}. Senior {rng.choice(TITLES).lower()}. "
                              f"{'. '.join(text.split('. ')[2:])}"))  # fmt: skip
            continue
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        title, company, city = rng.choice(TITLES), rng.choice(COMPANIES), rng.choice(CITIES)
        topics = ", ".join(rng.sample(TOPICS, 2))
        out.append((name, f"{name}. {title} at {company}. {city}. Interests: {topics}"))
    return out


async def fill(
    pool: asyncpg.Pool, user_id: uuid.UUID, people: list[tuple[str, str]], vectors: list[object]
) -> None:
    async with tenant.tenant_transaction(pool, user_id) as conn:
        rows = await conn.fetch(CONTACTS, user_id, [name for name, _ in people])
        await conn.executemany(
            PROFILES,
            [
                (user_id, row["id"], text, vector, LOCAL_MODEL)
                for row, (_, text), vector in zip(rows, people, vectors, strict=True)
            ],
        )


async def best_of(runs: int, work: Callable[[], Awaitable[object]]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        times.append(time.perf_counter() - started)
    return min(times)


async def measure(pool: asyncpg.Pool, user_id: uuid.UUID, size: int, exact_up_to: int) -> str:
    async def near(exact: bool) -> int:
        async with tenant.tenant_transaction(pool, user_id, readonly=True) as conn:
            return len(await queries.near_profiles(conn, user_id, exact=exact))

    cells = []
    for exact in (True, False):
        if exact and size > exact_up_to:
            cells.append("—")
            continue
        seconds = await best_of(3, lambda: near(exact))  # noqa: B023 (awaited at once)
        pairs = await near(exact)
        cells.append(f"{seconds * 1000:,.0f} ms ({pairs:,} pairs)")
    whole = await best_of(3, lambda: queries.duplicate_candidates(pool, user_id, 100))
    path = "exact" if size <= queries.EXACT_PROFILES_LIMIT else "index"
    return f"| {size:,} | {cells[0]} | {cells[1]} | {whole * 1000:,.0f} ms ({path}) |"


async def run(server_url: str, sizes: list[int], exact_up_to: int) -> list[str]:
    from graph_api.search.embeddings import LocalProvider

    people = lives(max(sizes))
    provider = await LocalProvider.load()
    embedded = await provider.embed([text for _, text in people])
    out: list[str] = []
    for size in sizes:
        name = f"graph_api_dupscale_{uuid.uuid4().hex[:8]}"
        await ensure_database(server_url, name)
        url = with_database(server_url, name)
        try:
            await apply_migrations(url, Settings(database_url=url))
            pool = await create_pool(url, min_size=1, max_size=2, statement_timeout_ms=600_000)
            try:
                async with pool.acquire() as conn:
                    user = await accounts.create_user(conn, "scale@example.com", None)
                    other = await accounts.create_user(conn, "other@example.com", None)
                await fill(pool, user.id, people[:size], list(embedded[:size]))
                await fill(pool, other.id, people[:size], list(embedded[:size]))
                await pool.execute("analyze contacts")
                await pool.execute("analyze contact_profiles")

                out.append(await measure(pool, user.id, size, exact_up_to))
            finally:
                await pool.close()
        finally:
            await drop_database(server_url, name)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000,10000")
    parser.add_argument("--exact-up-to", type=int, default=2000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    external = os.environ.get("BENCH_DATABASE_URL")
    if external:
        rows = asyncio.run(run(external, sizes, args.exact_up_to))
    else:
        with tempfile.TemporaryDirectory() as directory:
            server = start_embedded(Path(directory) / "pgdata")
            try:
                rows = asyncio.run(run(embedded_url(server, "postgres"), sizes, args.exact_up_to))
            finally:
                stop_embedded(server)
    print(
        "| contacts (and as many of another user's) | exact statement | index statement | duplicate_candidates |"
    )
    print("|---|---|---|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
