"""Who the API's request traffic runs as: `graph_api_app`, bound by row-level security.

Migrations, the CLI and the test suite's setup run as the tables' owner (the user in
DATABASE_URL, or the embedded server's `postgres`). Request traffic must not: a
superuser passes through every policy, and an owner could switch them off. So it
runs as the role graph_api/sql/migrations/0005 creates, one of three ways:

- embedded server: the role logs in itself. pgserver's cluster trusts local
  connections (`initdb --auth-local=trust`) and listens only on a Unix socket in
  its data directory, so the app's URL is the owner's with the user changed.
- DATABASE_URL and GRAPH_API_APP_DATABASE_URL: the second is the app's own login,
  `graph_api_app` itself (given a password) or any login role that is a member of it.
- DATABASE_URL alone: the owner's connections switch to the role (`SET ROLE`) as
  they open. Every policy applies as it would to a login of its own, but the session
  user is still the owner, who could switch back: the separate login is the stronger
  wall, and the setting is there for it.

Either way the pool is checked before the server serves: the role it ends up as must
not be a superuser, bypass row-level security, or be (or be able to become) the
tables' owner, and must hold graph_api_app's privileges. Otherwise startup stops
with one line saying what to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import asyncpg

from graph_api.db.errors import DatabaseUnavailable
from graph_api.db.pool import cannot_switch_role, create_pool, with_user

APP_ROLE = "graph_api_app"

WHO_AM_I = """
    select r.rolname, r.rolsuper, r.rolbypassrls,
           pg_has_role(current_user, $1, 'usage') as has_app_privileges,
           (select array_agg(distinct t.tableowner::text order by t.tableowner::text)
              from pg_tables t
             where t.schemaname = current_schema()
               and pg_has_role(current_user, t.tableowner, 'member')) as owners
      from pg_roles r
     where r.rolname = current_user"""


@dataclass(frozen=True)
class AppLogin:
    """How the request pool connects: a URL, and a role to switch to (or None)."""

    url: str
    switch_to: str | None = None


def app_login(owner_url: str, app_url: str | None, *, embedded: bool) -> AppLogin:
    if app_url:
        return AppLogin(app_url)
    if embedded:
        return AppLogin(with_user(owner_url, APP_ROLE))
    return AppLogin(owner_url, switch_to=APP_ROLE)


async def create_app_pool(
    login: AppLogin,
    *,
    min_size: int,
    max_size: int,
    statement_timeout_ms: int,
    log_statements: bool = False,
    wait_seconds: float | None = None,
    session_settings: Mapping[str, str] | None = None,
) -> asyncpg.Pool:
    """The pool request traffic uses, checked to be bound by row-level security."""
    pool = await create_pool(
        login.url,
        min_size=min_size,
        max_size=max_size,
        statement_timeout_ms=statement_timeout_ms,
        log_statements=log_statements,
        role=login.switch_to,
        wait_seconds=wait_seconds,
        session_settings=session_settings,
    )
    try:
        await check_app_role(pool, login)
    except BaseException:
        await pool.close()
        raise
    return pool


async def check_app_role(pool: asyncpg.Pool, login: AppLogin) -> str:
    """The role the pool's connections run as; `DatabaseUnavailable` unless it is
    bound by row-level security and holds the app's privileges."""
    try:
        row = await pool.fetchrow(WHO_AM_I, APP_ROLE)
    except asyncpg.InsufficientPrivilegeError:
        # a pool with min_size 0 meets a refused SET ROLE only now
        assert login.switch_to is not None
        raise DatabaseUnavailable(cannot_switch_role(login.url, login.switch_to)) from None
    assert row is not None
    role = row["rolname"]
    problems = []
    if row["rolsuper"]:
        problems.append("is a superuser")
    if row["rolbypassrls"]:
        problems.append("bypasses row-level security")
    if row["owners"]:
        problems.append(f"is or may become the owner of the tables ({', '.join(row['owners'])})")
    if not row["has_app_privileges"]:
        problems.append(f"is not a member of {APP_ROLE}")
    if problems:
        raise DatabaseUnavailable(
            f"request traffic would run as {role}, which {' and '.join(problems)}: "
            f"set GRAPH_API_APP_DATABASE_URL to a login that is {APP_ROLE} or a member of it, "
            "and neither superuser nor owner of the tables"
        )
    return str(role)
