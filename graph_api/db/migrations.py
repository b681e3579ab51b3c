"""Forward-only SQL migrations: `graph_api/sql/migrations/NNNN_name.sql`, applied in order.

The files are package data, found through `importlib.resources`, so an installed
wheel migrates exactly as a checkout does; a directory with no migration in it is
refused (it would start a server on an empty schema and say nothing).

Each file runs in its own transaction and is recorded with its SHA-256, so a file
changed after it was applied is refused rather than silently diverging. A
session-level advisory lock makes concurrent `graph-api migrate` runs safe: the
second waits, then finds nothing left to do.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

import asyncpg

# an arbitrary constant; only our migrations take this advisory lock
MIGRATION_LOCK_KEY = 7_340_221_901

FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")

CREATE_LEDGER = """
    create table if not exists schema_migrations (
        version     integer primary key,
        name        text not null,
        checksum    text not null,
        applied_at  timestamptz not null default now()
    )
"""

SELECT_APPLIED = """
    select version, name, checksum
      from schema_migrations
     order by version
"""

RECORD_APPLIED = """
    insert into schema_migrations (version, name, checksum)
    values ($1, $2, $3)
"""


class MigrationError(RuntimeError):
    """The migrations on disk and in the database disagree."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def file_name(self) -> str:
        return f"{self.version:04d}_{self.name}.sql"


def packaged_migrations() -> Traversable:
    """The migrations this package ships (`graph_api/sql/migrations`)."""
    return files("graph_api").joinpath("sql", "migrations")


def load_migrations(directory: Traversable | None = None) -> list[Migration]:
    """The migrations in `directory` (default: the packaged ones), in version order."""
    if directory is None:
        directory = packaged_migrations()
        missing = f"{directory} does not exist: graph_api was installed without its sql/migrations"
    else:
        missing = f"the migrations directory {directory} does not exist"
    if not directory.is_dir():
        raise MigrationError(missing)
    migrations: list[Migration] = []
    for path in sorted(directory.iterdir(), key=lambda entry: entry.name):
        if not path.name.endswith(".sql"):
            continue
        match = FILE_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path.name}: migration files are named NNNN_snake_name.sql")
        migrations.append(
            Migration(int(match["version"]), match["name"], path.read_text(encoding="utf-8"))
        )
    if not migrations:
        raise MigrationError(
            f"no migration files (NNNN_name.sql) in {directory}; "
            "refusing to start on an empty schema"
        )
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migration files in {directory} share a version number")
    return migrations


async def migrate(conn: asyncpg.Connection, migrations: list[Migration]) -> list[Migration]:
    """Apply what is pending; return what was applied (empty when up to date)."""
    await conn.execute("select pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    try:
        await conn.execute(CREATE_LEDGER)
        applied = {row["version"]: row for row in await conn.fetch(SELECT_APPLIED)}
        _check_applied(migrations, applied)
        pending = [m for m in migrations if m.version not in applied]
        for migration in pending:
            async with conn.transaction():
                try:
                    await conn.execute(migration.sql)
                except asyncpg.PostgresError as error:
                    raise MigrationError(f"{migration.file_name} failed: {error}") from None
                await conn.execute(
                    RECORD_APPLIED, migration.version, migration.name, migration.checksum
                )
        return pending
    finally:
        await conn.execute("select pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)


def _check_applied(migrations: list[Migration], applied: dict[int, asyncpg.Record]) -> None:
    on_disk = {m.version: m for m in migrations}
    for version, row in applied.items():
        migration = on_disk.get(version)
        if migration is None:
            raise MigrationError(
                f"the database has migration {version:04d}_{row['name']} which is not on disk; "
                "this code is older than the database"
            )
        if migration.checksum != row["checksum"]:
            raise MigrationError(
                f"{migration.file_name} was changed after it was applied "
                f"(recorded checksum {row['checksum'][:12]}…, file now {migration.checksum[:12]}…). "
                "Migrations are forward-only: restore the file and put the change in a new migration."
            )
