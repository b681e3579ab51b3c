"""The one place where errors become GraphQL errors with `extensions.code`, shared by
every transport: the HTTP endpoint (`graph_api.gate`) and the WebSocket
(`graph_api.websocket`) pass every result's errors through `with_codes`, and the errors
a transport raises itself (a deadline, too many operations, a revoked token, a bug)
through `coded`, so a code is decided here whichever way the request came in.

A function rather than a Strawberry schema extension: the gate runs documents on
compiled plans (`graph_api.execution`) or with graphql-core's `execute`, neither of
which calls Strawberry's extension hooks, and the request errors raised before
execution (parse, validation, limits) need the same codes.

Domain errors keep their message and gain their code (and the offending field);
parse and validation errors are the client's (`BAD_USER_INPUT`); anything else is
logged with the request id and masked: no SQL and no stack trace reach a client.
"""

from __future__ import annotations

import logging

import asyncpg
from graphql import GraphQLError

from graph_api.db.errors import CONNECTION_ERRORS
from graph_api.db.tenant import TransactionConflict
from graph_api.errors import DomainError

logger = logging.getLogger("graph_api.errors")

INTERNAL_MESSAGE = "Internal server error; quote the request id when reporting it."


def with_codes(errors: list[GraphQLError], request_id: str | None) -> list[GraphQLError]:
    return [_with_code(error, request_id) for error in errors]


def coded(error: Exception | None, request_id: str | None) -> GraphQLError:
    """A transport's own error (a `DomainError`, or None for a bug it caught and logged)
    as the client sees it."""
    if error is None:
        return _rebuild(
            GraphQLError(INTERNAL_MESSAGE),
            INTERNAL_MESSAGE,
            {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )
    return _with_code(GraphQLError(str(error), original_error=error), request_id)


def _with_code(error: GraphQLError, request_id: str | None) -> GraphQLError:
    if error.extensions and "code" in error.extensions:
        return error
    original = error.original_error
    if isinstance(original, DomainError):
        extensions: dict[str, object] = {"code": original.code}
        if original.field is not None:
            extensions["field"] = original.field
        return _rebuild(error, original.message, extensions)
    if isinstance(original, TransactionConflict):
        # every attempt rolled back: nothing was written, and trying again may well work
        return _rebuild(
            error,
            "The write collided with concurrent writes and was not made; try again.",
            {"code": "CONFLICT", "retryable": True},
        )
    if isinstance(original, asyncpg.QueryCanceledError):
        # our statement_timeout (or an operator's cancel): retrying the same request
        # will likely time out again, so it is not SERVICE_UNAVAILABLE
        logger.warning("statement cancelled (request %s): %s", request_id, original)
        return _rebuild(
            error,
            "The request took too long in the database; ask for less (smaller pages, fewer levels).",
            {"code": "TIMEOUT", "requestId": request_id},
        )
    if isinstance(original, CONNECTION_ERRORS):
        logger.warning("database unavailable (request %s): %s", request_id, original)
        return _rebuild(
            error,
            "The database is unavailable; try again shortly.",
            {"code": "SERVICE_UNAVAILABLE", "requestId": request_id},
        )
    # graphql-core's own: parse, validation and variable coercion (e.g. NaN for a Float)
    if original is None or isinstance(original, GraphQLError):
        # suggestions would tell a stranger the schema even with introspection off
        message = error.message.split(" Did you mean", 1)[0]
        return _rebuild(error, message, {"code": "BAD_USER_INPUT"})
    # anything else, a database DataError included: the domain checks every value a
    # client sends, so a value the database refuses is a bug of ours, not their input
    logger.error(
        "unexpected error (request %s) at %s",
        request_id,
        ".".join(map(str, error.path or [])),
        exc_info=original,
    )
    return _rebuild(
        error, INTERNAL_MESSAGE, {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    )


def _rebuild(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )
