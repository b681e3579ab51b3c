"""The duplicate detector's precision and recall on the labelled set in tests/data/duplicate_eval.py.

    .venv/bin/python -m benchmarks.duplicates_eval [--names-only]

A pair is a true duplicate when both entries carry the same label; the detector's
candidates are compared with those pairs. Two runs:

- names and keys only: `graph_api.domain.duplicates.candidates` on the entries, no
  database, no embeddings (what the detector was before `SIMILAR_PROFILE`);
- with profiles: the entries stored as one user's contacts in an embedded PostgreSQL
  (a temporary directory, or BENCH_DATABASE_URL's server, where a fresh database is
  created and dropped), their profiles embedded by the local model as `serve` embeds
  them, and `duplicateCandidates`' own query (graph_api/queries/duplicates.py): the
  near-profile statement and the detector.

Prints the figures and each miss and false alarm, and the cosine of every true pair's
profiles that were compared.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import uuid
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from graph_api.app import apply_migrations
from graph_api.db import tenant
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import create_pool, drop_database, ensure_database, with_database
from graph_api.domain import duplicates
from graph_api.settings import Settings
from tests.data.duplicate_eval import ENTRIES, Entry


@dataclass(frozen=True)
class Evaluation:
    precision: float
    recall: float
    pairs: int
    misses: list[str]
    alarms: list[str]

    def line(self, what: str) -> str:
        return (
            f"{what}: {len(ENTRIES)} entries, {self.pairs} true pairs: "
            f"precision {self.precision:.2f}, recall {self.recall:.2f}"
        )


def figures(entries: list[Entry], found: set[frozenset[int]]) -> Evaluation:
    """Precision and recall of `found`, pairs of indexes into `entries`."""
    truth = {
        frozenset((i, j))
        for i, j in combinations(range(len(entries)), 2)
        if entries[i].label == entries[j].label
    }
    hits = truth & found

    def named(pairs: set[frozenset[int]]) -> list[str]:
        return sorted(" ~ ".join(sorted(entries[i].full_name for i in pair)) for pair in pairs)

    return Evaluation(
        precision=len(hits) / len(found) if found else 1.0,
        recall=len(hits) / len(truth) if truth else 1.0,
        pairs=len(truth),
        misses=named(truth - found),
        alarms=named(found - truth),
    )


def evaluate(entries: list[Entry] = ENTRIES) -> Evaluation:
    """Names and keys only: the pure detector, no profiles."""
    people = [
        duplicates.Person(uuid.uuid4(), e.full_name, e.email, e.phone, e.company) for e in entries
    ]
    index = {person.id: i for i, person in enumerate(people)}
    found = {frozenset((index[c.a], index[c.b])) for c in duplicates.candidates(people)}
    return figures(entries, found)


INSERT = """
    insert into contacts (user_id, full_name, email, phone, company, job_title, location, bio, tags)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id"""


async def evaluate_with_profiles(url: str) -> tuple[Evaluation, list[str]]:
    """The entries as one user's contacts, profiles embedded by the local model, then
    `duplicateCandidates`' query; also each true pair's profile cosine, when compared."""
    from graph_api import accounts
    from graph_api.queries import duplicates as queries
    from graph_api.search.embeddings import LocalProvider
    from graph_api.search.profiles import embed_profiles

    provider = await LocalProvider.load()
    pool = await create_pool(url, min_size=1, max_size=2, statement_timeout_ms=60_000)
    try:
        async with pool.acquire() as conn:
            user = await accounts.create_user(
                conn, f"eval-{uuid.uuid4().hex[:8]}@example.com", None
            )
        ids: list[uuid.UUID] = []
        async with tenant.tenant_transaction(pool, user.id) as conn:
            for e in ENTRIES:
                ids.append(
                    await conn.fetchval(
                        INSERT, user.id, e.full_name, e.email, e.phone, e.company,
                        e.job_title, e.location, e.bio, list(e.tags),
                    )
                )  # fmt: skip
        await embed_profiles(pool, provider, user_id=user.id)
        found = await queries.duplicate_candidates(pool, user.id, len(ENTRIES) ** 2)
        async with tenant.tenant_transaction(pool, user.id, readonly=True) as conn:
            near = await queries.near_profiles(conn, user.id, exact=True)
    finally:
        await pool.close()
        await provider.close()
    index = {contact_id: i for i, contact_id in enumerate(ids)}
    pairs = {frozenset((index[c.a], index[c.b])) for c in found}
    cosines = sorted(
        f"{similarity:.3f} {ENTRIES[index[a]].full_name} ~ {ENTRIES[index[b]].full_name}"
        f"{'' if ENTRIES[index[a]].label == ENTRIES[index[b]].label else ' (not one person)'}"
        for (a, b), similarity in near.items()
    )
    return figures(ENTRIES, pairs), cosines[::-1]


async def _on_server(server_url: str) -> tuple[Evaluation, list[str]]:
    name = f"graph_api_dupes_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_url, name)
    url = with_database(server_url, name)
    try:
        await apply_migrations(url, Settings(database_url=url))
        return await evaluate_with_profiles(url)
    finally:
        await drop_database(server_url, name)


def with_profiles() -> tuple[Evaluation, list[str]]:
    external = os.environ.get("BENCH_DATABASE_URL")
    if external:
        return asyncio.run(_on_server(external))
    with tempfile.TemporaryDirectory() as directory:
        server = start_embedded(Path(directory) / "pgdata")
        try:
            return asyncio.run(_on_server(embedded_url(server, "postgres")))
        finally:
            stop_embedded(server)


def report(what: str, evaluation: Evaluation) -> None:
    print(evaluation.line(what))
    for miss in evaluation.misses:
        print(f"  missed: {miss}")
    for alarm in evaluation.alarms:
        print(f"  false alarm: {alarm}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names-only", action="store_true", help="skip the run with profiles")
    args = parser.parse_args()
    report("names and keys only", evaluate())
    if args.names_only:
        return
    evaluation, cosines = with_profiles()
    report("with profile embeddings", evaluation)
    print("near profiles (cosine ≥ the threshold, each profile's nearest):")
    for line in cosines:
        print(f"  {line}")


if __name__ == "__main__":
    main()
