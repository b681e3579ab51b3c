"""HTTP beside GraphQL: middlewares, health checks, and the graph export."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable

import asyncpg
import orjson
from aiohttp import web

from graph_api.db.errors import CONNECTION_ERRORS
from graph_api.db.pool import connect
from graph_api.error_codes import INTERNAL_MESSAGE
from graph_api.errors import ServiceUnavailable
from graph_api.gate import Refusal
from graph_api.graph.export import FORMATS as EXPORT_FORMATS
from graph_api.graph.export import contact_labels, export_graph
from graph_api.http_errors import json_error
from graph_api.keys import DATABASE_URL, GATE, GRAPHS, POOL, READY_PROBE, REQUEST_ID, SEARCH

logger = logging.getLogger("graph_api")

READY_TIMEOUT_SECONDS = 2.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    supplied = request.headers.get("X-Request-Id", "")
    request_id = (
        supplied if 0 < len(supplied) <= 64 and supplied.isprintable() else os.urandom(16).hex()
    )
    request[REQUEST_ID] = request_id
    response = await handler(request)
    response.headers["X-Request-Id"] = request_id
    return response


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"}, dumps=_dumps)


async def readyz(request: web.Request) -> web.Response:
    """Ready when the database answers, on a connection of its own (a busy pool must
    not make a healthy process look dead); each component's state in the JSON."""
    app = request.app
    database = "ok"
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            await app[READY_PROBE].check(app[DATABASE_URL])
    except Exception:  # whatever the cause, this process cannot serve data now
        logger.warning("readiness check failed", exc_info=True)
        database = "unreachable"
    search = app[SEARCH]
    if search.embedder is None and not search.configured:
        embeddings = "off"
    elif not search.ready.is_set():
        embeddings = "loading"
    else:
        embeddings = "ready" if search.embedder is not None else "unavailable"
    graphs = app[GRAPHS]
    body = {
        "status": "ready" if database == "ok" else "unavailable",
        "database": database,
        "embeddings": embeddings,
        "graphCache": {"builds": graphs.builds, "updates": graphs.updates},
    }
    return web.json_response(body, status=200 if database == "ok" else 503, dumps=_dumps)


class ReadyProbe:
    """A connection of /readyz's own, opened on first use and again after a failure."""

    def __init__(self) -> None:
        self._conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    async def check(self, url: str) -> None:
        async with self._lock:
            if self._conn is None or self._conn.is_closed():
                self._conn = await connect(url)
            try:
                await self._conn.fetchval("select 1")
            except BaseException:
                self._conn.terminate()
                self._conn = None
                raise

    async def close(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()


async def graph_export(request: web.Request) -> web.Response:
    """GET /graph/export?format=graphml|gexf with a bearer token: the user's network."""
    fmt = request.query.get("format", "graphml")
    if fmt not in EXPORT_FORMATS:
        return json_error(400, "format must be graphml or gexf", "BAD_USER_INPUT", field="format")
    pool = request.app[POOL]
    try:
        admission = await request.app[GATE].admit(request)
    except Refusal as refusal:
        return refusal.response
    viewer, failure = admission.viewer, admission.failure
    if viewer is None:
        assert failure is not None
        status = 503 if isinstance(failure, ServiceUnavailable) else 401
        return json_error(status, failure.message, failure.code)
    try:
        network = await request.app[GRAPHS].get(viewer.id)
        labels = await contact_labels(pool, viewer.id)
        body = await asyncio.to_thread(export_graph, network, labels, fmt)
    except CONNECTION_ERRORS:
        return json_error(
            503, "the database is unavailable; try again shortly", "SERVICE_UNAVAILABLE",
            headers={"Retry-After": "1"},
        )  # fmt: skip
    except Exception:
        logger.exception("graph export failed (request %s)", request[REQUEST_ID])
        return json_error(500, INTERNAL_MESSAGE, requestId=request[REQUEST_ID])
    return web.Response(
        body=body,
        content_type=EXPORT_FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="network.{fmt}"'},
    )


def _dumps(data: object) -> str:
    return orjson.dumps(data).decode()
