"""CORS: preflights answered for the configured origins, refused as JSON otherwise,
every answer (errors too) readable by an allowed page, none labelled for another."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from graph_api.app import create_app
from graph_api.env import SettingsError
from graph_api.settings import Settings
from tests.conftest import Account

APP = "https://app.example.com"
ME = {"query": "query Me { me { email } }"}

MakeClient = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
def cors_client(settings: Settings, aiohttp_client: MakeClient) -> Callable[..., Any]:
    async def make(*origins: str, credentials: bool = False) -> TestClient[Any, Any]:
        configured = replace(settings, cors_origins=origins, cors_credentials=credentials)
        return await aiohttp_client(create_app(configured))

    return make


def preflight(origin: str, *headers: str, method: str = "POST") -> dict[str, str]:
    asked = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        asked["Access-Control-Request-Headers"] = ", ".join(headers)
    return asked


async def test_a_preflight_from_an_allowed_origin_is_answered(cors_client: Any) -> None:
    client = await cors_client(APP)
    response = await client.options(
        "/graphql", headers=preflight(APP, "authorization", "content-type")
    )
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert response.headers["Access-Control-Allow-Methods"] == "POST"
    allowed = {
        h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert allowed == {"authorization", "content-type"}
    assert response.headers["Access-Control-Max-Age"] == "600"
    # bearer tokens are not CORS credentials: none allowed unless asked for
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" in response.headers["Vary"]


@pytest.mark.parametrize(
    "headers",
    [
        preflight("https://evil.example.com", "authorization"),
        preflight(APP, "x-something-else"),
        {"Origin": APP},  # no method asked for
        {},  # not a preflight at all
    ],
    ids=["other origin", "header not allowed", "no method", "no origin"],
)
async def test_a_refused_preflight_is_json_with_a_code(
    cors_client: Any, headers: dict[str, str]
) -> None:
    client = await cors_client(APP)
    response = await client.options("/graphql", headers=headers)
    assert response.status == 403
    assert response.content_type == "application/json"
    body = await response.json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "CORS" in body["errors"][0]["message"]
    assert "Access-Control-Allow-Origin" not in response.headers


async def test_answers_and_errors_are_readable_by_an_allowed_origin(
    cors_client: Any, account: Account
) -> None:
    client = await cors_client(APP, "http://localhost:5173")
    ok = await client.post("/graphql", json=ME, headers={"Origin": APP, **account.headers})
    assert (await ok.json())["data"]["me"]["email"] == account.user.email
    assert ok.headers["Access-Control-Allow-Origin"] == APP
    exposed = ok.headers["Access-Control-Expose-Headers"].split(",")
    assert "X-Request-Id" in exposed
    # a refusal must reach the page too, or it sees only "network error"
    bad = await client.post(
        "/graphql",
        data=b"{not json",
        headers={"Origin": "http://localhost:5173", "Content-Type": "application/json"},
    )
    assert bad.status == 400
    assert bad.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert (await bad.json())["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    export = await client.get("/graph/export", headers={"Origin": APP, **account.headers})
    assert export.status == 200
    assert export.headers["Access-Control-Allow-Origin"] == APP


async def test_another_origin_gets_no_cors_headers(cors_client: Any, account: Account) -> None:
    client = await cors_client(APP)
    response = await client.post(
        "/graphql", json=ME, headers={"Origin": "https://evil.example.com", **account.headers}
    )
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers["Vary"]


async def test_credentials_only_when_configured(cors_client: Any) -> None:
    client = await cors_client(APP, credentials=True)
    response = await client.options("/graphql", headers=preflight(APP, "authorization"))
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


async def test_any_origin(cors_client: Any, account: Account) -> None:
    client = await cors_client("*")
    response = await client.post(
        "/graphql", json=ME, headers={"Origin": "https://anyone.example", **account.headers}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "https://anyone.example"
    assert "Access-Control-Allow-Credentials" not in response.headers


async def test_without_origins_configured_there_is_no_cors(client: TestClient[Any, Any]) -> None:
    response = await client.options("/graphql", headers=preflight(APP, "authorization"))
    assert response.status == 405
    assert (await response.json())["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(
    ("origins", "credentials"),
    [
        ("ftp://app.example.com", False),
        ("https://app.example.com/path", False),
        ("https://user@app.example.com", False),
        ("https://app.example.com:99999", False),
        ("*, https://app.example.com", False),
        ("*", True),
    ],
)
def test_bad_origin_settings_are_refused(origins: str, credentials: bool) -> None:
    env = {"GRAPH_API_CORS_ORIGINS": origins, "GRAPH_API_CORS_CREDENTIALS": str(credentials)}
    with pytest.raises(SettingsError):
        Settings.from_env(env)


def test_origins_are_normalised() -> None:
    env = {"GRAPH_API_CORS_ORIGINS": " https://App.Example.com/ ,http://localhost:5173,"}
    assert Settings.from_env(env).cors_origins == (APP, "http://localhost:5173")
