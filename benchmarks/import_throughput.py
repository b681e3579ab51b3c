"""Import throughput: a 10,000-row Google Contacts CSV through `importContacts`' domain path.

    .venv/bin/python -m benchmarks.import_throughput [--rows 10000] [--existing 0]

Writes a Google CSV of `--rows` people (seeded: non-ASCII names, multi-line notes, labels,
3% repeated rows, 1% broken emails), then for one user, each in a tenant transaction as
the API runs it: a dry run, the import into `--existing` contacts, and the same file
again (which must create nothing). The time covers parsing, planning, writing and the
audit rows. Embedded PostgreSQL in a temporary directory, or BENCH_DATABASE_URL's server
(a fresh database is created on it and dropped afterwards). Prints Markdown rows for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

from graph_api import accounts
from graph_api.app import apply_migrations
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import connect, drop_database, ensure_database, with_database
from graph_api.db.tenant import SET_FOR_TRANSACTION
from graph_api.domain import imports
from graph_api.domain.actor import Actor
from graph_api.settings import Settings

FIRST = ["Priya", "José", "Zoë", "Anna", "Marcus", "Ngozi", "Søren", "Élodie", "Li", "Ahmed",
         "Olivia", "Björk", "Kenji", "Fatima", "Łukasz", "Chidi", "Ines", "Mateo", "Hana", "Omar"]  # fmt: skip
LAST = ["Raman", "Núñez", "Ødegård", "Kowalska", "O'Neil", "Okafor", "Brûlé", "Wang", "Haddad",
        "Smith", "Guðmundsdóttir", "Tanaka", "Zahir", "Wiśniewski", "Eze", "Moreau", "García",
        "Kim", "Farouk", "Schmidt"]  # fmt: skip
COMPANIES = ["SolarBloom", "Initech", "Café Lumière", "Nordlys AS", "Wisła Tech", "Acme Iberia", ""]
LABELS = ["* myContacts", "* myContacts ::: Friends", "* myContacts ::: Investors ::: Climate", ""]
HEADER = ["First Name", "Last Name", "E-mail 1 - Value", "Phone 1 - Value",
          "Organization Name", "Organization Title", "Notes", "Labels"]  # fmt: skip


def google_csv(rows: int, seed: int = 11) -> str:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    written: list[list[str]] = []
    for i in range(rows):
        if written and rng.random() < 0.03:
            writer.writerow(rng.choice(written))  # the same person twice in one export
            continue
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first.lower()}.{i}@example.com" if rng.random() > 0.01 else f"broken-{i}"
        row = [
            first, f"{last}-{i}", email, f"+44 20 {rng.randrange(10**7, 10**8)}",
            rng.choice(COMPANIES), rng.choice(["CEO", "Engineer", "Partner", ""]),
            "Met at a conference.\nFollow up in spring." if rng.random() < 0.1 else "",
            rng.choice(LABELS),
        ]  # fmt: skip
        written.append(row)
        writer.writerow(row)
    return out.getvalue()


async def run(server_url: str, rows: int, existing: int) -> list[str]:
    name = f"graph_api_importbench_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_url, name)
    url = with_database(server_url, name)
    text = google_csv(rows)
    out: list[str] = []
    try:
        await apply_migrations(url, Settings(database_url=url))
        conn = await connect(url)
        try:
            await conn.execute("set statement_timeout = 0")
            user = await accounts.create_user(conn, "bench@example.com", None)
            actor = Actor(user.id, user.email, "bench")
            if existing:
                await conn.execute(
                    """insert into contacts (user_id, full_name, email)
                       select $1, 'Existing ' || g, 'existing' || g || '@example.org'
                         from generate_series(1, $2) g""",
                    user.id,
                    existing,
                )
                await conn.execute("analyze contacts")

            async def once(label: str, dry_run: bool) -> None:
                started = time.perf_counter()
                async with conn.transaction():
                    await conn.execute(SET_FOR_TRANSACTION, str(user.id))
                    report = await imports.import_contacts(
                        conn, actor, "GOOGLE_CSV", text, dry_run=dry_run
                    )
                seconds = time.perf_counter() - started
                out.append(
                    f"| {label} | {seconds:.2f} s | **{report.rows_read / seconds:,.0f} rows/s** "
                    f"| {len(report.created):,} created, {len(report.updated):,} updated, "
                    f"{len(report.skipped):,} skipped, {len(report.refused):,} refused, "
                    f"{len(report.possible_duplicates):,} possible duplicates |"
                )

            size = len(text.encode()) / 1e6
            await once(
                f"dry run, {rows:,} rows ({size:.1f} MB), {existing:,} contacts already", True
            )
            await once(f"import, {rows:,} rows, {existing:,} contacts already", False)
            await once(f"the same file again ({rows + existing:,} contacts now)", False)
        finally:
            await conn.close()
    finally:
        await drop_database(server_url, name)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--existing", type=int, default=0)
    args = parser.parse_args()
    external = os.environ.get("BENCH_DATABASE_URL")
    if external:
        rows = asyncio.run(run(external, args.rows, args.existing))
    else:
        with tempfile.TemporaryDirectory() as directory:
            server = start_embedded(Path(directory) / "pgdata")
            try:
                rows = asyncio.run(run(embedded_url(server, "postgres"), args.rows, args.existing))
            finally:
                stop_embedded(server)
    print("| what | time | throughput | report |")
    print("|---|---|---|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
