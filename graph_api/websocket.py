"""GraphQL over a WebSocket at `/graphql`: the `graphql-transport-ws` protocol
(the graphql-ws library's, which GraphiQL and Apollo Client speak), written here on
aiohttp's `WebSocketResponse`, through the same gate as HTTP.

Why not Strawberry's handler (`strawberry.subscriptions.protocols.graphql_transport_ws`):
it parses and validates each operation itself (`Schema.stream`), so neither the
gate's document preparation and limits (`Documents.prepare`, `Prepared.check_limits`)
nor its rate limit, persisted queries or error codes would apply, which is exactly
how the last WebSocket route bypassed the gate; making it go through them means
overriding most of what it does. The protocol itself is small, so this module keeps
every step in view:

- `connection_init`: its payload's `Authorization` (what a browser cannot put in the
  upgrade request's headers; the header is the fallback) goes through `Gate.admit`:
  the rate limit and the token, as an HTTP request's would. A refusal closes with the
  protocol's code and the error's code first in the reason (`4429 RATE_LIMITED: …`).
  A missing or bad token is not refused there, as over HTTP: each operation then gets
  the same `UNAUTHENTICATED` error an HTTP request would.
- `subscribe`: every operation, queries and mutations included, is admitted again (rate
  limit, token), prepared (a persisted one by its hash), limited, and answered with the
  gate's error codes; `error` for a request error, `next` then `complete` otherwise.
  Subscriptions read their user's events (`graph_api.live`); each event runs the
  operation's selection afresh (new loaders) and carries `extensions.cost`.
- A revoked token (the `token_revoked` notification, or the periodic re-check that
  covers a lost one) ends the connection's operations with `UNAUTHENTICATED`.
- A subscriber that falls `FEED_CAPACITY` events behind (a client that stops reading)
  is disconnected (`1013`, try again later), never buffered without bound.
- Malformed messages close with `4400`, as the protocol says; a subscribe before the
  acknowledgement `4401`, a duplicate id `4409`, a second `connection_init` `4429`,
  no `connection_init` within `CONNECTION_INIT_SECONDS` `4408`, another subprotocol `4406`.

The bearer token travels in a message, never a cookie, so another site's page gains
nothing by opening this socket (no ambient credentials): the Origin is not checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterable, Callable
from typing import Any

import orjson
from aiohttp import WSMsgType, web
from graphql import (
    ExecutionResult,
    GraphQLError,
    create_source_event_stream,
    located_error,
    map_source_to_response_event,
)
from graphql.execution import Executor

from graph_api import limits
from graph_api.auth import Credentials
from graph_api.context import Context
from graph_api.documents import RequestError, is_subscription
from graph_api.error_codes import coded, with_codes
from graph_api.errors import DeadlineExceeded, TooManyOperations, Unauthenticated
from graph_api.gate import Admission, Gate, GraphQLEndpoint, Refusal
from graph_api.keys import REQUEST_ID
from graph_api.live import EventHub, LiveSession, TooSlow

logger = logging.getLogger("graph_api.websocket")

PROTOCOL = "graphql-transport-ws"
CONNECTION_INIT_SECONDS = 10.0
# operations in flight on one connection (subscriptions, mostly)
MAX_OPERATIONS = 100
# how often a connection's token is checked again, should a revocation be missed
REVALIDATE_SECONDS = 30.0
# how long a close may wait on a client that does not read before the socket is cut
CLOSE_SECONDS = 2.0
HEARTBEAT_SECONDS = 30.0

BAD_REQUEST = 4400
UNAUTHORIZED = 4401
FORBIDDEN = 4403
SUBPROTOCOL_NOT_ACCEPTABLE = 4406
INIT_TIMEOUT = 4408
SUBSCRIBER_EXISTS = 4409
TOO_MANY_INIT = 4429
INTERNAL_ERROR = 4500
TRY_AGAIN_LATER = 1013

REVOKED = Unauthenticated("the bearer token is invalid or revoked")


def is_websocket(request: web.Request) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


class WebSocketEndpoint:
    def __init__(
        self,
        endpoint: GraphQLEndpoint,
        hub: Callable[[web.Request], EventHub],
        *,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.endpoint = endpoint
        self.hub = hub
        self.heartbeat_seconds = heartbeat_seconds
        self.connections = 0  # open now (tests, metrics)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(
            protocols=(PROTOCOL,),
            heartbeat=self.heartbeat_seconds,
            max_msg_size=self.endpoint.max_body_bytes,
        )
        await ws.prepare(request)
        if ws.ws_protocol != PROTOCOL:
            await ws.close(code=SUBPROTOCOL_NOT_ACCEPTABLE, message=b"Subprotocol not acceptable")
            return ws
        self.connections += 1
        try:
            await _Connection(self, request, ws).run()
        finally:
            self.connections -= 1
        return ws


class _Connection:
    def __init__(
        self, owner: WebSocketEndpoint, request: web.Request, ws: web.WebSocketResponse
    ) -> None:
        self.endpoint = owner.endpoint
        self.gate: Gate = owner.endpoint.gate(request)
        self.hub = owner.hub(request)
        self.request = request
        self.ws = ws
        self.operations: dict[str, asyncio.Task[None]] = {}
        self.initialised = False
        self.acknowledged = False
        self.authorization: str | None = None
        self.admission: Admission | None = None
        self._counter = 0
        self._closing: asyncio.Task[None] | None = None
        self._checking: asyncio.Task[None] | None = None
        self.live = LiveSession(self.hub, self._too_slow)

    # ----- the connection

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        init_timer = loop.call_later(
            CONNECTION_INIT_SECONDS,
            lambda: self.close(INIT_TIMEOUT, "Connection initialisation timeout"),
        )
        authenticator = self.gate.authenticator
        authenticator.watch(self._token_forgotten)
        recheck = loop.create_task(self._revalidate())
        try:
            async for message in self.ws:
                if message.type is WSMsgType.TEXT:
                    if await self._on_message(message.data):
                        init_timer.cancel()
                elif message.type is WSMsgType.BINARY:
                    self.close(BAD_REQUEST, "messages are JSON text")
                if self._closing is not None:
                    break
        finally:
            init_timer.cancel()
            recheck.cancel()
            authenticator.unwatch(self._token_forgotten)
            for task in list(self.operations.values()):
                task.cancel()
            for task in list(self.operations.values()):
                with contextlib.suppress(BaseException):
                    await task
            if self._closing is not None:
                with contextlib.suppress(Exception):
                    await self._closing

    def close(self, code: int, reason: str) -> None:
        """Close with `code` (once); a client that does not read is cut off."""
        if self._closing is None:
            self._closing = asyncio.get_running_loop().create_task(self._close(code, reason))

    async def _close(self, code: int, reason: str) -> None:
        # a close reason is at most 123 bytes
        message = reason.encode()[:123]
        try:
            async with asyncio.timeout(CLOSE_SECONDS):
                await self.ws.close(code=code, message=message)
        except (TimeoutError, ConnectionError):
            transport = self.request.transport
            if transport is not None:
                transport.abort()

    def _too_slow(self) -> None:
        self.close(TRY_AGAIN_LATER, "SLOW_CONSUMER: the subscriber fell too far behind")

    async def _send(self, message: dict[str, Any]) -> None:
        if self._closing is not None or self.ws.closed:
            return
        try:
            await self.ws.send_str(orjson.dumps(message).decode())
        except ConnectionError:  # the client went away mid-send: nothing left to tell it
            self.close(INTERNAL_ERROR, "connection lost")

    # ----- messages

    async def _on_message(self, data: str) -> bool:
        """Handle one message; True once the connection is initialised."""
        try:
            message = orjson.loads(data)
        except orjson.JSONDecodeError:
            self.close(BAD_REQUEST, "Invalid message: not JSON")
            return self.initialised
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "connection_init":
            await self._init(message.get("payload"))
        elif kind == "ping":
            await self._send({"type": "pong"})
        elif kind == "pong":
            pass
        elif kind == "subscribe":
            await self._subscribe(message)
        elif kind == "complete":
            operation_id = message.get("id")
            task = (
                self.operations.pop(operation_id, None) if isinstance(operation_id, str) else None
            )
            if task is not None:
                task.cancel()
        else:
            self.close(BAD_REQUEST, "Invalid message: unknown or missing type")
        return self.initialised

    async def _init(self, payload: object) -> None:
        if self.initialised:
            self.close(TOO_MANY_INIT, "Too many initialisation requests")
            return
        if payload is not None and not isinstance(payload, dict):
            self.close(BAD_REQUEST, "Invalid message: the connection_init payload is an object")
            return
        self.initialised = True
        self.authorization = _authorization(payload or {})
        try:
            self.admission = await self.gate.admit(self.request, authorization=self.authorization)
        except Refusal as refusal:
            error = refusal.errors[0]
            code = TOO_MANY_INIT if refusal.response.status == 429 else TRY_AGAIN_LATER
            self.close(code, f"{error['extensions']['code']}: {error['message']}")
            return
        self.acknowledged = True
        await self._send({"type": "connection_ack"})

    async def _subscribe(self, message: dict[str, Any]) -> None:
        if not self.acknowledged:
            self.close(UNAUTHORIZED, "Unauthorized")
            return
        operation_id, payload = message.get("id"), message.get("payload")
        if not isinstance(operation_id, str) or not operation_id or not _well_formed(payload):
            self.close(BAD_REQUEST, "Invalid message: subscribe needs an id and a payload")
            return
        assert isinstance(payload, dict)
        if operation_id in self.operations:
            self.close(SUBSCRIBER_EXISTS, f"Subscriber for {operation_id} already exists"[:100])
            return
        if len(self.operations) >= MAX_OPERATIONS:
            error = coded(
                TooManyOperations(f"at most {MAX_OPERATIONS} operations at once on one connection"),
                self.request[REQUEST_ID],
            )
            await self._send({"id": operation_id, "type": "error", "payload": [error.formatted]})
            return
        task = asyncio.get_running_loop().create_task(self._operation(operation_id, payload))
        self.operations[operation_id] = task

    # ----- operations

    async def _operation(self, operation_id: str, params: dict[str, Any]) -> None:
        self._counter += 1
        request_id = f"{self.request[REQUEST_ID]}.{self._counter}"
        try:
            await self._run(operation_id, params, request_id)
        except asyncio.CancelledError:
            raise
        except TooSlow:
            self._too_slow()
        except Exception:
            logger.exception("websocket operation failed (request %s)", request_id)
            await self._finish(operation_id, "error", [coded(None, request_id).formatted])
        finally:
            if self.operations.get(operation_id) is asyncio.current_task():
                del self.operations[operation_id]

    async def _finish(self, operation_id: str, kind: str, payload: Any = None) -> None:
        """The operation's last message; its id is free again from now on."""
        if self.operations.get(operation_id) is asyncio.current_task():
            del self.operations[operation_id]
        message: dict[str, Any] = {"id": operation_id, "type": kind}
        if payload is not None:
            message["payload"] = payload
        await self._send(message)

    async def _run(self, operation_id: str, params: dict[str, Any], request_id: str) -> None:
        endpoint = self.endpoint
        variables = params.get("variables") or {}
        name = params.get("operationName")
        try:
            admission = await self.gate.admit(self.request, authorization=self.authorization)
            prepared, operation = endpoint.prepare(params)
            cost = prepared.check_limits(name, variables, endpoint.documents.bounds)
        except Refusal as refusal:
            await self._finish(operation_id, "error", refusal.errors)
            return
        except RequestError as error:
            errors = with_codes(error.errors, request_id)
            await self._finish(operation_id, "error", [e.formatted for e in errors])
            return
        self.admission = admission
        context: Context = endpoint.make_context(self.request, admission)
        context.request_id = request_id
        context.live = self.live
        extensions = {"cost": {"fanOut": cost, "limit": limits.MAX_COST}}
        if not is_subscription(operation):
            try:
                result = await endpoint.execute(context, prepared, operation, variables, name)
            except TimeoutError:
                timeout = coded(DeadlineExceeded(endpoint.deadline_seconds), request_id)
                await self._finish(operation_id, "error", [timeout.formatted])
                return
            if result.data is None and result.errors and all(not e.path for e in result.errors):
                errors = with_codes(result.errors, request_id)
                await self._finish(operation_id, "error", [e.formatted for e in errors])
                return
            await self._send(
                {
                    "id": operation_id,
                    "type": "next",
                    "payload": _payload(result, request_id, extensions),
                }
            )
            await self._finish(operation_id, "complete")
            return
        stream = await self._stream(context, prepared.document, variables, name)
        if isinstance(stream, list):
            errors = with_codes(stream, request_id)
            await self._finish(operation_id, "error", [e.formatted for e in errors])
            return
        first = True
        try:
            async with contextlib.aclosing(stream):  # type: ignore[type-var]
                async for result in stream:
                    first = False
                    payload = _payload(result, request_id, extensions)
                    await self._send({"id": operation_id, "type": "next", "payload": payload})
        except TooSlow:
            raise
        except Exception as error:  # raised by the event source: a request error if first
            located = error if isinstance(error, GraphQLError) else located_error(error)
            errors = with_codes([located], request_id)
            if first:
                await self._finish(operation_id, "error", [e.formatted for e in errors])
                return
            raise
        await self._finish(operation_id, "complete")

    async def _stream(
        self, context: Context, document: Any, variables: dict[str, Any], name: str | None
    ) -> AsyncIterable[ExecutionResult] | list[GraphQLError]:
        schema = self.endpoint.schema
        executor = schema.execution_context_class.build(
            schema._schema, document, None, context, variables, name
        )
        if isinstance(executor, list):
            return executor
        assert isinstance(executor, Executor)
        source = create_source_event_stream(executor)
        if not isinstance(source, AsyncIterable) and not isinstance(source, ExecutionResult):
            source = await source
        if isinstance(source, ExecutionResult):
            return list(source.errors or [])
        # each event's resolver gives it loaders of its own (graph_api.types.subscriptions)
        return map_source_to_response_event(executor, source)

    # ----- the token

    def _token_forgotten(self, token_hash: bytes | None) -> None:
        """A revocation was heard (for this token, or for all after a reconnect)."""
        credentials = Credentials.of(self.authorization)
        if self.admission is None or self.admission.viewer is None:
            return
        if token_hash is None or token_hash == credentials.token_hash:
            self._check_token()

    def _check_token(self) -> None:
        if self._checking is None or self._checking.done():
            self._checking = asyncio.get_running_loop().create_task(self._token_check())

    async def _token_check(self) -> None:
        viewer, failure = await self.gate.authenticator.viewer(Credentials.of(self.authorization))
        if viewer is None and isinstance(failure, Unauthenticated):
            await self._revoked()

    async def _revalidate(self) -> None:
        while True:
            await asyncio.sleep(REVALIDATE_SECONDS)
            if self.admission is not None and self.admission.viewer is not None:
                self._check_token()

    async def _revoked(self) -> None:
        """The token is no longer good: every operation ends, as UNAUTHENTICATED."""
        self.admission = Admission(None, REVOKED)
        error = coded(REVOKED, self.request[REQUEST_ID])
        for operation_id, task in list(self.operations.items()):
            task.cancel()
            self.operations.pop(operation_id, None)
            await self._send({"id": operation_id, "type": "error", "payload": [error.formatted]})


def _authorization(payload: dict[str, Any]) -> str | None:
    """`Authorization` from the connection_init payload, however its case was written
    (GraphiQL sends the headers editor's object as it is)."""
    for key, value in payload.items():
        if isinstance(key, str) and key.lower() == "authorization" and isinstance(value, str):
            return value
    headers = payload.get("headers")
    return _authorization(headers) if isinstance(headers, dict) else None


def _well_formed(payload: object) -> bool:
    if not isinstance(payload, dict):
        return False
    query, extensions = payload.get("query"), payload.get("extensions")
    persisted = isinstance(extensions, dict) and "persistedQuery" in extensions
    return (
        (isinstance(query, str) or (query is None and persisted))
        and isinstance(payload.get("variables"), dict | None)
        and isinstance(payload.get("operationName"), str | None)
        and isinstance(extensions, dict | None)
    )


def _payload(
    result: ExecutionResult, request_id: str, extensions: dict[str, Any]
) -> dict[str, Any]:
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [e.formatted for e in with_codes(result.errors, request_id)]
    payload["extensions"] = extensions
    return payload


__all__ = ["PROTOCOL", "WebSocketEndpoint", "is_websocket"]
