"""HTTP beside GraphQL: middlewares, health checks, and the graph export."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web

from graph_api.auth import authenticate_request
from graph_api.db.errors import CONNECTION_ERRORS
from graph_api.error_codes import INTERNAL_MESSAGE
from graph_api.errors import ServiceUnavailable
from graph_api.graph.export import FORMATS as EXPORT_FORMATS
from graph_api.graph.export import contact_labels, export_graph
from graph_api.keys import GRAPHS, POOL, REQUEST_ID
from graph_api.rate_limit import RateLimiter

logger = logging.getLogger("graph_api")

READY_TIMEOUT_SECONDS = 2.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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
    viewer, failure = await authenticate_request(request, pool)
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
