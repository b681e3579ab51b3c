"""The `graph-api` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import asyncpg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from graph_api import accounts
from graph_api.app import apply_migrations, resolve_database
from graph_api.db.embedded import stop_embedded
from graph_api.db.errors import DatabaseUnavailable
from graph_api.db.migrations import MigrationError
from graph_api.db.pool import connect, create_pool
from graph_api.env import SettingsError
from graph_api.errors import DomainError
from graph_api.search.embeddings import EmbeddingError
from graph_api.settings import Settings

stderr = Console(stderr=True)


class CliError(Exception):
    """A problem the person at the terminal can fix; printed as one line."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        if settings.log_statements:
            logging.getLogger("graph_api.sql").setLevel(logging.DEBUG)
        result: int = args.handler(settings, args)
        return result
    except (
        CliError, SettingsError, DatabaseUnavailable, MigrationError, DomainError, EmbeddingError,
    ) as error:  # fmt: skip
        print(f"graph-api: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="graph-api", description="A GraphQL API for relationship graphs."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="migrate, seed a demo when empty, and serve")
    serve.add_argument("--no-demo", action="store_true", help="do not seed or print a demo token")
    serve.add_argument(
        "--workers", type=int, default=1, metavar="N",
        help="API processes sharing the port (default 1; see README, 'Several processes')",
    )  # fmt: skip
    serve.set_defaults(handler=cmd_serve)

    migrate = commands.add_parser("migrate", help="apply pending migrations")
    migrate.set_defaults(handler=cmd_migrate)

    seed = commands.add_parser("seed", help="generate a realistic network for a user")
    seed.add_argument("--contacts", type=int, default=300, help="number of contacts (default 300)")
    seed.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    seed.add_argument(
        "--email", default="demo@example.com", help="the user to seed (created if missing)"
    )
    seed.set_defaults(handler=cmd_seed)

    user = commands.add_parser("user", help="manage users").add_subparsers(
        required=True, metavar="ACTION"
    )
    user_create = user.add_parser("create", help="create a user and print a bearer token")
    user_create.add_argument("email")
    user_create.add_argument("--name", help="the user's full name")
    user_create.set_defaults(handler=cmd_user_create)

    token = commands.add_parser("token", help="manage bearer tokens").add_subparsers(
        required=True, metavar="ACTION"
    )
    token_create = token.add_parser("create", help="print a new bearer token for a user")
    token_create.add_argument("email")
    token_create.add_argument("--name", default="default", help="a label for the token")
    token_create.set_defaults(handler=cmd_token_create)
    token_revoke = token.add_parser("revoke", help="revoke a token, given the token or its id")
    token_revoke.add_argument("token", metavar="TOKEN_OR_ID")
    token_revoke.set_defaults(handler=cmd_token_revoke)
    token_list = token.add_parser("list", help="list a user's tokens (never the secrets)")
    token_list.add_argument("email")
    token_list.set_defaults(handler=cmd_token_list)

    reembed = commands.add_parser(
        "reembed",
        help="embed memories and contact profiles that are pending, stale or embedded by another model",
    )
    reembed.add_argument(
        "--model", help="the provider's model to embed with (default: GRAPH_API_EMBEDDINGS_MODEL)"
    )
    reembed.add_argument("--batch-size", type=int, default=64, help="texts per batch (default 64)")
    reembed.set_defaults(handler=cmd_reembed)

    import_document = commands.add_parser(
        "import-document",
        help="import a .txt or .md file as a document of a user's (chunked, then embedded)",
    )
    import_document.add_argument("email", help="the user whose document it becomes")
    import_document.add_argument("file", help="a UTF-8 .txt or .md file")
    import_document.add_argument("--title", help="default: its first heading, else the file's name")
    import_document.add_argument(
        "--type",
        choices=["note", "article", "transcript", "email", "report", "other"],
        default="note",
    )
    import_document.add_argument(
        "--contact", action="append", default=[], metavar="EMAIL",
        help="a contact it is about, by email (repeatable)",
    )  # fmt: skip
    import_document.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    import_document.set_defaults(handler=cmd_import_document)

    export_graph = commands.add_parser(
        "export-graph", help="write a user's network as GraphML or GEXF (for Gephi, networkx)"
    )
    export_graph.add_argument("email")
    export_graph.add_argument("--format", choices=["graphml", "gexf"], default="graphml")
    export_graph.add_argument("--output", "-o", help="file to write (default: stdout)")
    export_graph.set_defaults(handler=cmd_export_graph)

    import_file = commands.add_parser(
        "import", help="import a contact file (Google, LinkedIn or Outlook CSV, vCard) for a user"
    )
    import_file.add_argument("email", help="the user whose network it goes into")
    import_file.add_argument("file", help="the file exported from the address book")
    import_file.add_argument(
        "--format",
        choices=["google", "linkedin", "outlook", "vcard"],
        help="the file's format (default: guessed from its content)",
    )
    import_file.add_argument(
        "--dry-run", action="store_true", help="report what would happen, write nothing"
    )
    import_file.set_defaults(handler=cmd_import)

    purge = commands.add_parser(
        "purge",
        help="delete expired memories, audit rows past GRAPH_API_AUDIT_RETENTION_DAYS and old "
        "dismissed notifications",
    )
    purge.add_argument("--dry-run", action="store_true", help="count what would go, delete nothing")
    purge.set_defaults(handler=cmd_purge)

    consolidate = commands.add_parser(
        "consolidate",
        help="sum up old memories: per contact, alike ones grouped into SUMMARY memories "
        "(their sources hidden from default search, never deleted)",
    )
    consolidate.add_argument(
        "--older-than-days", type=int, default=None,
        help="memories created longer ago than this (default: GRAPH_API_CONSOLIDATE_AFTER_DAYS, 180)",
    )  # fmt: skip
    consolidate.add_argument("--email", help="only this user's (default: every user's)")
    consolidate.add_argument(
        "--dry-run", action="store_true", help="report what would be made, write nothing"
    )
    consolidate.set_defaults(handler=cmd_consolidate)

    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.set_defaults(handler=cmd_export_schema)
    return parser


# --- database commands -------------------------------------------------------------------


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    """A migrated database (embedded or DATABASE_URL) and one connection to it."""
    url, server = await resolve_database(settings)
    try:
        await apply_migrations(url, settings)
        conn = await connect(url)
        try:
            yield conn
        finally:
            await conn.close()
    finally:
        if server is not None:
            await asyncio.to_thread(stop_embedded, server)


def run_with_database(
    settings: Settings, action: Callable[[asyncpg.Connection], Coroutine[Any, Any, int]]
) -> int:
    async def go() -> int:
        async with database(settings) as conn:
            return await action(conn)

    return asyncio.run(go())


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    async def go() -> int:
        url, server = await resolve_database(settings)
        try:
            applied = await apply_migrations(url, settings)
        finally:
            if server is not None:
                await asyncio.to_thread(stop_embedded, server)
        for name in applied:
            print(f"applied {name}")
        print(f"{len(applied)} migration(s) applied; the database is up to date")
        return 0

    return asyncio.run(go())


def cmd_user_create(settings: Settings, args: argparse.Namespace) -> int:
    async def action(conn: asyncpg.Connection) -> int:
        async with conn.transaction():
            user = await accounts.create_user(conn, args.email, args.name)
            token = await accounts.create_token(conn, user.id, "cli")
        print(f"created user {user.email} ({user.id})")
        print(token)
        return 0

    return run_with_database(settings, action)


def cmd_token_create(settings: Settings, args: argparse.Namespace) -> int:
    async def action(conn: asyncpg.Connection) -> int:
        user = await accounts.find_user(conn, args.email)
        token = await accounts.create_token(conn, user.id, args.name)
        print(f"new token {args.name!r} for {user.email}")
        print(token)
        return 0

    return run_with_database(settings, action)


def cmd_token_revoke(settings: Settings, args: argparse.Namespace) -> int:
    async def action(conn: asyncpg.Connection) -> int:
        if await accounts.revoke_token(conn, args.token):
            print("revoked")
            return 0
        print("graph-api: error: no live token matches; nothing revoked", file=sys.stderr)
        return 1

    return run_with_database(settings, action)


def cmd_token_list(settings: Settings, args: argparse.Namespace) -> int:
    async def action(conn: asyncpg.Connection) -> int:
        for token in await accounts.list_tokens(conn, args.email):
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "live"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            print(
                f"{token.id}  {token.name:<16} created {token.created_at:%Y-%m-%d %H:%M}  used {used}  {state}"
            )
        return 0

    return run_with_database(settings, action)


def cmd_seed(settings: Settings, args: argparse.Namespace) -> int:
    from graph_api.demo import seed_user

    # the generator holds the whole network in memory: ~550 MB at 50,000 contacts
    if not 0 <= args.contacts <= 200_000:
        raise CliError("--contacts must be between 0 and 200,000")

    async def action(conn: asyncpg.Connection) -> int:
        with seed_progress() as progress:
            report = await seed_user(
                conn, args.email, contacts=args.contacts, seed=args.seed, progress=progress
            )
        rows = (
            report.contacts
            + report.relationships
            + report.interactions
            + report.participants
            + report.interests
            + report.memories
        )
        print(
            f"seeded {args.email}: {report.contacts:,} contacts, {report.relationships:,} relationships, "
            f"{report.interactions:,} interactions, {report.interests:,} interests, "
            f"{report.memories:,} memories in {report.seconds:.1f} s "
            f"({rows / max(report.seconds, 1e-9):,.0f} rows/s)"
        )
        return 0

    return run_with_database(settings, action)


class seed_progress:
    """A rich progress bar, one task per table, as `progress(table, done, total)`."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<26}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=stderr,
        )
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> Callable[[str, int, int], None]:
        self._progress.start()
        return self._update

    def __exit__(self, *_: object) -> None:
        self._progress.stop()

    def _update(self, table: str, done: int, total: int) -> None:
        if table not in self._tasks:
            self._tasks[table] = self._progress.add_task(table, total=total)
        self._progress.update(self._tasks[table], completed=done, total=total)


# --- serving -----------------------------------------------------------------------------


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from aiohttp import web

    from graph_api.app import create_app
    from graph_api.demo import demo_ctx, print_banner
    from graph_api.workers import is_worker, supervise

    if args.no_demo:
        settings = replace(settings, seed_demo=False)
    if not 1 <= args.workers <= 64:
        raise CliError("--workers takes 1 to 64 processes")
    if args.workers > 1 and not is_worker():
        try:
            return supervise(settings, args.workers)
        except OSError as error:
            if error.errno == 98:
                raise CliError(
                    f"port {settings.port} on {settings.host} is already in use; "
                    "stop the other server or set GRAPH_API_PORT"
                ) from None
            raise
    app = create_app(settings)
    if settings.seed_demo:
        app.cleanup_ctx.append(demo_ctx)
    try:
        web.run_app(
            app,
            host=settings.host,
            port=settings.port,
            reuse_port=is_worker() or None,
            print=lambda _: print_banner(app, settings),
            access_log=None,
        )
    except OSError as error:
        if error.errno == 98:
            raise CliError(
                f"port {settings.port} on {settings.host} is already in use; "
                "stop the other server or set GRAPH_API_PORT"
            ) from None
        raise
    return 0


def cmd_reembed(settings: Settings, args: argparse.Namespace) -> int:
    import time

    from graph_api.search.embeddings import LOCAL_MODEL
    from graph_api.search.profiles import count_stale_profiles, embed_profiles
    from graph_api.search.reembed import count_to_embed, reembed
    from graph_api.search.shared import provider_for

    if not 1 <= args.batch_size <= 2048:
        raise CliError("--batch-size must be between 1 and 2048")
    embeddings = settings.embeddings
    if args.model:
        if embeddings.provider == "local" and args.model != LOCAL_MODEL:
            raise CliError(
                f"the local provider has one model, {LOCAL_MODEL}; set GRAPH_API_EMBEDDINGS for another"
            )
        embeddings = replace(embeddings, model=args.model)
    if embeddings.provider == "none":
        raise CliError("GRAPH_API_EMBEDDINGS=none: there is no provider to embed with")

    async def go() -> tuple[int, int, float]:
        url, server = await resolve_database(settings)
        try:
            await apply_migrations(url, settings)
            pool = await create_pool(url, min_size=1, max_size=2, statement_timeout_ms=0)
            provider, owned = await provider_for(embeddings)
            assert provider is not None
            try:
                memories = await count_to_embed(pool, provider.model)
                profiles = await count_stale_profiles(pool, provider.model)
                started = time.perf_counter()
                with Progress(
                    TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=stderr,
                ) as bar:  # fmt: skip
                    memory_task = bar.add_task("memories", total=memories)
                    profile_task = bar.add_task("contact profiles", total=profiles)
                    done = await reembed(
                        pool, provider, batch_size=args.batch_size,
                        progress=lambda n: bar.advance(memory_task, n),
                    )  # fmt: skip
                    profiled = await embed_profiles(
                        pool, provider, batch_size=args.batch_size,
                        progress=lambda n: bar.advance(profile_task, n),
                    )  # fmt: skip
                return done, profiled, time.perf_counter() - started
            finally:
                if owned:
                    await provider.close()
                await pool.close()
        finally:
            if server is not None:
                await asyncio.to_thread(stop_embedded, server)

    done, profiled, seconds = asyncio.run(go())
    rate = (
        f" ({(done + profiled) / seconds:,.0f} texts/s)" if done + profiled and seconds > 0 else ""
    )
    print(f"embedded {done:,} memories and {profiled:,} contact profiles in {seconds:.1f} s{rate}")
    return 0


def cmd_export_graph(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from graph_api.graph.export import contact_labels, export_graph
    from graph_api.graph.load import load_facts
    from graph_api.graph.network import Network

    async def go() -> bytes:
        url, server = await resolve_database(settings)
        try:
            await apply_migrations(url, settings)
            pool = await create_pool(url, min_size=1, max_size=2, statement_timeout_ms=0)
            try:
                async with pool.acquire() as conn:
                    user = await accounts.find_user(conn, args.email)
                _, facts = await load_facts(pool, user.id, datetime.now(UTC))
                labels = await contact_labels(pool, user.id)
            finally:
                await pool.close()
        finally:
            if server is not None:
                await asyncio.to_thread(stop_embedded, server)
        network = Network.build(facts, settings.strength)
        return export_graph(network, labels, args.format)

    data = asyncio.run(go())
    if args.output:
        try:
            with open(args.output, "wb") as file:
                file.write(data)
        except OSError as error:
            raise CliError(f"cannot write {args.output}: {error.strerror}") from None
        print(f"wrote {len(data):,} bytes to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0


IMPORT_FORMATS = {
    "google": "GOOGLE_CSV",
    "linkedin": "LINKEDIN_CSV",
    "outlook": "OUTLOOK_CSV",
    "vcard": "VCARD",
}


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    import os
    import time

    from graph_api.db.tenant import SET_FOR_TRANSACTION
    from graph_api.domain import contact_files, imports
    from graph_api.domain.actor import Actor
    from graph_api.search.profiles import announce_stale

    try:
        size = os.path.getsize(args.file)
        if size > contact_files.MAX_BYTES:
            raise contact_files.too_big(size)
        with open(args.file, "rb") as file:
            data = file.read()
    except OSError as error:
        raise CliError(f"cannot read {args.file}: {error.strerror}") from None
    text, encoding, recoded = contact_files.decode(data)
    file_format = IMPORT_FORMATS[args.format] if args.format else contact_files.guess_format(text)
    if file_format is None:
        raise CliError(
            f"cannot tell the format of {args.file}: pass --format google, linkedin, outlook or vcard"
        )

    async def action(conn: asyncpg.Connection) -> int:
        user = await accounts.find_user(conn, args.email)
        actor = Actor(user_id=user.id, email=user.email, request_id="cli-import")
        started = time.perf_counter()
        with seed_progress() as progress:
            async with conn.transaction():
                await conn.execute(SET_FOR_TRANSACTION, str(user.id))
                report = await imports.import_contacts(
                    conn, actor, file_format, text, dry_run=args.dry_run,
                    encoding=encoding, recoded_lines=recoded, progress=progress,
                )  # fmt: skip
                if not report.dry_run and (report.created or report.updated):
                    # sent as the import commits: a running serve embeds the profiles now
                    await announce_stale(conn, user.id)
        seconds = time.perf_counter() - started
        print_import_report(report, args.file, seconds)
        return 0

    return run_with_database(settings, action)


def print_import_report(report: Any, path: str, seconds: float) -> None:
    verb = "would import" if report.dry_run else "imported"
    rate = report.rows_read / seconds if seconds > 0 else 0.0
    print(
        f"{verb} {path} ({report.format}, {report.encoding}): {report.rows_read:,} rows in "
        f"{seconds:.1f} s ({rate:,.0f} rows/s): {len(report.created):,} created, "
        f"{len(report.updated):,} updated, {len(report.skipped):,} skipped, "
        f"{len(report.refused):,} refused, {len(report.possible_duplicates):,} possible duplicates"
        + (
            f", {report.interactions_created:,} first interactions"
            if report.interactions_created
            else ""
        )
    )
    for refusal in report.refused:
        print(f"  line {refusal.line}: refused: {refusal.reason}")
    for duplicate in report.possible_duplicates:
        print(
            f"  line {duplicate.line}: {duplicate.full_name} may be {duplicate.existing_name} "
            f"({', '.join(duplicate.reasons)}; score {duplicate.score:.2f})"
        )
    if report.dry_run:
        print("dry run: nothing was written")


def cmd_purge(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from graph_api.db.partitions import drop_partitions, ensure_partitions, wholly_before
    from graph_api.db.tenant import SET_FOR_TRANSACTION, all_users
    from graph_api.domain.retention import PurgeReport, purge_user

    # GRAPH_API_AUDIT_RETENTION_DAYS (unset: the trail is kept) and
    # GRAPH_API_DISMISSED_RETENTION_DAYS, read with the other settings
    audit_days = settings.retention.audit_days
    dismissed_days = settings.retention.dismissed_days

    async def action(conn: asyncpg.Connection) -> int:
        now = datetime.now(UTC)
        total = PurgeReport()
        await ensure_partitions(conn, now)
        # months wholly past the retention go as whole partitions, after every user's share
        whole = (
            []
            if audit_days is None
            else await wholly_before(conn, now - timedelta(days=audit_days))
        )
        users = await all_users(conn)
        for user_id in users:
            async with conn.transaction():
                await conn.execute(SET_FOR_TRANSACTION, str(user_id))
                total.add(
                    await purge_user(
                        conn,
                        user_id,
                        now,
                        audit_retention_days=audit_days,
                        notification_retention_days=dismissed_days,
                        dry_run=args.dry_run,
                        audit_dropped_before=whole[-1].ends if whole else None,
                    )
                )
        if whole and not args.dry_run:
            async with conn.transaction():
                await drop_partitions(conn, whole)
        verb = "would delete" if args.dry_run else "deleted"
        kept = "audit rows kept (GRAPH_API_AUDIT_RETENTION_DAYS unset)"
        audit = (
            f"{total.audit_rows:,} audit rows older than {audit_days} days" if audit_days else kept
        )
        print(
            f"{verb} {total.expired_memories:,} expired memories, {audit}, "
            f"{total.dismissed_notifications:,} notifications dismissed over {dismissed_days} days ago "
            f"({len(users):,} users)"
            + (f"; {len(whole)} whole months of audit rows as partitions" if whole else "")
        )
        return 0

    return run_with_database(settings, action)


class _DryRun(Exception):
    """Rolls a dry run's transaction back."""


def cmd_consolidate(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from graph_api.consolidator import ACTOR, after_days
    from graph_api.db.tenant import SET_FOR_TRANSACTION, all_users
    from graph_api.domain.actor import Actor
    from graph_api.domain.consolidation import consolidate_user

    days = args.older_than_days if args.older_than_days is not None else after_days()
    if not 0 <= days <= 36_500:
        print("--older-than-days must be between 0 and 36500", file=sys.stderr)
        return 2

    async def action(conn: asyncpg.Connection) -> int:
        cutoff = datetime.now(UTC) - timedelta(days=days)
        if args.email:
            users = [(await accounts.find_user(conn, args.email)).id]
        else:
            users = await all_users(conn)
        summaries = sources = 0
        for user_id in users:
            actor = Actor(user_id=user_id, email=ACTOR, request_id="cli-consolidate")
            try:
                async with conn.transaction():
                    await conn.execute(SET_FOR_TRANSACTION, str(user_id))
                    done = await consolidate_user(conn, actor, cutoff)
                    summaries += len(done.summaries)
                    sources += done.sources
                    if args.dry_run:
                        raise _DryRun
            except _DryRun:
                pass
        verb = "would consolidate" if args.dry_run else "consolidated"
        print(
            f"{verb} {sources:,} memories older than {days} days into {summaries:,} summaries "
            f"({len(users):,} users)" + ("; dry run: nothing was written" if args.dry_run else "")
        )
        if summaries and not args.dry_run:
            print("the summaries are embedded by a running server's background embedder "
                  "(or `graph-api reembed`); keyword search finds them meanwhile")  # fmt: skip
        return 0

    return run_with_database(settings, action)


def cmd_export_schema(settings: Settings, args: argparse.Namespace) -> int:
    from graph_api.schema import export_sdl

    sys.stdout.write(export_sdl())
    return 0


DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown")

CONTACTS_BY_EMAIL = """-- contacts_by_email
    select id, lower(email) as email
      from contacts
     where user_id = $1 and lower(email) = any($2::text[])"""


def document_title(text: str, fallback: str) -> str:
    """A document's first Markdown heading, else `fallback`."""
    for line in text.splitlines():
        if line.lstrip().startswith("#") and line.lstrip("# ").strip():
            return line.lstrip("# ").strip()[:200]
    return fallback[:200]


def cmd_import_document(settings: Settings, args: argparse.Namespace) -> int:
    import os
    import time

    from graph_api.db.tenant import write_transaction
    from graph_api.domain import documents
    from graph_api.domain.actor import Actor
    from graph_api.ids import global_id
    from graph_api.search.chunking import chunk_text
    from graph_api.search.chunks import embed_pending_chunks
    from graph_api.search.shared import provider_for

    if not args.file.lower().endswith(DOCUMENT_SUFFIXES):
        raise CliError(f"import-document reads .txt and .md files, not {args.file}")
    try:
        if os.path.getsize(args.file) > documents.CONTENT_MAX * 4:
            raise CliError(
                f"{args.file} is larger than a document may be "
                f"({documents.CONTENT_MAX:,} characters): split it"
            )
        with open(args.file, "rb") as file:
            data = file.read()
    except OSError as error:
        raise CliError(f"cannot read {args.file}: {error.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CliError(f"{args.file} is not UTF-8 text") from None
    title = args.title or document_title(text, os.path.splitext(os.path.basename(args.file))[0])

    async def go() -> int:
        url, server = await resolve_database(settings)
        try:
            await apply_migrations(url, settings)
            pool = await create_pool(url, min_size=1, max_size=2, statement_timeout_ms=0)
            try:
                async with pool.acquire() as conn:
                    user = await accounts.find_user(conn, args.email)
                actor = Actor(user_id=user.id, email=user.email, request_id="cli-import-document")
                wanted = [email.strip().lower() for email in args.contact]

                async def write(conn: asyncpg.Connection) -> tuple[Any, int]:
                    found = {
                        row["email"]: row["id"]
                        for row in await conn.fetch(CONTACTS_BY_EMAIL, user.id, wanted)
                    }
                    missing = [email for email in wanted if email not in found]
                    if missing:
                        raise CliError(f"no contact of {user.email} has the email {missing[0]}")
                    row = await documents.create_document(
                        conn, actor, title=title, content=text, chunker=chunk_text,
                        contact_ids=list(dict.fromkeys(found[email] for email in wanted)),
                        tags=args.tag, type=args.type, source="import",
                    )  # fmt: skip
                    chunks = await conn.fetchval(
                        "select count(*) from document_chunks where user_id = $1 and document_id = $2",
                        user.id, row["id"],
                    )  # fmt: skip
                    return row, chunks

                row, chunks = await write_transaction(pool, user.id, write)
                print(
                    f"imported {args.file} as {title!r}: {len(row['content']):,} characters in "
                    f"{chunks:,} chunks ({global_id('Document', row['id'])})"
                )
                if settings.embeddings.provider == "none":
                    print(
                        "GRAPH_API_EMBEDDINGS=none: the chunks wait for a provider "
                        "(keyword search finds them)"
                    )
                    return 0
                started = time.perf_counter()
                provider, owned = await provider_for(settings.embeddings)
                assert provider is not None
                try:
                    embedded = await embed_pending_chunks(pool, provider, user_ids=[user.id])
                except EmbeddingError as error:
                    print(f"the chunks stay pending (the server embeds them later): {error}")
                    return 0
                finally:
                    if owned:
                        await provider.close()
                print(f"embedded {embedded:,} chunks in {time.perf_counter() - started:.1f} s")
                return 0
            finally:
                await pool.close()
        finally:
            if server is not None:
                await asyncio.to_thread(stop_embedded, server)

    return asyncio.run(go())
