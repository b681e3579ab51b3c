"""Seeding into a database that already holds data: the bulk path's planner trap.

    .venv/bin/python -m benchmarks.seed_scale [--others 20000] [--contacts 10000] [--explain]

Seeds `--others` contacts for one user, runs ANALYZE (the statistics a live database
has), then times `seed_network` of `--contacts` for a second user. Before tie
inference became set-based, the second seed's inference ran a correlated count per
participant row and did not finish in 23 minutes; into an empty database it took 11 s.

`--explain` prints the plan the inference statement gets at the point the seed runs it
(the second user's rows copied, inside the seed's transaction, rolled back), then seeds.

Embedded PostgreSQL in a temporary directory, or BENCH_DATABASE_URL's server (a fresh
database is created on it and dropped afterwards). Prints Markdown rows for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

from graph_api import accounts
from graph_api.app import apply_migrations
from graph_api.db import ties
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import connect, drop_database, ensure_database, with_database
from graph_api.demo import today
from graph_api.seed import generate_network, seed_network
from graph_api.settings import Settings

OTHERS_SEED = 7
SEED = 42


async def explain_inference(conn: asyncpg.Connection, user_id: uuid.UUID, contacts: int) -> str:
    """The plan of the seed's tie inference, with the seed's rows in place (rolled back)."""
    network = generate_network(user_id, contacts, SEED, today())
    transaction = conn.transaction()
    await transaction.start()
    try:
        for table, columns, rows in network.tables():
            await conn.copy_records_to_table(table, records=rows, columns=list(columns))
        rows = await conn.fetch(
            f"explain {ties.INFER_TIES}",
            user_id,
            [row[1] for row in network.interactions],
            ties.CROWD_LIMIT,
        )
    finally:
        await transaction.rollback()
    return "\n".join(row[0] for row in rows)


async def run(server_url: str, others: int, contacts: int, explain: bool) -> list[str]:
    name = f"graph_api_seedbench_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_url, name)
    url = with_database(server_url, name)
    rows: list[str] = []
    try:
        await apply_migrations(url, Settings(database_url=url))
        conn = await connect(url)
        try:
            # the owner's session: seeding is an administrative bulk load
            await conn.execute("set statement_timeout = 0")
            other = await accounts.create_user(conn, "others@example.com", None)
            started = time.perf_counter()
            report = await seed_network(conn, other.id, others, OTHERS_SEED, today())
            rows.append(
                f"| seed {others:,} contacts into an empty database | {time.perf_counter() - started:.1f} s "
                f"| {report.relationships:,} relationships, {report.interactions:,} interactions |"
            )
            await conn.execute("analyze")
            user = await accounts.create_user(conn, "bench@example.com", None)
            if explain:
                print(await explain_inference(conn, user.id, contacts))
            started = time.perf_counter()
            report = await seed_network(conn, user.id, contacts, SEED, today())
            elapsed = time.perf_counter() - started
            rows.append(
                f"| seed {contacts:,} contacts into it (analysed, {others:,} others' contacts) "
                f"| {elapsed:.1f} s | {report.relationships:,} relationships, "
                f"{report.interactions:,} interactions, {report.participants:,} participants |"
            )
        finally:
            await conn.close()
    finally:
        await drop_database(server_url, name)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--others", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    external = os.environ.get("BENCH_DATABASE_URL")
    if external:
        rows = asyncio.run(run(external, args.others, args.contacts, args.explain))
    else:
        with tempfile.TemporaryDirectory() as directory:
            server = start_embedded(Path(directory) / "pgdata")
            try:
                rows = asyncio.run(
                    run(embedded_url(server, "postgres"), args.others, args.contacts, args.explain)
                )
            finally:
                stop_embedded(server)
    print("| what | time | rows |")
    print("|---|---|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
