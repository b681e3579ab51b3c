"""OpenTelemetry traces with the SDK's in-memory exporter: a server span per request
continuing the caller's W3C `traceparent`, an operation span inside it, a span per SQL
statement inside that, names and shapes only (no statement text, variables or token);
nothing at all when tracing is off. And the graph cache's hits and builds in /metrics."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from graph_api import tracing
from graph_api.app import create_app
from graph_api.env import SettingsError
from graph_api.settings import Settings
from tests.conftest import Account

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
QUERY = """query Around($search: String!) {
  contacts(first: 5, filter: {search: $search}) { edges { node { fullName strength { score } } } }
}"""
SECRET = "Zanzibar-7c1e"  # a variable's value: it must appear in no span


@pytest.fixture
async def spans(
    settings: Settings, aiohttp_client: ClientFactory
) -> AsyncIterator[tuple[TestClient[Any, Any], InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use(provider)
    try:
        client = await aiohttp_client(create_app(settings))
        yield client, exporter
    finally:
        tracing.use(None)


async def finished(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    await asyncio.sleep(0.05)  # statement spans end from asyncpg's query logger callbacks
    return list(exporter.get_finished_spans())


async def test_a_request_continues_the_callers_trace_down_to_each_statement(
    spans: tuple[TestClient[Any, Any], InMemorySpanExporter], account: Account
) -> None:
    client, exporter = spans
    response = await client.post(
        "/graphql",
        json={"query": QUERY, "variables": {"search": SECRET}},
        headers={**account.headers, "traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"},
    )
    assert response.status == 200, await response.text()
    recorded = await finished(exporter)

    (server,) = [s for s in recorded if s.kind is SpanKind.SERVER]
    assert server.name == "POST /graphql"
    assert server.context.trace_id == int(TRACE_ID, 16)
    assert server.parent is not None and server.parent.span_id == int(PARENT_ID, 16)
    assert server.attributes["http.response.status_code"] == 200
    assert server.attributes["graphql.operation.name"] == "Around"

    (operation,) = [s for s in recorded if s.name == "query Around"]
    assert operation.parent is not None and operation.parent.span_id == server.context.span_id
    assert operation.attributes["graphql.operation.type"] == "query"

    statements = [s for s in recorded if s.attributes.get("db.system.name") == "postgresql"]
    assert statements, [s.name for s in recorded]
    inside = {server.context.span_id, operation.context.span_id}
    for statement in statements:
        assert statement.kind is SpanKind.CLIENT
        assert statement.context.trace_id == int(TRACE_ID, 16), statement.name
        assert statement.parent is not None and statement.parent.span_id in inside
        assert statement.start_time is not None and statement.end_time is not None
        assert server.start_time <= statement.start_time <= statement.end_time
    # the contacts page's statement ran inside the operation, under its own name
    assert any(
        s.parent is not None
        and s.parent.span_id == operation.context.span_id
        and re.fullmatch(r"[a-z_]+", s.name)
        for s in statements
    ), [(s.name, s.parent) for s in statements]

    # names and shapes, never values: no variable, no token, no SQL text
    for span in recorded:
        text = f"{span.name} {dict(span.attributes or {})}"
        assert SECRET not in text and account.token not in text
    for statement in statements:  # a name, not the statement's text
        assert re.fullmatch(r"[\w-]+", statement.name), statement.name
        assert statement.attributes["db.query.summary"] == statement.name


async def test_without_a_valid_traceparent_a_request_starts_a_trace(
    spans: tuple[TestClient[Any, Any], InMemorySpanExporter], account: Account
) -> None:
    client, exporter = spans
    for headers in ({}, {"traceparent": "00-not-a-trace-01"}):
        exporter.clear()
        response = await client.post(
            "/graphql",
            json={"query": "query Me { me { email } }"},
            headers={**account.headers, **headers},
        )
        assert response.status == 200
        (server,) = [s for s in await finished(exporter) if s.kind is SpanKind.SERVER]
        assert server.parent is None
        assert server.context.trace_id != int(TRACE_ID, 16)


async def test_no_spans_when_tracing_is_off(
    settings: Settings, aiohttp_client: ClientFactory, account: Account
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    assert not tracing.enabled()
    client = await aiohttp_client(create_app(settings))
    response = await client.post(
        "/graphql", json={"query": "query Me { me { email } }"}, headers=account.headers
    )
    assert response.status == 200
    assert await finished(exporter) == []


def test_tracing_settings() -> None:
    assert Settings.from_env({}).tracing == ""
    assert Settings.from_env({"GRAPH_API_TRACING": "OTLP"}).tracing == "otlp"
    assert Settings.from_env({"GRAPH_API_TRACING": "console"}).tracing == "console"
    assert Settings.from_env({"GRAPH_API_TRACING": "off"}).tracing == ""
    with pytest.raises(SettingsError, match="otlp, console or off"):
        Settings.from_env({"GRAPH_API_TRACING": "jaeger"})


async def test_graph_cache_hits_and_builds_are_in_metrics(
    client: TestClient[Any, Any], account: Account
) -> None:
    async def counted() -> dict[str, float]:
        text = await (await client.get("/metrics")).text()
        return {
            name: float(value)
            for name, value in re.findall(r"^(graph_api_graph_cache_\w+_total) (\S+)$", text, re.M)
        }

    before = await counted()
    stats = "query Stats { networkStats { contacts } }"
    for _ in range(3):
        response = await client.post("/graphql", json={"query": stats}, headers=account.headers)
        assert "errors" not in await response.json()
    after = await counted()
    # the first read builds this user's graph, the next two find it cached
    assert (
        after["graph_api_graph_cache_builds_total"] - before["graph_api_graph_cache_builds_total"]
        == 1
    )
    assert (
        after["graph_api_graph_cache_hits_total"] - before["graph_api_graph_cache_hits_total"] == 2
    )
