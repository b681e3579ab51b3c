"""Persisted operations through the gate: Apollo's automatic persisted queries (POST,
GET, the WebSocket) and the trusted-documents allowlist."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient

from graph_api.app import create_app
from graph_api.env import SettingsError
from graph_api.persisted import load_trusted
from graph_api.settings import Settings
from tests.conftest import Account, error_codes

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]
ME = "query Me { me { email } }"
CREATE = 'mutation Make { createContact(input: {fullName: "By hash"}) { errors { code } } }'


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(query: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}}


async def test_automatic_persisted_queries_over_post_and_get(
    client: TestClient[Any, Any], account: Account
) -> None:
    query = ME + " # apq " + account.user.email  # a text no other test registered
    hash_only = {"extensions": persisted(query)}
    response = await client.post("/graphql", json=hash_only, headers=account.headers)
    # Apollo's answer: 200, so the client's link sees it and sends the query along
    assert response.status == 200
    assert response.headers["Cache-Control"] == "private, no-cache, must-revalidate"
    body = await response.json()
    assert body["errors"][0]["message"] == "PersistedQueryNotFound"
    assert error_codes(body) == ["PERSISTED_QUERY_NOT_FOUND"]

    full = {"query": query, **hash_only}
    body = await (await client.post("/graphql", json=full, headers=account.headers)).json()
    assert body["data"] == {"me": {"email": account.user.email}}

    body = await (await client.post("/graphql", json=hash_only, headers=account.headers)).json()
    assert body["data"] == {"me": {"email": account.user.email}}
    assert body["extensions"]["cost"]["limit"] > 0
    response = await client.get(
        "/graphql",
        params={"extensions": orjson.dumps(persisted(query)).decode()},
        headers=account.headers,
    )
    assert (await response.json())["data"] == {"me": {"email": account.user.email}}


async def test_a_hash_that_does_not_match_its_query_is_refused(
    client: TestClient[Any, Any], account: Account
) -> None:
    other = {"persistedQuery": {"version": 1, "sha256Hash": sha("{ me { id } }")}}
    response = await client.post(
        "/graphql",
        json={"query": ME, "extensions": other},
        headers={**account.headers, "Accept": "application/graphql-response+json"},
    )
    assert response.status == 400
    body = await response.json()
    assert body["errors"][0]["message"] == "provided sha does not match query"
    assert error_codes(body) == ["BAD_REQUEST"]
    # and the hash was not taken over by the other document
    again = await client.post("/graphql", json={"extensions": other}, headers=account.headers)
    assert error_codes(await again.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


@pytest.mark.parametrize(
    "extension",
    [
        {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}},
        {"persistedQuery": {"version": 1, "sha256Hash": "not-a-hash"}},
        {"persistedQuery": "yes"},
    ],
    ids=["version", "hash", "shape"],
)
async def test_malformed_persisted_query_extensions(
    client: TestClient[Any, Any], account: Account, extension: dict[str, Any]
) -> None:
    body = await (
        await client.post("/graphql", json={"extensions": extension}, headers=account.headers)
    ).json()
    assert error_codes(body) == ["BAD_REQUEST"]


async def test_an_invalid_document_is_not_remembered(
    client: TestClient[Any, Any], account: Account
) -> None:
    query = "{ me { nope } }"
    body = await (
        await client.post(
            "/graphql",
            json={"query": query, "extensions": persisted(query)},
            headers=account.headers,
        )
    ).json()
    assert error_codes(body) == ["BAD_USER_INPUT"]
    body = await (
        await client.post(
            "/graphql", json={"extensions": persisted(query)}, headers=account.headers
        )
    ).json()
    assert error_codes(body) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_a_mutation_by_hash_still_takes_post(
    client: TestClient[Any, Any], account: Account
) -> None:
    register = {"query": CREATE, "extensions": persisted(CREATE)}
    body = await (await client.post("/graphql", json=register, headers=account.headers)).json()
    assert body["data"]["createContact"]["errors"] == []
    response = await client.get(
        "/graphql",
        params={"extensions": orjson.dumps(persisted(CREATE)).decode()},
        headers=account.headers,
    )
    assert response.status == 405


async def test_persisted_queries_can_be_turned_off(
    settings: Settings, aiohttp_client: ClientFactory, account: Account
) -> None:
    client = await aiohttp_client(create_app(replace(settings, persisted_queries=False)))
    body = await (
        await client.post("/graphql", json={"extensions": persisted(ME)}, headers=account.headers)
    ).json()
    assert error_codes(body) == ["PERSISTED_QUERY_NOT_SUPPORTED"]
    # plain requests are untouched
    body = await (await client.post("/graphql", json={"query": ME}, headers=account.headers)).json()
    assert body["data"] == {"me": {"email": account.user.email}}


@pytest.fixture
def trusted_file(tmp_path: Path) -> Path:
    path = tmp_path / "persisted-documents.json"
    path.write_bytes(orjson.dumps({sha(ME): ME}))
    return path


async def test_trusted_documents_only_run_registered_operations(
    settings: Settings, aiohttp_client: ClientFactory, account: Account, trusted_file: Path
) -> None:
    client = await aiohttp_client(create_app(replace(settings, trusted_documents=trusted_file)))
    for request in ({"extensions": persisted(ME)}, {"query": ME}):
        body = await (await client.post("/graphql", json=request, headers=account.headers)).json()
        assert body["data"] == {"me": {"email": account.user.email}}, request

    other = "{ me { id } }"
    for request in ({"query": other}, {"query": other, "extensions": persisted(other)}):
        response = await client.post("/graphql", json=request, headers=account.headers)
        assert response.status == 403
        assert error_codes(await response.json()) == ["FORBIDDEN"]
    response = await client.post(
        "/graphql", json={"extensions": persisted(other)}, headers=account.headers
    )
    assert error_codes(await response.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    response = await client.get("/graphql", params={"query": other}, headers=account.headers)
    assert response.status == 403

    # the WebSocket's operations pass the same check
    ws = await client.ws_connect("/graphql", protocols=["graphql-transport-ws"])
    await ws.send_json({"type": "connection_init", "payload": account.headers})
    assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
    await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": other}})
    refused = await ws.receive_json(timeout=5)
    assert refused["type"] == "error"
    assert [e["extensions"]["code"] for e in refused["payload"]] == ["FORBIDDEN"]
    await ws.send_json({"id": "2", "type": "subscribe", "payload": {"extensions": persisted(ME)}})
    answer = await ws.receive_json(timeout=5)
    assert answer["payload"]["data"] == {"me": {"email": account.user.email}}


def test_a_trusted_documents_file_is_checked_at_startup(tmp_path: Path) -> None:
    apollo = tmp_path / "manifest.json"
    apollo.write_bytes(
        orjson.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": sha(ME), "name": "Me", "type": "query", "body": ME}],
            }
        )
    )
    assert load_trusted(apollo) == {sha(ME): ME}
    wrong = tmp_path / "wrong.json"
    wrong.write_bytes(orjson.dumps({sha("{ me { id } }"): ME}))
    with pytest.raises(SettingsError, match="not the SHA-256"):
        load_trusted(wrong)
    with pytest.raises(SettingsError, match="cannot read"):
        load_trusted(tmp_path / "missing.json")
    assert (
        Settings.from_env({"GRAPH_API_TRUSTED_DOCUMENTS": str(apollo)}).trusted_documents == apollo
    )
