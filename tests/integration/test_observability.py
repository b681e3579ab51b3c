"""`/metrics` and the access log: what an operator sees, bounded and tenant-blind."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from graph_api import observability
from tests.conftest import Account


async def post(client: TestClient[Any, Any], body: dict[str, Any], account: Account) -> Any:
    response = await client.post("/graphql", json=body, headers=account.headers)
    return response


async def scrape(
    client: TestClient[Any, Any],
) -> tuple[str, dict[tuple[str, tuple[Any, ...]], float]]:
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.content_type == "text/plain"
    text = await response.text()
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return text, samples


def requests(samples: dict[Any, float], operation: str, outcome: str) -> float:
    key = ("graph_api_graphql_requests_total", (("operation", operation), ("outcome", outcome)))
    return samples.get(key, 0.0)


async def test_requests_are_counted_by_operation_and_outcome(
    client: TestClient[Any, Any], account: Account
) -> None:
    await post(client, {"query": "query Me { me { email } }"}, account)
    await post(client, {"query": "query Me { me { email } }", "operationName": "Me"}, account)
    await post(client, {"query": "{ me { email } }"}, account)  # unnamed
    await post(client, {"query": "query Broken { me { nope } }"}, account)  # refused
    await post(client, {"query": "query Me { me { id } }", "operationName": "Elsewhere"}, account)
    await client.post("/graphql", json={"query": "query Who { me { id } }"})  # no token
    missing = "query Find($id: ID!) { contact(id: $id) { id } }"
    await post(client, {"query": missing, "variables": {"id": "Q29udGFjdDp4"}}, account)

    text, samples = await scrape(client)
    assert requests(samples, "Me", "ok") == 2
    assert requests(samples, "OTHER", "ok") == 1
    # invalid, and a name the document does not hold: refused, so no name
    assert requests(samples, "OTHER", "BAD_USER_INPUT") == 2
    assert requests(samples, "Who", "UNAUTHENTICATED") == 1
    assert requests(samples, "Find", "NOT_FOUND") == 1
    # names of refused requests never become labels
    assert "Broken" not in text and "Elsewhere" not in text
    latency = ("graph_api_graphql_request_duration_seconds_count", (("operation", "Me"),))
    assert samples[latency] == 2
    assert samples[("graph_api_pool_max_connections", ())] >= 1
    assert ("graph_api_pool_connections_in_use", ()) in samples
    assert ("graph_api_graph_cache_builds_total", ()) in samples
    assert ("graph_api_embedding_queue_users", ()) in samples
    http = ("graph_api_http_requests_total", (("route", "/graphql"), ("status", "200")))
    assert samples[http] >= 5
    # nothing about who asked: no token, no email, no user id
    assert account.token not in text
    assert account.user.email not in text
    assert str(account.user.id) not in text


async def test_operation_names_are_bounded(
    client: TestClient[Any, Any], account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(observability, "MAX_OPERATION_NAMES", 3)
    for number in range(6):
        await post(client, {"query": f"query Name{number} {{ me {{ id }} }}"}, account)
    _, samples = await scrape(client)
    labelled = {
        dict(labels)["operation"]
        for (name, labels) in samples
        if name == "graph_api_graphql_requests_total"
    }
    assert labelled == {"Name0", "Name1", "Name2", "OTHER"}
    assert requests(samples, "OTHER", "ok") == 3


async def test_one_json_access_line_per_request(
    client: TestClient[Any, Any], account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="graph_api.access")
    response = await client.post(
        "/graphql?secret=in-the-url",
        json={"query": "query Me { me { email } }"},
        headers={**account.headers, "X-Request-Id": "trace-me-1"},
    )
    assert response.status == 200
    await client.post("/graphql", data=b"{broken", headers={"Content-Type": "application/json"})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "graph_api.access"]
    assert len(lines) == 2
    first, second = lines
    assert first["requestId"] == "trace-me-1"
    assert first["userId"] == str(account.user.id)
    assert (first["operation"], first["outcome"], first["status"]) == ("Me", "ok", 200)
    assert first["path"] == "/graphql"
    assert first["durationMs"] > 0
    assert first["cost"] == 2  # me and its email
    assert (second["status"], second["outcome"], second["userId"]) == (400, "BAD_REQUEST", None)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert account.token not in logged
    assert "in-the-url" not in logged
