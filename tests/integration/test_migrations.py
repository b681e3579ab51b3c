"""Migrations: fresh database, re-run, checksum refusal, concurrent runs."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from graph_api.db.migrations import Migration, MigrationError, load_migrations, migrate
from graph_api.db.pool import drop_database, ensure_database
from tests.conftest import with_database

TABLES = {
    "users", "api_tokens", "contacts", "relationships", "interactions",
    "interaction_participants", "interests", "memories", "memory_sources", "audit_log",
    "schema_migrations",
}  # fmt: skip


@pytest.fixture
async def empty_database(server_url: str) -> AsyncIterator[str]:
    name = f"graph_api_migrations_{uuid.uuid4().hex[:10]}"
    await ensure_database(server_url, name)
    try:
        yield with_database(server_url, name)
    finally:
        await drop_database(server_url, name)


async def test_fresh_database_gets_the_whole_data_model(empty_database: str) -> None:
    conn = await asyncpg.connect(empty_database)
    try:
        applied = await migrate(conn, load_migrations())
        assert [m.file_name for m in applied] == [m.file_name for m in load_migrations()]
        tables = {
            row["tablename"]
            for row in await conn.fetch(
                "select tablename from pg_tables where schemaname = 'public'"
            )
        }
        assert tables >= TABLES
        indexes = {
            row["indexdef"]
            for row in await conn.fetch(
                "select indexdef from pg_indexes where tablename = 'memories'"
            )
        }
        assert any("USING hnsw (embedding vector_cosine_ops)" in d for d in indexes)
        assert any("USING gin (search_vector)" in d for d in indexes)
        recorded = await conn.fetch(
            "select version, checksum from schema_migrations order by version"
        )
        assert [r["checksum"] for r in recorded] == [m.checksum for m in applied]
    finally:
        await conn.close()


async def test_rerun_is_a_no_op(empty_database: str) -> None:
    conn = await asyncpg.connect(empty_database)
    try:
        await migrate(conn, load_migrations())
        assert await migrate(conn, load_migrations()) == []
    finally:
        await conn.close()


async def test_a_changed_applied_migration_is_refused(empty_database: str) -> None:
    conn = await asyncpg.connect(empty_database)
    try:
        migrations = load_migrations()
        await migrate(conn, migrations)
        first = migrations[0]
        tampered = [
            Migration(first.version, first.name, first.sql + "\n-- edited\n"),
            *migrations[1:],
        ]
        with pytest.raises(MigrationError, match=r"0001_.*was changed after it was applied"):
            await migrate(conn, tampered)
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_nothing_behind(empty_database: str) -> None:
    conn = await asyncpg.connect(empty_database)
    try:
        migrations = load_migrations()
        broken = Migration(9999, "broken", "create table half_done (id int); select 1/0;")
        with pytest.raises(MigrationError, match=r"9999_broken\.sql failed"):
            await migrate(conn, [*migrations, broken])
        assert await conn.fetchval("select to_regclass('half_done')") is None
        assert (
            await conn.fetchval("select max(version) from schema_migrations")
            == migrations[-1].version
        )
    finally:
        await conn.close()


async def test_concurrent_runs_apply_each_migration_once(empty_database: str) -> None:
    conns = [await asyncpg.connect(empty_database) for _ in range(3)]
    try:
        migrations = load_migrations()
        results = await asyncio.gather(*(migrate(c, migrations) for c in conns))
        assert sorted(len(r) for r in results) == [0, 0, len(migrations)]
        count = await conns[0].fetchval("select count(*) from schema_migrations")
        assert count == len(migrations)
    finally:
        for c in conns:
            await c.close()


def test_file_names_are_checked(tmp_path: Path) -> None:
    (tmp_path / "1_bad name.sql").write_text("select 1")
    with pytest.raises(MigrationError, match=r"NNNN_snake_name\.sql"):
        load_migrations(tmp_path)


def test_an_empty_directory_is_refused(tmp_path: Path) -> None:
    # a package built without its sql/ data would otherwise serve an empty schema
    with pytest.raises(MigrationError, match="no migration files"):
        load_migrations(tmp_path)


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="does not exist"):
        load_migrations(tmp_path / "migrations")


def test_the_packaged_migrations_are_found() -> None:
    # through importlib.resources; tests/integration/test_wheel.py runs them from a wheel
    names = [m.file_name for m in load_migrations()]
    assert names[0] == "0001_data_model.sql"
    assert names == sorted(names)
    assert len(names) >= 6
