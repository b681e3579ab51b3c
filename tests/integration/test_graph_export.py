"""The network as GraphML and GEXF, over HTTP and from the command line."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import networkx as nx
import pytest
from aiohttp.test_utils import TestClient

from graph_api.seed import seed_network
from tests.conftest import Account, error_codes


@pytest.fixture
async def seeded(pool: asyncpg.Pool, account: Account) -> Account:
    async with pool.acquire() as conn:
        await seed_network(conn, account.user.id, 40, 5, datetime.now(UTC))
    return account


def read(fmt: str, data: bytes) -> nx.Graph:
    return nx.read_graphml(io.BytesIO(data)) if fmt == "graphml" else nx.read_gexf(io.BytesIO(data))


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
async def test_export_over_http(
    client: TestClient[Any, Any], seeded: Account, pool: asyncpg.Pool, fmt: str
) -> None:
    response = await client.get(f"/graph/export?format={fmt}", headers=seeded.headers)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith(f"application/{fmt}+xml")
    graph = read(fmt, await response.read())
    active = await pool.fetchval(
        "select count(*) from contacts where user_id = $1 and archived_at is null", seeded.user.id
    )
    assert graph.number_of_nodes() == active
    assert graph.number_of_edges() > 0
    node = next(iter(graph.nodes(data=True)))[1]
    assert {"label", "company", "tie_score", "community"} <= set(node)
    edge = next(iter(graph.edges(data=True)))[2]
    assert {"weight", "relationship_type", "source", "shared_interactions"} <= set(edge)
    assert 0 <= float(edge["weight"]) <= 1


async def test_export_needs_a_token_and_a_known_format(
    client: TestClient[Any, Any], seeded: Account
) -> None:
    anonymous = await client.get("/graph/export")
    assert anonymous.status == 401
    assert error_codes(await anonymous.json()) == ["UNAUTHENTICATED"]
    unknown = await client.get("/graph/export?format=pdf", headers=seeded.headers)
    assert unknown.status == 400
    assert (await unknown.json())["errors"] == [
        {
            "message": "format must be graphml or gexf",
            "extensions": {"code": "BAD_USER_INPUT", "field": "format"},
        }
    ]


async def test_export_holds_only_the_users_own_network(
    client: TestClient[Any, Any], seeded: Account, make_account: Any
) -> None:
    stranger: Account = await make_account()
    response = await client.get("/graph/export", headers=stranger.headers)
    assert read("graphml", await response.read()).number_of_nodes() == 0


def test_export_graph_command(database_url: str, seeded: Account, tmp_path: Path) -> None:
    target = tmp_path / "network.gexf"
    result = subprocess.run(
        [sys.executable, "-m", "graph_api", "export-graph", seeded.user.email, "--format", "gexf", "-o", str(target)],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "DATABASE_URL": database_url},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert nx.read_gexf(target).number_of_nodes() > 0
