"""`graph-api purge [--dry-run]`: expired memories, audit rows past the retention, old
dismissed notifications; a dry run counts and deletes nothing; the rest stays."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import asyncpg

from tests.conftest import Account


def purge(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graph_api", "purge", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": database_url, "GRAPH_API_EMBEDDINGS": "none", **env},
        check=False,
    )


WOULD = re.compile(
    r"would delete (\d+) expired memories, (\d+) audit rows older than 365 days, "
    r"(\d+) notifications"
)


def would_delete(run: subprocess.CompletedProcess[str]) -> tuple[int, ...]:
    assert run.returncode == 0, run.stderr
    found = WOULD.search(run.stdout)
    assert found is not None, run.stdout
    return tuple(int(n) for n in found.groups())


async def test_purge_deletes_what_retention_names_and_a_dry_run_only_counts(
    database_url: str, account: Account, pool: asyncpg.Pool
) -> None:
    user = account.user.id
    retention = {"GRAPH_API_AUDIT_RETENTION_DAYS": "365"}
    # purge is for every user: what earlier tests left in the database counts too
    before = would_delete(purge(database_url, "--dry-run", **retention))
    await pool.execute(
        """insert into memories (user_id, content, expires_at) values
           ($1, 'expired yesterday', now() - interval '1 day'),
           ($1, 'expires next year', now() + interval '365 days'),
           ($1, 'never expires', null)""",
        user,
    )
    await pool.execute(
        """insert into audit_log (user_id, actor, operation, created_at) values
           ($1, 'x', 'old_operation', now() - interval '400 days'),
           ($1, 'x', 'recent_operation', now() - interval '1 day')""",
        user,
    )
    await pool.execute(
        """insert into notifications (user_id, type, title, dedupe_key, status, updated_at) values
           ($1, 'follow_up', 'old and dismissed', 'a', 'dismissed', now() - interval '200 days'),
           ($1, 'follow_up', 'old and unread', 'b', 'unread', now() - interval '200 days'),
           ($1, 'follow_up', 'dismissed today', 'c', 'dismissed', now())""",
        user,
    )

    dry = would_delete(purge(database_url, "--dry-run", **retention))
    assert tuple(now - then for now, then in zip(dry, before, strict=True)) == (1, 1, 1)
    assert await pool.fetchval("select count(*) from memories where user_id = $1", user) == 3

    done = purge(database_url, **retention)
    assert done.returncode == 0, done.stderr
    assert re.search(r"deleted \d+ expired memories", done.stdout), done.stdout
    memories = await pool.fetch(
        "select content from memories where user_id = $1 order by content", user
    )
    assert [row["content"] for row in memories] == ["expires next year", "never expires"]
    operations = await pool.fetch("select operation from audit_log where user_id = $1", user)
    assert [row["operation"] for row in operations] == ["recent_operation"]
    titles = await pool.fetch(
        "select title from notifications where user_id = $1 order by title", user
    )
    assert [row["title"] for row in titles] == ["dismissed today", "old and unread"]

    # without a retention the trail is kept
    kept = purge(database_url, "--dry-run")
    assert "audit rows kept" in kept.stdout
    bad = purge(database_url, GRAPH_API_AUDIT_RETENTION_DAYS="soon")
    assert (
        bad.returncode == 1 and "graph-api: error:" in bad.stderr and "Traceback" not in bad.stderr
    )
