"""The tenant a connection works for: what row-level security lets it see.

Every tenant table's policy (graph_api/sql/migrations/0005) admits a row only when its
user_id is `app.user_id`; unset, or reset to '', it admits none. Every statement
the API runs on tenant data goes through one of these:

- `tenant(pool, user_id)`: a connection checked out with the setting made for the
  session, for reads, with no transaction around a single read (BEGIN, `SET LOCAL`,
  the statement and COMMIT would cost four round trips where one did). The pool
  (db/pool.py) makes the setting as it hands the connection out, and only when the
  connection's session does not hold it already: a checkout for the tenant it last
  served costs no round trip, another tenant's one. Every checkout that does not go
  through here wants no tenant, so the pool clears the setting first: a connection
  acquired without going through here sees nothing (tested:
  tests/integration/test_row_level_security.py). Nothing is reset on release.
- `tenant_transaction(pool, user_id)`: a transaction on such a connection, for
  writes and for reads that need one snapshot.
- `write_transaction(pool, user_id, work)`: the same, re-run from the start when
  it deadlocks or fails to serialize, a bounded number of times.

The setting statements carry no `-- name`, so statement counts (db/pool.py's
logging) stay what they pin: the statements that read or write data.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from uuid import UUID

import asyncpg

from graph_api.db.pool import WANTED_TENANT

logger = logging.getLogger("graph_api.db")

T = TypeVar("T")

SETTING = "app.user_id"
SET_FOR_SESSION = "select set_config('app.user_id', $1::text, false)"
SET_FOR_TRANSACTION = "select set_config('app.user_id', $1::text, true)"

# the users table is the auth layer, readable without a tenant: background work
# that crosses tenants lists them, then does each one's share under its setting
ALL_USERS = "select id from users order by id"

# a deadlock or a serialization failure means the transaction lost a race, not
# that it was wrong: run it again from the start, a few times, a little apart
RETRYABLE = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)
WRITE_ATTEMPTS = 3
BACKOFF_SECONDS = 0.02


class TransactionConflict(RuntimeError):
    """A write collided with concurrent ones (deadlock or serialization failure) on
    every attempt; each attempt was rolled back, nothing was written. The client may
    try again. `__cause__` is the last database error."""


@asynccontextmanager
async def tenant(pool: asyncpg.Pool, user_id: UUID) -> AsyncIterator[asyncpg.Connection]:
    """A connection that sees `user_id`'s rows until it goes back to the pool."""
    wanted = str(user_id)
    token = WANTED_TENANT.set(wanted)  # read by the pool's setup as it hands one out
    wanting = True
    try:
        async with pool.acquire() as conn:
            # wanted for this checkout only: a plain acquire inside wants none
            WANTED_TENANT.reset(token)
            wanting = False
            if not hasattr(conn, "hold_tenant"):
                # a pool not made by db/pool.py: set it here; its reset clears it
                await conn.execute(SET_FOR_SESSION, wanted)
            yield conn
    finally:
        if wanting:
            WANTED_TENANT.reset(token)


@asynccontextmanager
async def tenant_transaction(
    pool: asyncpg.Pool,
    user_id: UUID,
    *,
    isolation: str | None = None,
    readonly: bool = False,
) -> AsyncIterator[asyncpg.Connection]:
    """A transaction that sees `user_id`'s rows (`SET LOCAL`: gone when it ends)."""
    async with (
        tenant(pool, user_id) as conn,
        conn.transaction(isolation=isolation, readonly=readonly),
    ):
        yield conn


async def write_transaction(
    pool: asyncpg.Pool,
    user_id: UUID,
    work: Callable[[asyncpg.Connection], Awaitable[T]],
    *,
    isolation: str | None = None,
    attempts: int = WRITE_ATTEMPTS,
) -> T:
    """`work` in a tenant transaction, the whole transaction re-run when it deadlocks
    or fails to serialize; `TransactionConflict` after the last attempt. `work` must
    do nothing outside the transaction it is given: it may run more than once."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(1, attempts + 1):
        try:
            async with tenant_transaction(pool, user_id, isolation=isolation) as conn:
                return await work(conn)
        except RETRYABLE as error:
            if attempt == attempts:
                raise TransactionConflict(
                    f"the transaction conflicted with concurrent ones {attempts} times "
                    f"({error.sqlstate}); nothing was written"
                ) from error
            logger.info(
                "transaction attempt %d of %d rolled back (%s); retrying",
                attempt,
                attempts,
                type(error).__name__,
            )
            # jittered, so two transactions that collided do not collide again in step
            await asyncio.sleep(random.uniform(0, BACKOFF_SECONDS * 2**attempt))
    raise AssertionError("unreachable: the last attempt returns or raises")


async def fetch(
    pool: asyncpg.Pool, user_id: UUID, statement: str, *args: Any
) -> list[asyncpg.Record]:
    """One read statement as `user_id`."""
    async with tenant(pool, user_id) as conn:
        return list(await conn.fetch(statement, *args))


async def fetchval(pool: asyncpg.Pool, user_id: UUID, statement: str, *args: Any) -> Any:
    async with tenant(pool, user_id) as conn:
        return await conn.fetchval(statement, *args)


async def all_users(pool: asyncpg.Pool) -> list[UUID]:
    """Every user's id, for work done tenant by tenant."""
    return [row["id"] for row in await pool.fetch(ALL_USERS)]
