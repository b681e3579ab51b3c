"""The one place where errors become GraphQL errors with `extensions.code`.

Domain errors keep their message and gain their code (and the offending field);
parse and validation errors are the client's (`BAD_USER_INPUT`); anything else is
logged with the request id and masked: no SQL and no stack trace reach a client.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph_api.db.errors import CONNECTION_ERRORS
from graph_api.errors import DomainError

logger = logging.getLogger("graph_api.errors")

INTERNAL_MESSAGE = "Internal server error; quote the request id when reporting it."


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not getattr(result, "errors", None):
            return
        request_id = getattr(self.execution_context.context, "request_id", None)
        result.errors = [_with_code(error, request_id) for error in result.errors]


def _with_code(error: GraphQLError, request_id: str | None) -> GraphQLError:
    if error.extensions and "code" in error.extensions:
        return error
    original = error.original_error
    if isinstance(original, DomainError):
        extensions: dict[str, object] = {"code": original.code}
        if original.field is not None:
            extensions["field"] = original.field
        return _rebuild(error, original.message, extensions)
    if isinstance(original, CONNECTION_ERRORS):
        logger.warning("database unavailable (request %s): %s", request_id, original)
        return _rebuild(
            error,
            "The database is unavailable; try again shortly.",
            {"code": "SERVICE_UNAVAILABLE", "requestId": request_id},
        )
    if original is None:
        return _rebuild(error, error.message, {"code": "BAD_USER_INPUT"})
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
