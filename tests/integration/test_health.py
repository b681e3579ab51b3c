"""/healthz and /readyz, including a database that went away."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from graph_api.app import GRAPHS, create_app
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.settings import Settings


async def test_healthz_and_readyz(client: TestClient[Any, Any]) -> None:
    health = await client.get("/healthz")
    assert health.status == 200 and (await health.json())["status"] == "ok"
    ready = await client.get("/readyz")
    assert ready.status == 200
    assert await ready.json() == {
        "status": "ready",
        "database": "ok",
        "embeddings": "ready",
        "graphCache": {
            "builds": client.app[GRAPHS].builds,
            "updates": client.app[GRAPHS].updates,
        },
    }
    assert ready.headers["X-Request-Id"]


async def test_readyz_is_503_when_the_database_stops(
    tmp_path: Path, aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]]
) -> None:
    # a server of its own, so stopping it cannot disturb the other tests
    server = start_embedded(tmp_path / "pgdata")
    try:
        url = embedded_url(server, "postgres")
        client = await aiohttp_client(create_app(Settings(database_url=url)))
        assert (await client.get("/readyz")).status == 200
        server.stop()
        response = await client.get("/readyz")
        assert response.status == 503
        ready_body = await response.json()
        assert (ready_body["status"], ready_body["database"]) == ("unavailable", "unreachable")
        # GraphQL answers with a typed error, not a stack trace
        body = await (
            await client.post(
                "/graphql",
                json={"query": "{ me { email } }"},
                headers={"Authorization": "Bearer gapi_" + "x" * 43},
            )
        ).json()
        assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]
        assert "Traceback" not in str(body)
    finally:
        stop_embedded(server)
