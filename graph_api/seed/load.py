"""Loading a generated network: COPY in one transaction, inferred ties, fresh statistics."""

from __future__ import annotations

import time
import uuid
from datetime import datetime

import asyncpg

from graph_api.db import ties
from graph_api.seed.generate import generate_network
from graph_api.seed.rows import ProgressCallback, Record, SeedReport

# Rows per COPY call for big tables: small enough that a progress bar moves.
COPY_CHUNK_ROWS = 20_000


async def seed_network(
    conn: asyncpg.Connection,
    user_id: uuid.UUID,
    contacts: int,
    seed: int,
    now: datetime,
    progress: ProgressCallback | None = None,
) -> SeedReport:
    """Generate a network for `user_id` and COPY it in one transaction.

    The user row must exist. Rows are added to whatever the user already has; seeding
    twice gives two networks side by side (ids never collide unless the seed repeats).
    """
    started = time.perf_counter()
    network = generate_network(user_id, contacts, seed, now)
    async with conn.transaction():
        for table, columns, rows in network.tables():
            await _copy_table(conn, table, columns, rows, progress)
        # meetings' co-participants gain inferred ties, as logInteraction gives them
        inferred = await ties.infer_ties(conn, user_id, [row[1] for row in network.interactions])
    # the planner's statistics still describe the tables before the load: the next
    # statements would be planned for those (sequential scans, nested loops)
    await ties.analyze_bulk_load(conn)
    return SeedReport(
        contacts=len(network.contacts),
        relationships=len(network.relationships) + inferred,
        interactions=len(network.interactions),
        participants=len(network.participants),
        interests=len(network.interests),
        memories=len(network.memories),
        seconds=time.perf_counter() - started,
    )


async def _copy_table(
    conn: asyncpg.Connection,
    table: str,
    columns: tuple[str, ...],
    rows: list[Record],
    progress: ProgressCallback | None,
) -> None:
    total = len(rows)
    if progress is not None:
        progress(table, 0, total)
    for start in range(0, total, COPY_CHUNK_ROWS):
        chunk = rows[start : start + COPY_CHUNK_ROWS]
        await conn.copy_records_to_table(table, records=chunk, columns=list(columns))
        if progress is not None:
            progress(table, start + len(chunk), total)
