"""Bytes per row of every tenant table at a seeded network, and what partitioning
`interactions` by month would cost or save: the figures docs/scaling.md plans with.

    .venv/bin/python -m benchmarks.row_sizes [--contacts 10000]

Starts an embedded PostgreSQL in a temporary directory, seeds one user (`--contacts`,
seed 42), gives every memory and every contact profile a 384-dimension vector (random,
unit length: the seed embeds nothing, and the vectors and their HNSW indexes are most of
the bytes) and writes an audit row per contact shaped like createContact's (the seed
writes none), VACUUM ANALYZE, then prints per table: rows, pg_total_relation_size (heap,
TOAST and every index), bytes per row, and the tenant's total.

Then `interactions` copied into a table partitioned by month of `occurred_at` (its key
must then hold occurred_at, so (user_id, id) alone could no longer be referenced by
interaction_participants and memory_sources: the copy has no such references) and three
reads compared by EXPLAIN (ANALYZE, BUFFERS), each run twice and the second counted:
100 interactions by id (the loaders' access), the user's 20 latest, and one month.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg

from benchmarks.postgraphile import load_average, revision, seed
from graph_api.app import EMBEDDED_DATABASE
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import ensure_database

TABLES = """
    select c.relname from pg_class c
     where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p')
       and not c.relispartition
       and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'user_id')
     order by c.relname"""

# a table's own, and every partition of a partitioned table's with it
SIZE = """
    select pg_total_relation_size($1::regclass)
           + coalesce((select sum(pg_total_relation_size(relid))
                         from pg_partition_tree($1::regclass)
                        where relid <> $1::regclass), 0)::bigint"""

RANDOM_UNIT_VECTOR = """
    (select l2_normalize(array_agg(random() - 0.5)::vector)
       from generate_series(1, 384) where {row}.id is not null)"""

PARTITIONED_COPY = """
    create table interactions_by_month (like interactions including defaults including constraints,
        primary key (user_id, occurred_at, id)) partition by range (occurred_at);
    create index on interactions_by_month (user_id, id);
"""

READS = {
    "100 by id (loaders)": (
        "select * from {t} where user_id = $1 and id = any($2::uuid[])", "ids"),
    "20 latest": (
        "select * from {t} where user_id = $1 order by occurred_at desc, id desc limit 20", None),
    "one month": (
        "select count(*) from {t} where user_id = $1 and occurred_at >= $2 and occurred_at < $3",
        "month"),
}  # fmt: skip


def buffers(plan: dict[str, Any]) -> int:
    return int(plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0))


def partitions_touched(plan: dict[str, Any]) -> int:
    own = 1 if plan.get("Relation Name") and plan.get("Actual Loops", 0) > 0 else 0
    return own + sum(partitions_touched(p) for p in plan.get("Plans", ()))


async def measure(url: str, contacts: int) -> None:
    seeded = await seed(url, contacts)
    conn = await asyncpg.connect(url)
    try:
        started = time.monotonic()
        await conn.execute(
            "update memories m set embedding = "
            + RANDOM_UNIT_VECTOR.format(row="m")
            + ", embedding_model = 'random'"
        )
        await conn.execute(
            """insert into contact_profiles (user_id, contact_id, profile_text, embedding, embedding_model)
               select c.user_id, c.id, c.full_name, """
            + RANDOM_UNIT_VECTOR.format(row="c")
            + ", 'random' from contacts c on conflict do nothing"
        )
        # the seed writes no audit trail: one row per contact shaped like createContact's
        await conn.execute(
            """insert into audit_log (user_id, actor, operation, target_ids, new_values, request_id)
               select c.user_id, 'bench@example.com', 'create_contact', array[c.id],
                      jsonb_build_object('full_name', c.full_name, 'email', c.email,
                                         'company', c.company, 'job_title', c.job_title),
                      md5(c.id::text)
                 from contacts c"""
        )
        await conn.execute("vacuum analyze")
        print(f"vectors written and indexed in {time.monotonic() - started:.0f} s\n")
        print("| table | rows | total bytes (heap + TOAST + indexes) | bytes per row |")
        print("|---|---|---|---|")
        total = 0
        for row in await conn.fetch(TABLES):
            table = row["relname"]
            if table in ("api_tokens",):
                continue
            rows = await conn.fetchval(f'select count(*) from "{table}"')
            size = await conn.fetchval(SIZE, table)
            total += size
            per_row = f"{size / rows:,.0f}" if rows else "-"
            print(f"| {table} | {rows:,} | {size / 2**20:,.1f} MiB | {per_row} |")
        print(f"| **the tenant** | | **{total / 2**20:,.1f} MiB** | |\n")

        # interactions by month: the same rows, the same reads
        await conn.execute(PARTITIONED_COPY)
        bounds = await conn.fetchrow(
            """select date_trunc('month', min(occurred_at)) as first,
                      date_trunc('month', max(occurred_at)) as last from interactions"""
        )
        month = bounds["first"]
        months = 0
        while month <= bounds["last"]:
            following = await conn.fetchval("select $1::timestamptz + interval '1 month'", month)
            await conn.execute(
                f"""create table "interactions_m{months:03d}" partition of interactions_by_month
                    for values from ('{month.isoformat()}') to ('{following.isoformat()}')"""
            )
            month, months = following, months + 1
        await conn.execute("insert into interactions_by_month select * from interactions")
        await conn.execute("vacuum analyze interactions_by_month")
        ids = [r["id"] for r in await conn.fetch(
            "select id from interactions where user_id = $1 order by random() limit 100",
            seeded.user_id,
        )]  # fmt: skip
        middle = await conn.fetchval(
            "select date_trunc('month', percentile_disc(0.5) within group (order by occurred_at))"
            " from interactions"
        )
        end = await conn.fetchval("select $1::timestamptz + interval '1 month'", middle)
        plain = await conn.fetchval(SIZE, "interactions")
        partitioned = await conn.fetchval(SIZE, "interactions_by_month")
        print(
            f"interactions: {months} months; {plain / 2**20:.1f} MiB as one table, "
            f"{partitioned / 2**20:.1f} MiB partitioned\n"
        )
        print("| read | one table: buffers | by month: buffers | by month: partitions read |")
        print("|---|---|---|---|")
        for name, (sql, extra) in READS.items():
            args: list[Any] = [seeded.user_id]
            if extra == "ids":
                args.append(ids)
            elif extra == "month":
                args += [middle, end]
            found = []
            for table in ("interactions", "interactions_by_month"):
                statement = "explain (analyze, buffers, format json) " + sql.format(t=table)
                await conn.fetchval(statement, *args)  # warm the cache and the plan
                plan = json.loads(await conn.fetchval(statement, *args))[0]["Plan"]
                found.append(plan)
            print(
                f"| {name} | {buffers(found[0]):,} | {buffers(found[1]):,} | "
                f"{partitions_touched(found[1])} of {months} |"
            )
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    args = parser.parse_args()
    print(f"{args.contacts:,} contacts, seed 42; {revision()}; load average {load_average()}\n")
    with tempfile.TemporaryDirectory(prefix="graph_api_bench_rows_") as temp:
        server = start_embedded(Path(temp) / "pgdata")
        try:
            asyncio.run(ensure_database(embedded_url(server, "postgres"), EMBEDDED_DATABASE))
            asyncio.run(measure(embedded_url(server, EMBEDDED_DATABASE), args.contacts))
        finally:
            stop_embedded(server)


if __name__ == "__main__":
    main()
