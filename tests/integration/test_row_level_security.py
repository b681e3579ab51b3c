"""Row-level security, the second wall: what the API's role may see when a statement
forgets its `user_id` filter, with a tenant set, without one, and after a connection
has been back in the pool; the role itself; and writes that lose a race and are retried.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from graph_api.app import POOL
from graph_api.db import tenant
from graph_api.db.app_role import APP_ROLE, AppLogin, app_login, create_app_pool
from graph_api.db.errors import DatabaseUnavailable
from graph_api.db.pool import connect, with_user
from graph_api.env import SettingsError
from graph_api.settings import Settings
from tests.conftest import Account

# the auth layer, read before the tenant is known (graph_api/sql/migrations/0005)
WITHOUT_ROW_SECURITY = {"api_tokens"}

EMBEDDED = not os.environ.get("TEST_DATABASE_URL")

TABLES_WITH_USER_ID = """
    select c.relname, c.relrowsecurity, c.relforcerowsecurity,
           exists (select 1 from pg_policies p
                    where p.schemaname = n.nspname and p.tablename = c.relname) as has_policy,
           has_table_privilege($1, c.oid, 'select') as app_may_read
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = current_schema() and c.relkind in ('r', 'p')
       and exists (select 1 from pg_attribute a
                    where a.attrelid = c.oid and a.attname = 'user_id' and not a.attisdropped)
     order by c.relname"""

INSERT_CONTACT = """
    insert into contacts (user_id, full_name) values ($1, $2) returning id"""

# memories carry no graph-version trigger: two writers of one user's contacts queue
# on that user's graph_versions row, which would stand between a test and its race
INSERT_MEMORY = """
    insert into memories (user_id, content) values ($1, $2) returning id"""


@pytest.fixture
async def app_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """The request pool as the app builds it from DATABASE_URL alone (as the suite's app does)."""
    pool = await create_app_pool(
        app_login(database_url, None, embedded=False),
        min_size=1,
        max_size=2,
        statement_timeout_ms=30_000,
    )
    try:
        yield pool
    finally:
        await pool.close()


async def add_contacts(pool: asyncpg.Pool, user_id: UUID, count: int) -> list[UUID]:
    async with pool.acquire() as conn:
        return [await conn.fetchval(INSERT_CONTACT, user_id, f"Person {n}") for n in range(count)]


async def add_memories(pool: asyncpg.Pool, user_id: UUID, count: int) -> list[UUID]:
    async with pool.acquire() as conn:
        return [await conn.fetchval(INSERT_MEMORY, user_id, f"Memory {n}") for n in range(count)]


@pytest.fixture
async def two_tenants(
    pool: asyncpg.Pool, make_account: Callable[[], Awaitable[Account]]
) -> tuple[UUID, UUID]:
    a, b = (await make_account()).user.id, (await make_account()).user.id
    await add_contacts(pool, a, 2)
    await add_contacts(pool, b, 3)
    return a, b


async def test_the_app_role_is_no_superuser_bypasses_nothing_and_owns_nothing(
    app_pool: asyncpg.Pool,
) -> None:
    row = await app_pool.fetchrow(
        """select r.rolname, r.rolsuper, r.rolbypassrls,
                  (select count(*) from pg_tables t
                    where t.schemaname = current_schema() and t.tableowner = current_user) as owned
             from pg_roles r where r.rolname = current_user"""
    )
    assert row is not None
    assert dict(row) == {"rolname": APP_ROLE, "rolsuper": False, "rolbypassrls": False, "owned": 0}


async def test_the_served_app_runs_request_traffic_as_the_app_role(
    client: TestClient[Any, Any],
) -> None:
    assert await client.app[POOL].fetchval("select current_user::text") == APP_ROLE


@pytest.mark.skipif(not EMBEDDED, reason="the embedded server's own login for the app role")
async def test_on_the_embedded_server_the_app_role_logs_in_itself(database_url: str) -> None:
    login = app_login(database_url, None, embedded=True)
    assert login.switch_to is None
    pool = await create_app_pool(login, min_size=1, max_size=1, statement_timeout_ms=5000)
    try:
        who = await pool.fetchrow("select session_user::text as login, current_user::text as role")
        assert who is not None and dict(who) == {"login": APP_ROLE, "role": APP_ROLE}
    finally:
        await pool.close()


async def test_every_table_with_a_user_id_has_forced_row_level_security(
    pool: asyncpg.Pool,
) -> None:
    tables = await pool.fetch(TABLES_WITH_USER_ID, APP_ROLE)
    assert {"contacts", "memories", "audit_log", "graph_versions"} <= {t["relname"] for t in tables}
    for table in tables:
        if table["relname"] in WITHOUT_ROW_SECURITY:
            assert not table["relrowsecurity"], table["relname"]
            continue
        assert table["relrowsecurity"] and table["relforcerowsecurity"], (
            f"{table['relname']}: `select protect_tenant_table('{table['relname']}')` in its migration"
        )
        assert table["has_policy"], table["relname"]
        assert table["app_may_read"], table["relname"]


async def test_a_statement_without_its_user_filter_sees_only_the_tenants_rows(
    app_pool: asyncpg.Pool, pool: asyncpg.Pool, two_tenants: tuple[UUID, UUID]
) -> None:
    a, b = two_tenants
    forgetful = "select count(*) from contacts"
    assert await pool.fetchval("select count(*) from contacts where user_id = $1", b) == 3
    async with tenant.tenant(app_pool, a) as conn:
        assert await conn.fetchval(forgetful) == 2
        assert await conn.fetchval("select count(distinct user_id) from contacts") == 1
    async with tenant.tenant_transaction(app_pool, b) as conn:
        assert await conn.fetchval(forgetful) == 3


async def test_without_a_tenant_nothing_is_seen_or_written(
    app_pool: asyncpg.Pool, two_tenants: tuple[UUID, UUID]
) -> None:
    a, _ = two_tenants
    assert await app_pool.fetchval("select count(*) from contacts") == 0
    assert await app_pool.fetchval("select count(*) from memories") == 0
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        await app_pool.fetchval(INSERT_CONTACT, a, "Nobody's")


async def test_a_tenant_cannot_write_into_or_change_another_tenants_rows(
    app_pool: asyncpg.Pool, pool: asyncpg.Pool, two_tenants: tuple[UUID, UUID]
) -> None:
    a, b = two_tenants
    async with tenant.tenant_transaction(app_pool, a) as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
            async with conn.transaction():
                await conn.fetchval(INSERT_CONTACT, b, "Planted")
        assert await conn.execute("update contacts set notes = 'x' where user_id = $1", b) == (
            "UPDATE 0"
        )
        assert await conn.execute("delete from contacts where user_id = $1", b) == "DELETE 0"
    assert await pool.fetchval("select count(*) from contacts where user_id = $1", b) == 3


async def test_a_connection_back_from_the_pool_has_no_tenant(
    database_url: str, two_tenants: tuple[UUID, UUID]
) -> None:
    a, _ = two_tenants
    # one connection, so the second checkout is the very connection the first used
    single = await create_app_pool(
        app_login(database_url, None, embedded=False),
        min_size=1,
        max_size=1,
        statement_timeout_ms=5000,
    )
    try:
        async with tenant.tenant(single, a) as conn:
            first = conn.get_server_pid()
            assert await conn.fetchval("select count(*) from contacts") == 2
        async with single.acquire() as conn:
            assert conn.get_server_pid() == first
            assert await conn.fetchval("select current_tenant()") is None
            assert await conn.fetchval("select count(*) from contacts") == 0
            assert await conn.fetchval("select current_user::text") == APP_ROLE
        async with tenant.tenant_transaction(single, a) as conn:
            assert await conn.fetchval("select count(*) from contacts") == 2
        assert await single.fetchval("select count(*) from contacts") == 0
    finally:
        await single.close()


async def test_one_connection_serves_tenants_in_turn_and_sets_each_only_when_it_changes(
    database_url: str, two_tenants: tuple[UUID, UUID]
) -> None:
    a, b = two_tenants
    single = await create_app_pool(
        app_login(database_url, None, embedded=False),
        min_size=1,
        max_size=1,
        statement_timeout_ms=5000,
    )
    sent: list[str] = []
    try:
        async with single.acquire() as conn:
            conn.add_query_logger(lambda record: sent.append(record.query))
        for user, expected in ((a, 2), (a, 2), (b, 3), (b, 3), (a, 2)):
            async with tenant.tenant(single, user) as conn:
                assert await conn.fetchval("select current_tenant()") == user
                assert await conn.fetchval("select count(*) from contacts") == expected
        async with tenant.tenant_transaction(single, b) as conn:
            assert await conn.fetchval("select count(*) from contacts") == 3
        async with single.acquire() as conn:
            assert await conn.fetchval("select count(*) from contacts") == 0
        settings = [q for q in sent if "set_config('app.user_id'" in q]
        # set on the first checkout and at each change (a, b, a, b, none), never on
        # a checkout for the tenant the session already holds; nothing reset on release
        assert len(settings) == 5, sent
        assert not [q for q in sent if "RESET ALL" in q]
    finally:
        await single.close()


async def test_the_auth_layer_is_read_only_to_the_app(
    app_pool: asyncpg.Pool, account: Account
) -> None:
    assert await app_pool.fetchval("select count(*) from users where id = $1", account.user.id)
    for statement in (
        "update users set full_name = 'x' where id = $1",
        "update api_tokens set revoked_at = now() where user_id = $1",
        "delete from api_tokens where user_id = $1",
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app_pool.execute(statement, account.user.id)
    await app_pool.execute(
        "update api_tokens set last_used_at = now() where user_id = $1", account.user.id
    )


async def test_writes_as_the_app_role_bump_the_graph_version(
    app_pool: asyncpg.Pool, pool: asyncpg.Pool, account: Account
) -> None:
    user = account.user.id
    version = "select coalesce((select version from graph_versions where user_id = $1), 0)"
    before = await pool.fetchval(version, user)

    async def add(conn: asyncpg.Connection) -> UUID:
        contact: UUID = await conn.fetchval(INSERT_CONTACT, user, "Versioned")
        await conn.execute("update contacts set notes = 'n' where user_id = $1", user)
        return contact

    await tenant.write_transaction(app_pool, user, add)
    assert await pool.fetchval(version, user) == before + 2


async def test_a_serialization_failure_reruns_the_whole_transaction(
    app_pool: asyncpg.Pool, pool: asyncpg.Pool, account: Account
) -> None:
    user = account.user.id
    [contact] = await add_contacts(pool, user, 1)
    attempts = 0

    async def append_mine(conn: asyncpg.Connection) -> None:
        nonlocal attempts
        attempts += 1
        await conn.fetchval(
            "select notes from contacts where user_id = $1 and id = $2", user, contact
        )
        if attempts == 1:  # someone else commits a change to the row after our snapshot
            await pool.execute(
                "update contacts set notes = 'theirs' where user_id = $1 and id = $2", user, contact
            )
        await conn.execute(
            "update contacts set notes = notes || '+mine' where user_id = $1 and id = $2",
            user,
            contact,
        )

    await tenant.write_transaction(app_pool, user, append_mine, isolation="repeatable_read")
    assert attempts == 2
    notes = await pool.fetchval("select notes from contacts where id = $1", contact)
    assert notes == "theirs+mine", "the first attempt wrote nothing, the second everything"


async def test_a_transaction_that_keeps_conflicting_surfaces_and_writes_nothing(
    app_pool: asyncpg.Pool, pool: asyncpg.Pool, account: Account
) -> None:
    user = account.user.id
    [memory] = await add_memories(pool, user, 1)
    attempts = 0

    async def always_loses(conn: asyncpg.Connection) -> None:
        nonlocal attempts
        attempts += 1
        await conn.fetchval(INSERT_MEMORY, user, f"Partial {attempts}")
        await pool.execute(
            "update memories set title = $3 where user_id = $1 and id = $2",
            user,
            memory,
            f"theirs {attempts}",
        )
        await conn.execute(
            "update memories set title = 'mine' where user_id = $1 and id = $2", user, memory
        )

    with pytest.raises(tenant.TransactionConflict) as raised:
        await tenant.write_transaction(
            app_pool, user, always_loses, isolation="repeatable_read", attempts=3
        )
    assert attempts == 3
    assert isinstance(raised.value.__cause__, asyncpg.SerializationError)
    assert await pool.fetchval("select title from memories where id = $1", memory) == "theirs 3"
    partial = "select count(*) from memories where user_id = $1 and content like 'Partial %'"
    assert await pool.fetchval(partial, user) == 0


async def test_a_deadlock_reruns_the_losing_transaction(
    app_pool: asyncpg.Pool, pool: asyncpg.Pool, account: Account
) -> None:
    user = account.user.id
    first_row, second_row = await add_memories(pool, user, 2)
    attempts = {"forward": 0, "backward": 0}
    locked = {"forward": asyncio.Event(), "backward": asyncio.Event()}
    touch = "update memories set title = coalesce(title, '') || $3 where user_id = $1 and id = $2"

    def crossing(name: str, mine: UUID, theirs: UUID, other: str) -> Callable[..., Awaitable[None]]:
        async def work(conn: asyncpg.Connection) -> None:
            attempts[name] += 1
            await conn.execute(touch, user, mine, name[0])
            if attempts[name] == 1:  # both hold one row, then each reaches for the other's
                locked[name].set()
                await locked[other].wait()
            await conn.execute(touch, user, theirs, name[0])

        return work

    await asyncio.wait_for(
        asyncio.gather(
            tenant.write_transaction(
                app_pool, user, crossing("forward", first_row, second_row, "backward")
            ),
            tenant.write_transaction(
                app_pool, user, crossing("backward", second_row, first_row, "forward")
            ),
        ),
        timeout=30,
    )
    assert sorted(attempts.values()) == [1, 2], "one deadlocked and ran again"
    titles = await pool.fetch(
        "select title from memories where id = any($1::uuid[])", [first_row, second_row]
    )
    assert sorted(sorted(row["title"]) for row in titles) == [["b", "f"], ["b", "f"]]


async def test_a_superuser_login_for_request_traffic_is_refused(database_url: str) -> None:
    with pytest.raises(DatabaseUnavailable, match="is a superuser"):
        await create_app_pool(
            AppLogin(database_url), min_size=1, max_size=1, statement_timeout_ms=5000
        )


@pytest.mark.skipif(not EMBEDDED, reason="logs in as a new role: the embedded server trusts it")
async def test_an_owner_that_may_not_become_the_app_role_is_told_what_to_do(
    database_url: str,
) -> None:
    outsider = f"rls_outsider_{uuid.uuid4().hex[:8]}"
    admin = await connect(database_url)
    try:
        await admin.execute(f"create role {outsider} login")
        with pytest.raises(DatabaseUnavailable, match=f"grant {APP_ROLE} to {outsider}"):
            await create_app_pool(
                AppLogin(with_user(database_url, outsider), switch_to=APP_ROLE),
                min_size=1,
                max_size=1,
                statement_timeout_ms=5000,
            )
        with pytest.raises(DatabaseUnavailable, match=f"is not a member of {APP_ROLE}"):
            await create_app_pool(
                AppLogin(with_user(database_url, outsider)),
                min_size=0,
                max_size=1,
                statement_timeout_ms=5000,
            )
    finally:
        await admin.execute(f"drop role if exists {outsider}")
        await admin.close()


def test_the_app_url_needs_the_owner_url() -> None:
    with pytest.raises(SettingsError, match="needs DATABASE_URL"):
        Settings.from_env({"GRAPH_API_APP_DATABASE_URL": "postgresql://app@db/graph"})
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://owner@db/graph",
            "GRAPH_API_APP_DATABASE_URL": "postgresql://app@db/graph",
        }
    )
    assert app_login(settings.database_url or "", settings.app_database_url, embedded=False) == (
        AppLogin("postgresql://app@db/graph")
    )
