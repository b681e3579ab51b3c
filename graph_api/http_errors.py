"""Every error a client sees over HTTP is JSON with `extensions.code`: the answers
our handlers give, aiohttp's own (404, 405, 413) and the ones its HTTP parser writes
before any handler runs (a malformed request line, an oversized header).

aiohttp has no hook for the parser's answers, and its text echoes the first
hundred bytes of the offending header (a bearer token, say) into the response and
the log; `install_parser_errors` replaces that one method of its request handler.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

import orjson
from aiohttp import web, web_protocol
from aiohttp.http_exceptions import LineTooLong

from graph_api.error_codes import INTERNAL_MESSAGE
from graph_api.keys import REQUEST_ID

logger = logging.getLogger("graph_api")

JSON = "application/json"

# the codes of HTTP-level refusals, by status
STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    414: "URI_TOO_LONG",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
    431: "HEADERS_TOO_LARGE",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
    504: "TIMEOUT",
}

# the start of a request line's target (`/graphql?…`), as LineTooLong quotes it
REQUEST_LINE = re.compile(rb"^(?:[A-Z]{3,10} )?/")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_body(message: str, code: str, **extensions: Any) -> bytes:
    return orjson.dumps(
        {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    )


def json_error(
    status: int,
    message: str,
    code: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    content_type: str = JSON,
    **extensions: Any,
) -> web.Response:
    return web.Response(
        status=status,
        body=error_body(message, code or STATUS_CODES.get(status, "BAD_REQUEST"), **extensions),
        content_type=content_type,
        charset="utf-8",
        headers=headers,
    )


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp's HTTP exceptions and anything unexpected, as JSON errors."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        headers = {k: v for k, v in error.headers.items() if k in {"Allow", "Retry-After"}}
        return json_error(error.status, _phrase(error.status), headers=headers)
    except Exception:
        request_id = request.get(REQUEST_ID)
        logger.exception("unexpected error (request %s)", request_id)
        return json_error(500, INTERNAL_MESSAGE, requestId=request_id)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _parser_error(
    self: web_protocol.RequestHandler,
    request: Any,
    status: int = 500,
    exc: BaseException | None = None,
    message: str | None = None,
) -> web.StreamResponse:
    # what aiohttp logs and answers names the offending bytes: say only what kind it was
    logger.info("refused a malformed HTTP request (%s): %s", status, type(exc).__name__)
    if request.writer.output_size > 0:
        raise ConnectionError("response already started; cannot send an error")
    if isinstance(exc, LineTooLong) and REQUEST_LINE.match(bytes(exc.args[0])[:20]):
        status, text = 414, "the request's URL is too long; send the query by POST"
    elif isinstance(exc, LineTooLong):
        status, text = 431, "a request header is too large"
    elif status == 500:
        text = INTERNAL_MESSAGE
    else:
        text = f"malformed HTTP request ({_phrase(status)})"
    response = json_error(status, text)
    response.force_close()
    return response


def install_parser_errors() -> None:
    web_protocol.RequestHandler.handle_error = _parser_error  # type: ignore[method-assign]
