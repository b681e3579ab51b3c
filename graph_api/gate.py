"""The one way in: every GraphQL request — POST or GET — and every other endpoint
that reads a user's data passes the same steps, cheapest first:

1. the request itself (method, content type, size, JSON that parses to the
   GraphQL-over-HTTP parameters): refused before any database work;
2. who is asking (`Authenticator`) and the rate limit, keyed by the token's id
   for a valid token and by the client address otherwise; looking a token up in
   the database has a budget per address of its own (anonymous traffic does not
   lock a valid token out, a flood of made-up tokens costs a bounded number of
   lookups);
3. the document, prepared once (`Documents`: parse, shape, validation) and the
   limits for these variables;
4. execution under a deadline, with errors given their codes in one place
   (`error_codes`), and an answer in the media type the client asked for
   (`application/graphql-response+json` gets 4xx for request errors, as the
   GraphQL-over-HTTP spec says; plain `application/json` keeps 200).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web
from graphql import ExecutionResult, GraphQLError, OperationDefinitionNode, execute
from strawberry.execution import optimized_is_awaitable
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema import Schema

from graph_api import accounts, limits, tracing
from graph_api.auth import Authenticator, Credentials
from graph_api.documents import Documents, Prepared, RequestError, is_mutation, is_subscription
from graph_api.error_codes import coded, with_codes
from graph_api.errors import DeadlineExceeded, ServiceUnavailable, Unauthenticated
from graph_api.execution.compiled import Plan
from graph_api.http_errors import json_error
from graph_api.keys import COST, OPERATION, REQUEST_ID, USER_ID
from graph_api.persisted import PersistedQueries
from graph_api.rate_limit import RateLimiter

logger = logging.getLogger("graph_api")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
RETRY_AFTER_UNAVAILABLE = "1"
OVER_THE_WEBSOCKET = "subscriptions run over the WebSocket at /graphql (graphql-transport-ws)"


@dataclass(frozen=True)
class Admission:
    """A request let in: who it is (None when anonymous or refused) and why not."""

    viewer: accounts.Viewer | None
    failure: Unauthenticated | ServiceUnavailable | None


class Refusal(Exception):
    """A request stopped at the gate, with its HTTP answer."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response

    @property
    def errors(self) -> list[dict[str, Any]]:
        """The answer's errors (each with its code), for a way in that is not HTTP."""
        assert isinstance(self.response.body, bytes)
        errors: list[dict[str, Any]] = orjson.loads(self.response.body)["errors"]
        return errors


class Gate:
    def __init__(
        self,
        authenticator: Authenticator,
        limiter: RateLimiter | None,
    ) -> None:
        self.authenticator = authenticator
        self.limiter = limiter

    async def admit(
        self, request: web.Request, media_type: str = JSON, authorization: str | None = None
    ) -> Admission:
        """Authenticate and count the request; raises Refusal when over budget.

        `authorization` stands for the request's header where a client cannot set one
        (a browser's WebSocket sends it in `connection_init`)."""
        credentials = Credentials.of(authorization or request.headers.get("Authorization"))
        address = f"address:{request.remote}"
        known, _ = self.authenticator.cached(credentials)
        if not known:
            # a token only the database can judge: lookups have a budget of their own
            # per address, so a flood of made-up tokens costs at most that many
            self._count(f"lookup:{request.remote}", media_type)
        found, failure = await self.authenticator.viewer(credentials)
        self._count(f"token:{found.token_id}" if found is not None else address, media_type)
        if found is not None:
            request[USER_ID] = str(found.id)
        return Admission(found, failure)

    def _count(self, caller: str, media_type: str) -> None:
        if self.limiter is None:
            return
        wait = self.limiter.allow(caller)
        if wait is not None:
            raise Refusal(
                json_error(
                    429,
                    f"too many requests; retry in {wait} s",
                    "RATE_LIMITED",
                    headers={"Retry-After": str(wait)},
                    content_type=media_type,
                    retryAfter=wait,
                )
            )


ContextFactory = Callable[[web.Request, Admission], Any]


class GraphQLEndpoint:
    """`/graphql`: GraphQL over HTTP, POST and GET, and the GraphiQL page."""

    def __init__(
        self,
        schema: Schema,
        gate: Callable[[web.Request], Gate],
        make_context: ContextFactory,
        *,
        introspection: bool,
        graphiql: bool,
        max_body_bytes: int,
        deadline_seconds: float,
        persisted: PersistedQueries | None = None,
    ) -> None:
        self.schema = schema
        self.gate = gate
        self.make_context = make_context
        self.documents = Documents(schema._schema, introspection=introspection)
        self.persisted = persisted if persisted is not None else PersistedQueries()
        self.graphiql = graphiql
        self.max_body_bytes = max_body_bytes
        self.deadline_seconds = deadline_seconds
        # queries run on compiled plans where one covers them (graph_api.execution)
        self.compiled = True
        # and, within them, the reads compiled to SQL (graph_api.execution.sql)
        self.compiled_sql = True

    async def handle(self, request: web.Request) -> web.StreamResponse:
        media_type = _media_type(request.headers.get("Accept", ""))
        try:
            if request.method == "GET" and not {"query", "extensions"} & request.query.keys():
                return self._page(request)
            if request.method not in {"GET", "POST"}:
                raise Refusal(
                    json_error(
                        405, "GraphQL takes GET or POST", headers={"Allow": "GET, POST"},
                        content_type=media_type,
                    )
                )  # fmt: skip
            params = await self._params(request, media_type)
            admission = await self.gate(request).admit(request, media_type)
            return await self._run(request, params, admission, media_type)
        except Refusal as refusal:
            return refusal.response

    def _page(self, request: web.Request) -> web.StreamResponse:
        if self.graphiql and "text/html" in request.headers.get("Accept", ""):
            return web.Response(text=get_graphql_ide_html("graphiql"), content_type="text/html")
        raise Refusal(json_error(400, "a GraphQL request needs a query", "BAD_REQUEST"))

    async def _params(self, request: web.Request, media_type: str) -> dict[str, Any]:
        def bad(message: str, status: int = 400) -> Refusal:
            return Refusal(json_error(status, message, content_type=media_type))

        if request.method == "GET":
            given = request.query
            params: dict[str, Any] = {
                "query": given.get("query"),
                "operationName": given.get("operationName") or None,
                "variables": _json_param(given.get("variables"), "variables", bad),
                "extensions": _json_param(given.get("extensions"), "extensions", bad),
            }
        else:
            if request.content_type not in {JSON, GRAPHQL_RESPONSE}:
                raise bad("the body must be application/json", 415)
            if (request.content_length or 0) > self.max_body_bytes:
                raise bad(f"the body is larger than {self.max_body_bytes:,} bytes", 413)
            try:
                raw = await request.read()
            except web.HTTPRequestEntityTooLarge:
                raise bad(f"the body is larger than {self.max_body_bytes:,} bytes", 413) from None
            try:
                params = orjson.loads(raw)
            except orjson.JSONDecodeError as error:
                raise bad(f"the body is not JSON: {_json_reason(error)}") from None
            if not isinstance(params, dict):
                raise bad("the body must be a JSON object with a query")
        return _checked(params, bad)

    async def _run(
        self,
        request: web.Request,
        params: dict[str, Any],
        admission: Admission,
        media_type: str,
    ) -> web.Response:
        variables = params.get("variables") or {}
        operation_name = params.get("operationName")
        try:
            prepared, operation = self.prepare(params)
            request[OPERATION] = operation.name.value if operation.name else ""
            if request.method == "GET" and is_mutation(operation):
                raise RequestError([GraphQLError("mutations take POST")], status=405)
            # the fan-out measured: every answer reports it (extensions.cost)
            request[COST] = prepared.check_limits(operation_name, variables, self.documents.bounds)
            if is_subscription(operation):
                raise RequestError([GraphQLError(OVER_THE_WEBSOCKET)])
        except RequestError as error:
            return self._request_error(request, error, media_type)
        context = self.make_context(request, admission)
        try:
            result = await self.execute(context, prepared, operation, variables, operation_name)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # the request itself is cancelled (the client went away)
            # a cancellation that escaped a resolver: a bug of ours, never a dropped answer
            logger.exception("execution cancelled from within (request %s)", request[REQUEST_ID])
            return _errors(500, coded(None, request[REQUEST_ID]), media_type)
        except TimeoutError:
            deadline = coded(DeadlineExceeded(self.deadline_seconds), request[REQUEST_ID])
            return _errors(504, deadline, media_type)
        return self._response(request, result, media_type)

    def prepare(self, params: dict[str, Any]) -> tuple[Prepared, OperationDefinitionNode]:
        """The request's document (a persisted one by its hash) prepared, and the
        operation it names; RequestError when it cannot run."""
        query, learn = self.persisted.resolve(params.get("query"), params.get("extensions"))
        prepared = self.documents.prepare(query)
        if learn is not None:  # valid: worth remembering by its hash
            self.persisted.remember(learn, query)
        return prepared, prepared.operation(params.get("operationName"))

    async def execute(
        self,
        context: Any,
        prepared: Prepared,
        operation: OperationDefinitionNode,
        variables: dict[str, Any],
        operation_name: str | None,
    ) -> ExecutionResult:
        """A query or mutation, on its compiled plan when one covers it, under the
        deadline (TimeoutError past it)."""
        plan = prepared.plan(self.documents.schema, operation) if self.compiled else None
        name = operation.name.value if operation.name else None
        with tracing.operation_span(
            operation.operation.value, name, "generic" if plan is None else "compiled"
        ):
            return await self._execute(context, prepared, plan, variables, operation_name)

    async def _execute(
        self,
        context: Any,
        prepared: Prepared,
        plan: Plan | None,
        variables: dict[str, Any],
        operation_name: str | None,
    ) -> ExecutionResult:
        async with asyncio.timeout(self.deadline_seconds):
            if plan is not None:
                return await plan.execute(context, variables, sql=self.compiled_sql)
            outcome = execute(
                self.schema._schema,
                prepared.document,
                context_value=context,
                variable_values=variables,
                operation_name=operation_name,
                executor_class=self.schema.execution_context_class,
                is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            )
            return await outcome if isinstance(outcome, Awaitable) else outcome

    def _request_error(
        self, request: web.Request, error: RequestError, media_type: str
    ) -> web.Response:
        errors = with_codes(error.errors, request[REQUEST_ID])
        body = orjson.dumps({"errors": [e.formatted for e in errors]})
        status = error.status if media_type == GRAPHQL_RESPONSE or error.status != 400 else 200
        headers = {"Allow": "POST"} if error.status == 405 else error.headers
        return web.Response(
            status=status, body=body, content_type=media_type, charset="utf-8", headers=headers
        )

    def _response(
        self, request: web.Request, result: ExecutionResult, media_type: str
    ) -> web.Response:
        status, headers = 200, None
        if result.errors:
            errors = with_codes(result.errors, request[REQUEST_ID])
            if result.data is None and all(not e.path for e in errors):
                # variables that did not coerce: a request error, nothing ran
                if media_type == GRAPHQL_RESPONSE:
                    status = 400
                body = orjson.dumps(
                    {"errors": [e.formatted for e in errors], "extensions": _cost(request)}
                )
                return web.Response(
                    status=status, body=body, content_type=media_type, charset="utf-8"
                )
            codes = {(e.extensions or {}).get("code") for e in errors}
            if "SERVICE_UNAVAILABLE" in codes:
                status, headers = 503, {"Retry-After": RETRY_AFTER_UNAVAILABLE}
            body = orjson.dumps(
                {
                    "data": result.data,
                    "errors": [e.formatted for e in errors],
                    "extensions": _cost(request),
                }
            )
        else:
            body = orjson.dumps({"data": result.data, "extensions": _cost(request)})
        return web.Response(
            status=status, body=body, content_type=media_type, charset="utf-8", headers=headers
        )


def _errors(status: int, error: GraphQLError, media_type: str) -> web.Response:
    body = orjson.dumps({"errors": [error.formatted]})
    return web.Response(status=status, body=body, content_type=media_type, charset="utf-8")


def _cost(request: web.Request) -> dict[str, Any]:
    """What the operation could fan out to, and the most it may (clients see the margin)."""
    return {"cost": {"fanOut": request.get(COST), "limit": limits.MAX_COST}}


@functools.lru_cache(maxsize=128)  # clients send few distinct Accept headers
def _media_type(accept: str) -> str:
    """graphql-response+json when the client prefers it to plain JSON (by q-value,
    then by order), else JSON."""
    best: dict[str, tuple[float, int]] = {}
    for position, part in enumerate(accept.split(",")):
        kind, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        kind = kind.lower()
        if kind in {GRAPHQL_RESPONSE, JSON} and kind not in best:
            best[kind] = (quality, -position)
    wanted = best.get(GRAPHQL_RESPONSE)
    if wanted is None or wanted[0] <= 0:
        return JSON
    plain = best.get(JSON)
    return GRAPHQL_RESPONSE if plain is None or wanted > plain else JSON


def _checked(params: dict[str, Any], bad: Callable[[str], Refusal]) -> dict[str, Any]:
    """The GraphQL-over-HTTP parameters' types (a query may be left out for a
    persisted one, `extensions.persistedQuery`)."""
    query = params.get("query")
    extensions = params.get("extensions")
    if not isinstance(extensions, dict | None):
        raise bad("extensions must be a JSON object")
    persisted = extensions is not None and "persistedQuery" in extensions
    if not (isinstance(query, str) and query.strip()) and not (persisted and query is None):
        raise bad("the request needs a query: a non-empty string")
    if not isinstance(params.get("operationName"), str | None):
        raise bad("operationName must be a string")
    if not isinstance(params.get("variables"), dict | None):
        raise bad("variables must be a JSON object")
    return params


def _json_param(raw: str | None, name: str, bad: Callable[[str], Refusal]) -> Any:
    if raw is None or raw == "":
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise bad(f"{name} must be JSON") from None


def _json_reason(error: orjson.JSONDecodeError) -> str:
    message = str(error)
    if "depth limit" in message.lower() or "recursion" in message.lower():
        return "nested too deeply"
    if "utf-8" in message.lower():
        return "not valid UTF-8"
    return message.split(":", 1)[0]


__all__ = ["Admission", "Gate", "GraphQLEndpoint", "Refusal"]
