"""The audit trail partitioned by month (migration 0041, graph_api/db/partitions.py):
the migration moves existing rows (ids kept, the identity continuing), partitions are
made ahead and a row no month holds is kept in the default one until its month is
made, retention drops whole months, and auditLog's statements read only the months
they need (EXPLAIN ANALYZE: partitions never executed or pruned)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from graph_api import accounts
from graph_api.db.migrations import load_migrations, migrate
from graph_api.db.partitions import ensure_partitions, month_partitions
from graph_api.db.pool import drop_database, ensure_database
from graph_api.pagination import PageRequest
from graph_api.queries.audit import AuditFilter, page_statement
from tests.conftest import with_database
from tests.integration.test_purge import purge

# `$3` rows spread over 23 days from `$2`
SPREAD = """insert into audit_log (user_id, actor, operation, created_at)
            select $1, 'test', 'op ' || n, $2::timestamptz + make_interval(secs => n * 2e6 / $3)
              from generate_series(0, $3 - 1) n"""
INSERT = """insert into audit_log (user_id, actor, operation, created_at)
            select $1, 'test', 'op ' || n, $2::timestamptz + make_interval(days => n)
              from generate_series(0, $3 - 1) n"""


@pytest.fixture
async def fresh_url(server_url: str) -> AsyncIterator[str]:
    """A database of its own: purge and partition DDL here touch no other test's rows."""
    name = f"graph_api_partitions_{uuid.uuid4().hex[:10]}"
    await ensure_database(server_url, name)
    try:
        yield with_database(server_url, name)
    finally:
        await drop_database(server_url, name)


def month(year: int, number: int) -> datetime:
    return datetime(year, number, 1, tzinfo=UTC)


async def test_the_migration_moves_existing_rows_and_keeps_their_ids(fresh_url: str) -> None:
    migrations = load_migrations()
    before = [m for m in migrations if m.version < 41]
    conn = await asyncpg.connect(fresh_url)
    try:
        await migrate(conn, before)
        user = await accounts.create_user(conn, "old-trail@example.com", None)
        await conn.execute(INSERT, user.id, datetime(2025, 3, 30, tzinfo=UTC), 5)
        old = await conn.fetch("select id, operation, created_at from audit_log order by id")
        await migrate(conn, migrations)
        assert (
            await conn.fetchval("select relkind::text from pg_class where relname = 'audit_log'")
            == "p"
        )
        moved = await conn.fetch("select id, operation, created_at from audit_log order by id")
        assert [tuple(r) for r in moved] == [tuple(r) for r in old]
        where = await conn.fetch(
            "select tableoid::regclass::text as part, count(*) from audit_log group by 1 order by 1"
        )
        assert {r["part"]: r["count"] for r in where} == {
            "audit_log_y2025m03": 2, "audit_log_y2025m04": 3,
        }  # fmt: skip
        new_id = await conn.fetchval(
            "insert into audit_log (user_id, actor, operation) values ($1, 'x', 'y') returning id",
            user.id,
        )
        assert new_id == max(r["id"] for r in old) + 1
        # every month from the oldest row to three months ahead, each with its tenant wall
        names = [p.name for p in await month_partitions(conn)]
        now = datetime.now(UTC)
        assert names[0] == "audit_log_y2025m03"
        year, index = divmod(now.year * 12 + now.month - 1 + 3, 12)
        assert names[-1] == f"audit_log_y{year}m{index + 1:02d}"
        forced = await conn.fetch(
            """select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
                where i.inhparent = 'audit_log'::regclass
                  and not (c.relrowsecurity and c.relforcerowsecurity)"""
        )
        assert forced == []
    finally:
        await conn.close()


async def test_a_row_no_month_holds_waits_in_the_default_partition_until_its_month_is_made(
    fresh_url: str,
) -> None:
    conn = await asyncpg.connect(fresh_url)
    try:
        await migrate(conn, load_migrations())
        user = await accounts.create_user(conn, "stray@example.com", None)
        await conn.execute(INSERT, user.id, datetime(2019, 6, 10, tzinfo=UTC), 2)
        ids = [r["id"] for r in await conn.fetch("select id from audit_log order by id")]
        assert await conn.fetchval("select count(*) from audit_log_default") == 2
        assert await ensure_partitions(conn, month(2019, 6), months_ahead=0) == 1
        assert await ensure_partitions(conn, month(2019, 6), months_ahead=0) == 0  # idempotent
        assert await conn.fetchval("select count(*) from audit_log_default") == 0
        rows = await conn.fetch("select id, tableoid::regclass::text as part from audit_log")
        assert sorted(r["id"] for r in rows) == ids
        assert {r["part"] for r in rows} == {"audit_log_y2019m06"}
    finally:
        await conn.close()


async def test_ensuring_what_exists_locks_no_partition(fresh_url: str) -> None:
    """Serve ensures at every start and daily: with every month there, it must not queue
    behind (or block) the trail's readers and writers."""
    conn = await asyncpg.connect(fresh_url)
    try:
        await migrate(conn, load_migrations())
        async with conn.transaction():
            assert await ensure_partitions(conn) == 0
            held = await conn.fetch(
                """select c.relname, l.mode from pg_locks l join pg_class c on c.oid = l.relation
                    where l.pid = pg_backend_pid() and c.relname like 'audit_log%'"""
            )
        assert held == []
    finally:
        await conn.close()


async def test_retention_drops_whole_months_and_deletes_only_the_cutoffs_month_by_row(
    fresh_url: str,
) -> None:
    conn = await asyncpg.connect(fresh_url)
    try:
        await migrate(conn, load_migrations())
        user = await accounts.create_user(conn, "retained@example.com", None)
        now = datetime.now(UTC)
        # one row a day, at midday from now: none near the cutoff, whenever purge reads the clock
        start = now - timedelta(days=200, hours=12)
        await ensure_partitions(conn, start, months_ahead=8)
        await conn.execute(INSERT, user.id, start, 200)  # one row a day up to today
        cutoff = now - timedelta(days=100)
        partitions = await month_partitions(conn)
        whole = [p.name for p in partitions if p.ends <= cutoff]
        assert len(whole) >= 2
        older = await conn.fetchval("select count(*) from audit_log where created_at < $1", cutoff)
    finally:
        await conn.close()

    dry = purge(fresh_url, "--dry-run", GRAPH_API_AUDIT_RETENTION_DAYS="100")
    assert dry.returncode == 0, dry.stderr
    assert f"would delete 0 expired memories, {older} audit rows older than 100 days" in dry.stdout
    done = purge(fresh_url, GRAPH_API_AUDIT_RETENTION_DAYS="100")
    assert done.returncode == 0, done.stderr
    assert f"deleted 0 expired memories, {older} audit rows older than 100 days" in done.stdout
    assert f"{len(whole)} whole months of audit rows as partitions" in done.stdout

    conn = await asyncpg.connect(fresh_url)
    try:
        for name in whole:
            assert await conn.fetchval("select to_regclass($1)", name) is None, name
        assert (
            await conn.fetchval("select count(*) from audit_log where created_at < $1", cutoff) == 0
        )
        assert await conn.fetchval("select count(*) from audit_log") == 200 - older
    finally:
        await conn.close()


def scanned(plan: dict[str, Any]) -> dict[str, int]:
    """The relations a plan actually read (nodes executed at least once), with the rows
    each returned."""
    found: dict[str, int] = {}
    if plan.get("Relation Name") and plan.get("Actual Loops", 0) > 0:
        found[plan["Relation Name"]] = int(plan["Actual Rows"] * plan["Actual Loops"])
    for child in plan.get("Plans", ()):
        found.update(scanned(child))
    return found


async def test_the_audit_log_pages_read_only_the_months_they_need(fresh_url: str) -> None:
    conn = await asyncpg.connect(fresh_url)
    try:
        await migrate(conn, load_migrations())
        user = await accounts.create_user(conn, "paged@example.com", None)
        other = await accounts.create_user(conn, "neighbour@example.com", None)
        await ensure_partitions(conn, month(2024, 1), months_ahead=5)
        # enough rows that the planner reads indexes as it would in use
        for who in (user.id, other.id):
            for number in range(1, 7):
                await conn.execute(SPREAD, who, month(2024, number), 2000)
        await conn.execute("analyze audit_log")

        async def explain(filters: AuditFilter, request: PageRequest) -> dict[str, int]:
            statement, args = page_statement(user.id, filters, request)
            raw = await conn.fetchval(f"explain (analyze, format json) {statement}", *args)
            return scanned(json.loads(raw)[0]["Plan"])

        months = len(await month_partitions(conn))
        first_page = PageRequest(limit=20, after=None, backward=False)
        # newest first over every month: a merge of the months' (user_id, created_at, id)
        # indexes, each probed once (the default partition, which keeps a write from ever
        # failing, rules out reading the months one after the other), so O(months) index
        # descents and only the page's rows: 21 of this user's 12,000, from the newest month
        read = await explain(AuditFilter(), first_page)
        assert sum(read.values()) <= 21 + months + 1, read
        assert read["audit_log_y2024m06"] == 21
        # a time range: only its months are read, the others pruned
        ranged = AuditFilter(after=month(2024, 3), before=month(2024, 4))
        assert set(await explain(ranged, first_page)) == {"audit_log_y2024m03"}
        # a later page: the months after the cursor's are pruned
        cursor = PageRequest(
            limit=20, after=(month(2024, 2) + timedelta(days=5), 10**9), backward=False
        )
        read = await explain(AuditFilter(), cursor)
        assert set(read) <= {"audit_log_y2024m02", "audit_log_y2024m01", "audit_log_default"}, read
        assert read["audit_log_y2024m02"] == 21
    finally:
        await conn.close()
