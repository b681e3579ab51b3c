"""What operators watch: `/metrics` in Prometheus's text format (`prometheus-client`,
a registry per app) and one JSON access-log line per request.

Labels are bounded and say nothing about a tenant: a GraphQL request is counted by
its operation's name and its outcome (`ok` or the first error's code); unnamed
operations, names of requests refused before execution (a name that is not in its
document included) and every name past the first `MAX_OPERATION_NAMES` share the one
label `OTHER`. The access log names the user by id, never a token, a query string or
variables.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import orjson
from aiohttp import hdrs, web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest as prometheus_text
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from graph_api import tracing
from graph_api.keys import COST, GRAPHS, OPERATION, POOL, REQUEST_ID, SEARCH, USER_ID

access_logger = logging.getLogger("graph_api.access")

OTHER = "OTHER"
MAX_OPERATION_NAMES = 200
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
CODE = re.compile(r"[A-Z][A-Z0-9_]{0,39}")
OPERATION_TYPES = {"query", "mutation", "subscription"}
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Metrics:
    """One app's metrics; its registry is its own, so apps (tests) never share counts."""

    def __init__(self, app: web.Application) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "graph_api_graphql_requests",
            "GraphQL requests by operation name and outcome (ok, or the first error's code)",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "graph_api_graphql_request_duration_seconds",
            "Time to answer a GraphQL request, by operation name",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.http = Counter(
            "graph_api_http_requests",
            "HTTP requests by route and status",
            ["route", "status"],
            registry=self.registry,
        )
        self.registry.register(_StateCollector(app))
        self._names: set[str] = set()
        # label children by their values: `labels()` takes a lock and validates its
        # arguments on every call; the label sets are bounded (names, codes, routes)
        self._children: dict[tuple[str | int, ...], Any] = {}

    def count(self, operation: str, outcome: str, seconds: float) -> None:
        """One GraphQL request answered, by operation name and outcome."""
        children = self._children
        key: tuple[str | int, ...] = ("graphql", operation, outcome)
        requests = children.get(key)
        if requests is None:
            requests = children[key] = self.requests.labels(operation, outcome)
        requests.inc()
        key = ("latency", operation)
        latency = children.get(key)
        if latency is None:
            latency = children[key] = self.latency.labels(operation)
        latency.observe(seconds)

    def count_http(self, route: str, status: int) -> None:
        key = ("http", route, status)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = self.http.labels(route, str(status))
        child.inc()

    def operation_label(self, name: str | None) -> str:
        if name is None or not NAME.fullmatch(name):
            return OTHER
        if name not in self._names:
            if len(self._names) >= MAX_OPERATION_NAMES:
                return OTHER
            self._names.add(name)
        return name


METRICS = web.AppKey("metrics", Metrics)


class _StateCollector(Collector):
    """Read at scrape time: the pool, the graph cache, the background embedder."""

    def __init__(self, app: web.Application) -> None:
        self._app = app

    def collect(self) -> Iterator[Any]:
        pool = self._app.get(POOL)
        if pool is not None:
            size, idle = pool.get_size(), pool.get_idle_size()
            yield _gauge("graph_api_pool_connections", "Open pooled connections", size)
            yield _gauge(
                "graph_api_pool_connections_in_use", "Pooled connections in use", size - idle
            )
            yield _gauge(
                "graph_api_pool_max_connections", "The pool's size limit", pool.get_max_size()
            )
        graphs = self._app.get(GRAPHS)
        if graphs is not None:
            builds = CounterMetricFamily(
                "graph_api_graph_cache_builds", "User graphs built (cache misses)"
            )
            builds.add_metric([], graphs.builds)
            yield builds
            updates = CounterMetricFamily(
                "graph_api_graph_cache_updates",
                "User graphs brought up to date by a write's delta instead of a rebuild",
            )
            updates.add_metric([], graphs.updates)
            yield updates
            hits = getattr(graphs, "hits", None)
            if hits is not None:
                family = CounterMetricFamily(
                    "graph_api_graph_cache_hits", "Graph reads answered from the cache"
                )
                family.add_metric([], hits)
                yield family
        search = self._app.get(SEARCH)
        pending = search.pending if search is not None else None
        if pending is not None:
            # the users whose writes woke the embedder and wait for it
            waiting = getattr(pending, "_pending_of", ())
            yield _gauge(
                "graph_api_embedding_queue_users",
                "Users whose memories wait for the background embedder",
                len(waiting),
            )
            embedded = CounterMetricFamily(
                "graph_api_embedded_memories", "Memories the background embedder embedded"
            )
            embedded.add_metric([], getattr(pending, "embedded", 0))
            yield embedded


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


async def metrics_endpoint(request: web.Request) -> web.Response:
    body = prometheus_text(request.app[METRICS].registry)
    return web.Response(body=body, headers={hdrs.CONTENT_TYPE: CONTENT_TYPE_LATEST})


@web.middleware
async def observe_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count, time and log every request (placed outside the error middleware, so
    what it sees is what the client got)."""
    started = time.perf_counter()
    status = 500
    response: web.StreamResponse | None = None
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else "unmatched"
    with tracing.request_span(request.method, route, request.headers) as span:
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as error:
            status = error.status
            raise
        finally:
            seconds = time.perf_counter() - started
            try:
                _record(request, response, status, seconds)
                if span is not None:
                    _describe(span, request, status)
            except Exception:  # observing must never cost the answer
                access_logger.warning("could not record a request", exc_info=True)


def _describe(span: Any, request: web.Request, status: int) -> None:
    span.set_attribute("http.response.status_code", status)
    operation = request.get(OPERATION)
    if operation:
        span.set_attribute("graphql.operation.name", operation)
    if status >= 500:
        from opentelemetry.trace import Status, StatusCode

        span.set_status(Status(StatusCode.ERROR))


def _record(
    request: web.Request, response: web.StreamResponse | None, status: int, seconds: float
) -> None:
    app = request.app
    metrics = app.get(METRICS)
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else "unmatched"
    if route == "/metrics":
        return
    operation: str | None = None
    outcome: str | None = None
    body = response.body if isinstance(response, web.Response) else None
    if route == "/graphql" and isinstance(body, bytes) and _is_graphql_answer(response):
        executed = body.startswith(b'{"data"')
        outcome = _outcome(body, status)
        name = (request.get(OPERATION) or None) if executed else None
        if metrics is not None:
            operation = metrics.operation_label(name)
            metrics.count(operation, outcome, seconds)
        else:
            operation = name
    if metrics is not None:
        metrics.count_http(route, status)
    if app.get(ACCESS_LOG, False) and access_logger.isEnabledFor(logging.INFO):
        line: dict[str, Any] = {
            "requestId": request.get(REQUEST_ID),
            "method": request.method,
            "path": request.path,  # never the query string: it can hold variables
            "status": status,
            "durationMs": round(seconds * 1000, 2),
            "userId": _user_id(request),
        }
        if outcome is not None:
            line["operation"] = operation
            line["outcome"] = outcome
            line["cost"] = request.get(COST)
        access_logger.info(orjson.dumps(line).decode())


ACCESS_LOG = web.AppKey("access_log", bool)


def _is_graphql_answer(response: web.StreamResponse | None) -> bool:
    return response is not None and response.content_type in {
        "application/json",
        "application/graphql-response+json",
    }


def _outcome(body: bytes, status: int) -> str:
    if b'"errors"' not in body[:64] and b',"errors":' not in body:
        return "ok" if status < 400 else OTHER
    try:
        errors = orjson.loads(body).get("errors") or []
        code = errors[0]["extensions"]["code"]
    except (orjson.JSONDecodeError, AttributeError, LookupError, TypeError):
        return OTHER
    return code if isinstance(code, str) and CODE.fullmatch(code) else OTHER


def _user_id(request: web.Request) -> str | None:
    return request.get(USER_ID)


def install(app: web.Application, *, metrics: bool, access_log: bool) -> None:
    app[ACCESS_LOG] = access_log
    if metrics:
        app[METRICS] = Metrics(app)
        app.router.add_get("/metrics", metrics_endpoint)
