"""OpenTelemetry traces, when configured (`GRAPH_API_TRACING`, the `otel` extra): a
span per HTTP request (continuing the caller's trace from a W3C `traceparent`), one per
GraphQL operation inside it, and one per SQL statement inside that.

Unconfigured, nothing here runs: no span is made and the OpenTelemetry packages need
not be installed. Spans carry names and shapes, never values: the operation's name and
type, a statement's name (its `-- name` comment), never its text, parameters, variables
or a token.

Statements are timed by asyncpg's query logger, which the pool adds to each connection
when tracing is on: asyncpg calls it right after the statement with its duration, in
the context of the task that ran it, so the span has the right parent (the operation)
and the statement's true start and end.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span, Tracer

EXPORTERS = ("otlp", "console")
TRACER_NAME = "graph_api"
SERVICE_NAME = "graph-api"

_tracer: Tracer | None = None
_provider: TracerProvider | None = None


class TracingUnavailable(Exception):
    """GRAPH_API_TRACING is set but the `otel` extra is not installed."""


def enabled() -> bool:
    return _tracer is not None


def use(provider: TracerProvider | None) -> None:
    """Make spans with `provider` (None: stop). Tests pass one with an in-memory
    exporter; `configure` passes the process's."""
    global _tracer, _provider
    _provider = provider
    _tracer = None if provider is None else provider.get_tracer(TRACER_NAME)


def configure(exporter: str) -> None:
    """The process's tracer provider: OTLP over HTTP (its endpoint, headers and the
    rest from the standard OTEL_EXPORTER_OTLP_* variables) or the console; the
    service named by OTEL_SERVICE_NAME, else graph-api."""
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
    except ImportError as error:
        raise TracingUnavailable(
            "GRAPH_API_TRACING needs OpenTelemetry: pip install 'graph-api[otel]'"
        ) from error
    if exporter == "otlp":
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError as error:
            raise TracingUnavailable(
                "GRAPH_API_TRACING=otlp needs the OTLP exporter: pip install 'graph-api[otel]'"
            ) from error
        span_exporter: Any = OTLPSpanExporter()
    else:
        span_exporter = ConsoleSpanExporter()
    resource = Resource.create(
        {"service.name": os.environ.get("OTEL_SERVICE_NAME") or SERVICE_NAME}
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(span_exporter))
    trace.set_tracer_provider(provider)
    use(provider)


def shutdown() -> None:
    """Send what is still batched; stop making spans."""
    provider = _provider
    use(None)
    if provider is not None:
        provider.shutdown()


@contextlib.contextmanager
def request_span(method: str, route: str, headers: Mapping[str, str]) -> Iterator[Span | None]:
    """The server span of one HTTP request, a child of the caller's `traceparent`
    (W3C trace context) when it sends a valid one."""
    if _tracer is None:
        yield None
        return
    from opentelemetry.trace import SpanKind
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    parent = TraceContextTextMapPropagator().extract(headers)
    with _tracer.start_as_current_span(
        f"{method} {route}",
        context=parent,
        kind=SpanKind.SERVER,
        attributes={"http.request.method": method, "http.route": route},
    ) as span:
        yield span


@contextlib.contextmanager
def operation_span(operation_type: str, name: str | None, plan: str) -> Iterator[None]:
    """One GraphQL operation's execution (`plan`: how it ran: sql, compiled, generic)."""
    if _tracer is None:
        yield
        return
    attributes = {"graphql.operation.type": operation_type, "graph_api.plan": plan}
    if name:
        attributes["graphql.operation.name"] = name
    title = f"{operation_type} {name}" if name else operation_type
    with _tracer.start_as_current_span(title, attributes=attributes):
        yield


def statement_span(record: Any) -> None:
    """asyncpg's query logger: a span for the statement that just ran, from its start
        to its end, named by its `-- name` comment (never its text or parameters). Only
    statements run for a request: background work has no trace to join."""
    tracer = _tracer
    if tracer is None:
        return
    from opentelemetry.trace import SpanKind, Status, StatusCode, get_current_span

    if not get_current_span().get_span_context().is_valid:
        return  # background work (the embedder, the notifier, a cache warm-up): no trace

    end = time.time_ns()
    start = end - int(record.elapsed * 1e9)
    name = statement_name(record.query)
    span = tracer.start_span(
        name,
        kind=SpanKind.CLIENT,
        start_time=start,
        attributes={"db.system.name": "postgresql", "db.query.summary": name},
    )
    if record.exception is not None:
        span.set_status(Status(StatusCode.ERROR, type(record.exception).__name__))
    span.end(end_time=end)


def statement_name(query: str) -> str:
    """A statement's `-- name` comment, else its first word (`select`, `begin`, …)."""
    text = query.lstrip()
    if text.startswith("--"):
        return text[2:].split("\n", 1)[0].strip() or "statement"
    return (text.split(None, 1)[0].lower() if text else "") or "statement"
