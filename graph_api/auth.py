"""Who is asking: the bearer token of an HTTP request, checked against the database."""

from __future__ import annotations

import logging

import asyncpg
from aiohttp import web

from graph_api import accounts
from graph_api.db.errors import CONNECTION_ERRORS
from graph_api.errors import ServiceUnavailable, Unauthenticated
from graph_api.keys import REQUEST_ID

logger = logging.getLogger("graph_api")


async def authenticate_request(
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
