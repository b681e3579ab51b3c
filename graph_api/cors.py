"""CORS for the browser origins `GRAPH_API_CORS_ORIGINS` names, by `aiohttp-cors`.

Clients authenticate with a bearer token in `Authorization`, a header a preflight
must allow, not a credential in CORS's sense (cookies, HTTP authentication): so
credentials stay off unless `GRAPH_API_CORS_CREDENTIALS` asks, and never for any
origin (`*`), which would let every site send them. A preflight that is refused is
403 with a JSON body and `extensions.code` like every other refusal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

import aiohttp_cors
from aiohttp import hdrs, web

from graph_api.http_errors import json_error

ALLOWED_HEADERS = (
    "Accept",
    "Authorization",
    "Content-Type",
    "X-Request-Id",
    "traceparent",
    "tracestate",
)
EXPOSED_HEADERS = ("X-Request-Id", "Retry-After")
ALLOWED_METHODS = ("GET", "POST")
# how long a browser may reuse a preflight's answer
MAX_AGE_SECONDS = 600

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def enable_cors(
    app: web.Application,
    resources: Iterable[web.Resource],
    origins: tuple[str, ...],
    *,
    credentials: bool,
) -> None:
    """Answer preflights on `resources` and label their answers for `origins`.

    Call before the resources get their routes: the preflight route must come first,
    ahead of a route for every method.
    """
    options = aiohttp_cors.ResourceOptions(  # type: ignore[no-untyped-call]
        allow_credentials=credentials,
        expose_headers=EXPOSED_HEADERS,
        allow_headers=ALLOWED_HEADERS,
        allow_methods=ALLOWED_METHODS,
        max_age=MAX_AGE_SECONDS,
    )
    cors = aiohttp_cors.setup(app, defaults={origin: options for origin in origins})
    for resource in resources:
        cors.add(resource)
    app.on_response_prepare.append(_vary_on_origin)


async def _vary_on_origin(request: web.Request, response: web.StreamResponse) -> None:
    # the answer depends on the Origin header: a shared cache must keep one per origin
    if request.headers.get(hdrs.ORIGIN) is not None:
        vary = response.headers.get(hdrs.VARY)
        if vary is None:
            response.headers[hdrs.VARY] = hdrs.ORIGIN
        elif "origin" not in vary.lower():
            response.headers[hdrs.VARY] = f"{vary}, {hdrs.ORIGIN}"


@web.middleware
async def preflight_refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp-cors refuses a preflight with a plain-text 403: give it our JSON shape."""
    try:
        return await handler(request)
    except web.HTTPForbidden as refusal:
        if request.method != hdrs.METH_OPTIONS:
            raise
        return json_error(403, refusal.text or "CORS preflight refused", "FORBIDDEN")
