"""The demo network `make serve` starts with, and seeding a user's network."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import asyncpg
from aiohttp import web

from graph_api import accounts
from graph_api.errors import Conflict, NotFound
from graph_api.keys import DEMO_TOKEN
from graph_api.search.profiles import announce_stale
from graph_api.seed import SeedReport, seed_network
from graph_api.settings import Settings

logger = logging.getLogger("graph_api.demo")

DEMO_SEED = 42
DEMO_TOKEN_NAME = "serve-demo"

COUNT_CONTACTS = "select count(*) from contacts where user_id = $1"
COUNT_USERS = "select count(*) from users"
REVOKE_DEMO_TOKENS = """
    update api_tokens
       set revoked_at = now()
     where user_id = $1 and name = $2 and revoked_at is null
"""


def today() -> datetime:
    """The seed's time anchor: midnight UTC, so one day's seeds are identical."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


async def seed_user(
    conn: asyncpg.Connection,
    email: str,
    *,
    contacts: int,
    seed: int,
    progress: Callable[[str, int, int], None] | None = None,
) -> SeedReport:
    """Seed `email`'s network, creating the user when missing; refuse a non-empty one."""
    try:
        user = await accounts.find_user(conn, email)
    except NotFound:
        user = await accounts.create_user(conn, email, "Demo User")
    existing = await conn.fetchval(COUNT_CONTACTS, user.id)
    if existing:
        raise Conflict(
            f"{user.email} already has {existing:,} contacts; seed a new user with --email"
        )
    report = await seed_network(conn, user.id, contacts, seed, today(), progress)
    # a serve process running meanwhile embeds the new profiles now, not at its restart
    await announce_stale(conn, user.id)
    return report


async def prepare_demo(conn: asyncpg.Connection, settings: Settings) -> str | None:
    """Seed the demo network into an empty database; the fresh demo token, if any.

    Runs as the tables' owner like the `seed` command (the request pool's role may not
    COPY under row-level security). A database that already holds users other than the
    demo user is left alone: no demo data, no demo token.
    """
    if await conn.fetchval(COUNT_USERS) == 0:
        logger.info("empty database: seeding a demo network for %s", settings.demo_email)
        report = await seed_user(
            conn, settings.demo_email, contacts=settings.demo_contacts, seed=DEMO_SEED
        )
        logger.info("seeded %s contacts in %.1f s", f"{report.contacts:,}", report.seconds)
    try:
        user = await accounts.find_user(conn, settings.demo_email)
    except NotFound:
        return None
    async with conn.transaction():
        # one live demo token at a time: each start replaces the last
        await conn.execute(REVOKE_DEMO_TOKENS, user.id, DEMO_TOKEN_NAME)
        token: str = await accounts.create_token(conn, user.id, DEMO_TOKEN_NAME)
    return token


async def demo_ctx(app: web.Application) -> AsyncIterator[None]:
    """The demo (`prepare_demo`) once the database context has migrated."""
    from graph_api.db.pool import connect
    from graph_api.keys import DATABASE_URL, SETTINGS

    conn = await connect(app[DATABASE_URL])
    try:
        token = await prepare_demo(conn, app[SETTINGS])
        if token is not None:
            app[DEMO_TOKEN] = token
    finally:
        await conn.close()
    yield


def print_banner(app: web.Application, settings: Settings) -> None:
    print_banner_lines(settings, app.get(DEMO_TOKEN))


def print_banner_lines(settings: Settings, token: str | None, *, workers: int = 1) -> None:
    url = f"http://{settings.host}:{settings.port}/graphql"
    processes = f" ({workers} worker processes)" if workers > 1 else ""
    lines = [f"graph-api is serving GraphiQL at {url}{processes}"]
    if settings.explore:
        lines.append(f"the network explorer at http://{settings.host}:{settings.port}/explore")
    if token is not None:
        lines += [
            f"demo user: {settings.demo_email}; bearer token (set it in GraphiQL's headers):",
            f'  {{"Authorization": "Bearer {token}"}}',
            f"try: curl -s {url} -H 'Authorization: Bearer {token}' "
            "-H 'Content-Type: application/json' -d '{\"query\":\"{ me { email } }\"}'",
        ]
    lines.append("Ctrl-C stops the server and the embedded database.")
    print("\n".join(lines), flush=True)
