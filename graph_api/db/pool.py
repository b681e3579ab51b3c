"""Connecting: the database itself, the pool, and the pgvector codec."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
from pgvector.asyncpg import register_vector

from graph_api import tracing
from graph_api.db.errors import DatabaseUnavailable, redact_url

T = TypeVar("T")

CONNECT_TIMEOUT_SECONDS = 10

sql_logger = logging.getLogger("graph_api.sql")


async def connect(url: str) -> asyncpg.Connection:
    """One connection, with failures turned into a `DatabaseUnavailable` line."""
    try:
        return await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_SECONDS)
    except (TimeoutError, OSError, asyncpg.PostgresError, ValueError) as error:
        raise DatabaseUnavailable(_explain(url, error)) from None
    except asyncpg.InterfaceError as error:
        raise DatabaseUnavailable(_explain(url, error)) from None


def with_database(server_url: str, name: str) -> str:
    """The same server URL, naming database `name`."""
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def with_user(url: str, user: str) -> str:
    """The same URL, logging in as `user` (without a password)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{quote(user, safe='')}@{host}"))


async def ensure_database(server_url: str, name: str) -> None:
    """Create database `name` on the server behind `server_url` unless it exists."""
    conn = await connect(server_url)
    try:
        exists = await conn.fetchval("select true from pg_database where datname = $1", name)
        if not exists:
            # identifiers cannot be parameters; quote_ident-equivalent via format('%I')
            statement = await conn.fetchval("select format('create database %I', $1::text)", name)
            await conn.execute(statement)
    finally:
        await conn.close()


async def drop_database(server_url: str, name: str) -> None:
    conn = await connect(server_url)
    try:
        statement = await conn.fetchval(
            "select format('drop database if exists %I with (force)', $1::text)", name
        )
        await conn.execute(statement)
    finally:
        await conn.close()


def statement_name(query: str) -> str:
    """A statement's name: the `-- name` comment it starts with, else its first words."""
    first_line = query.lstrip().split("\n", 1)[0].strip()
    if first_line.startswith("--"):
        return first_line[2:].strip()
    return " ".join(query.split())[:60]


def _log_statement(record: asyncpg.connection.LoggedQuery) -> None:
    # our statements carry a `-- name`; asyncpg's own housekeeping (type
    # introspection, connection reset) is left out
    if not record.query.lstrip().startswith("--"):
        return
    sql_logger.debug(
        "%s (%.1f ms)%s",
        statement_name(record.query),
        record.elapsed * 1000,
        " failed" if record.exception else "",
        extra={
            "statement": statement_name(record.query),
            "elapsed_ms": record.elapsed * 1000,
            "background": BACKGROUND.get(),
            "sql": record.query,  # the whole text, for tests that read what ran
        },
    )


# `role` survives the pool's `RESET ALL` on release (PostgreSQL leaves it out of
# RESET ALL), so a connection switched once stays switched for its whole life
SWITCH_ROLE = "select set_config('role', $1::text, false)"


def _connection_init(
    *, role: str | None, log_statements: bool
) -> Callable[[asyncpg.Connection], Awaitable[None]]:
    async def init(conn: asyncpg.Connection) -> None:
        await register_vector(conn)
        if role is not None:
            await conn.execute(SWITCH_ROLE, role)
        if log_statements:
            conn.add_query_logger(_log_statement)
        if tracing.enabled():
            conn.add_query_logger(tracing.statement_span)

    return init


# Whether the running task is the process's own background work (the embedder, the
# periodic jobs, the graph cache's warm-ups) rather than a request: statements are
# logged with it, so a test counting a request's statements can leave the others out.
BACKGROUND: ContextVar[bool] = ContextVar("background_work", default=False)


def background_task(work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
    """`work` as a task whose statements are logged as background work."""
    context = contextvars.copy_context()
    context.run(BACKGROUND.set, True)
    return asyncio.create_task(work, context=context)


@asynccontextmanager
async def running_beside(work: Coroutine[Any, Any, Any] | None) -> AsyncIterator[None]:
    """`work` (a periodic job; None for none) as background work for as long as the
    block runs, then cancelled and awaited."""
    task = None if work is None else background_task(work)
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


# The tenant a checkout wants its connection's session to hold: db/tenant.py sets it
# around its `acquire`; every other checkout wants none (''), so a connection acquired
# without going through db/tenant.py sees no tenant's rows.
WANTED_TENANT: ContextVar[str] = ContextVar("wanted_tenant", default="")
SET_TENANT = "select set_config('app.user_id', $1::text, false)"


class TenantConnection(asyncpg.Connection):  # type: ignore[misc]
    """A pooled connection that remembers which tenant its session holds, so a
    checkout for the tenant it already holds costs no round trip, and the pool needs
    no reset on release (which cost one round trip per checkout)."""

    _tenant: str | None = None  # None: unknown (never set, or a set that did not finish)

    async def hold_tenant(self, wanted: str) -> None:
        if self._tenant == wanted:
            return
        self._tenant = None
        await self.execute(SET_TENANT, wanted)
        self._tenant = wanted


async def _hold_wanted_tenant(conn: Any) -> None:
    # the pool's `setup`: every checkout, before the connection is handed out
    await conn.hold_tenant(WANTED_TENANT.get())


async def _no_reset(conn: Any) -> None:
    """The pool's `reset` on release, instead of asyncpg's (advisory locks, cursors,
    LISTEN, `RESET ALL`): an open transaction is still rolled back (asyncpg does that
    first), and the tenant is cleared or changed at the next checkout. So pooled
    connections must hold no other session state: no session-level `SET`, LISTEN or
    advisory lock (the listener and migrations have connections of their own)."""


class WaitBoundedPool(asyncpg.Pool):  # type: ignore[misc]
    """A pool whose checkouts wait at most `wait_seconds` unless told otherwise: a
    request that finds every connection busy gets TimeoutError (SERVICE_UNAVAILABLE,
    HTTP 503 with Retry-After) instead of queueing without end."""

    def __init__(self, *args: Any, wait_seconds: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wait_seconds = wait_seconds

    def acquire(self, *, timeout: float | None = None) -> Any:
        if timeout is None and not self._free_now():
            timeout = self.wait_seconds
        return super().acquire(timeout=timeout)

    def _free_now(self) -> bool:
        """A connection holder is free: the checkout takes it without waiting for
        another request, so the wait bound is not needed (on Python 3.11 asyncpg
        bounds a wait with a Task per checkout, about 5 % of a by-id read's CPU). The
        checkout itself stays bounded: connecting by CONNECT_TIMEOUT_SECONDS, the
        request by its deadline. Nothing runs between this check and the checkout's
        `queue.get()` (no await in between), so a free holder is still free then."""
        queue = getattr(self, "_queue", None)
        return queue is not None and not queue.empty()


async def create_pool(
    url: str,
    *,
    min_size: int,
    max_size: int,
    statement_timeout_ms: int,
    log_statements: bool = False,
    role: str | None = None,
    wait_seconds: float | None = None,
    session_settings: Mapping[str, str] | None = None,
) -> asyncpg.Pool:
    """A pool on `url`; with `role`, every connection switches to it (`SET ROLE`) as it
    opens; with `wait_seconds`, a checkout waits at most that long; `session_settings`
    are set on every connection as it opens (e.g. `graph_api.interest_half_life_days`,
    which SQL's `interest_effective_confidence` reads)."""
    try:
        pool = await WaitBoundedPool(
            url,
            wait_seconds=wait_seconds,
            connection_class=TenantConnection,
            record_class=asyncpg.Record,
            max_queries=50_000,
            max_inactive_connection_lifetime=300.0,
            loop=None,
            connect=None,
            setup=_hold_wanted_tenant,
            reset=_no_reset,
            min_size=min_size,
            max_size=max_size,
            timeout=CONNECT_TIMEOUT_SECONDS,
            init=_connection_init(role=role, log_statements=log_statements),
            server_settings={
                "application_name": "graph-api",
                "statement_timeout": str(statement_timeout_ms),
                # floats printed shortest-exact, whatever the server's default: the
                # SQL plan's JSON carries them as text
                "extra_float_digits": "1",
                **(session_settings or {}),
            },
        )
    except asyncpg.InsufficientPrivilegeError as error:
        if role is None:
            raise DatabaseUnavailable(_explain(url, error)) from None
        raise DatabaseUnavailable(cannot_switch_role(url, role)) from None
    except (TimeoutError, OSError, asyncpg.PostgresError, ValueError) as error:
        raise DatabaseUnavailable(_explain(url, error)) from None
    except asyncpg.InterfaceError as error:
        raise DatabaseUnavailable(_explain(url, error)) from None
    assert pool is not None
    return pool


def cannot_switch_role(url: str, role: str) -> str:
    user = urlsplit(url).username or "the user"
    return (
        f"{user} (DATABASE_URL {redact_url(url)}) may not switch to the role {role} that "
        f"request traffic runs as: grant {role} to {user}, or set GRAPH_API_APP_DATABASE_URL "
        f"to a login that is a member of {role}"
    )


def _explain(url: str, error: BaseException) -> str:
    shown = redact_url(url)
    if isinstance(error, ValueError) and not isinstance(error, asyncpg.PostgresError):
        return f"the database URL {shown} is malformed ({error}); expected postgresql://user:password@host:port/database"
    if isinstance(error, asyncpg.InvalidCatalogNameError):
        return f"the database named in {shown} does not exist; create it or fix DATABASE_URL"
    if isinstance(
        error, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
    ):
        return f"PostgreSQL refused the credentials in {shown}; fix the user or password in DATABASE_URL"
    host = urlsplit(url).hostname or "the local socket"
    reason = str(error) or type(error).__name__
    return (
        f"cannot connect to PostgreSQL at {host} ({shown}): {reason}. "
        "Check that the server is running and DATABASE_URL is right."
    )
