"""Several API processes against one database (#15 item 4, #13 item 6).

Two real `graph-api serve` processes (each its own pool, graph cache, token cache and
rate limit buckets) on one PostgreSQL: a write through one is read exactly by the next
request to the other, graph-derived answers included; a revoked token stops working in
both; the rate limit is per process (README: N processes allow N x the limit). And
`serve --workers 2` as a user runs it: two workers on one port, stopped by one Ctrl-C.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import orjson
import psutil
import pytest

from graph_api import accounts
from tests.conftest import Account
from tests.integration.test_serve import free_port

STARTUP_SECONDS = 90
TOKEN_CACHE_SECONDS = 5  # graph_api.auth.TOKEN_CACHE_SECONDS, the revocation's bound


def start_serve(env: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], list[str]]:
    """`graph-api serve` started and serving; the lines it printed up to its banner."""
    process = subprocess.Popen(
        [sys.executable, "-m", "graph_api", "serve", *args],
        env={**os.environ, "GRAPH_API_EMBEDDINGS": "none", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + STARTUP_SECONDS
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line)
        if "Ctrl-C stops" in line:
            return process, lines
        if time.monotonic() > deadline:
            break
    process.kill()
    raise AssertionError(f"serve did not start: {lines} (exit {process.wait()})")


def stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGINT)
    return process.wait(timeout=60)


def post(port: int, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=orjson.dumps({"query": query, "variables": variables or {}}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return orjson.loads(response.read())
    except urllib.error.HTTPError as error:  # 4xx answers carry JSON too
        return orjson.loads(error.read())


def codes(body: Any) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.fixture(scope="module")
def two_processes(database_url: str) -> Iterator[tuple[int, int]]:
    """Two serve processes on one database, a rate limit of 30 a minute each."""
    ports = free_port(), free_port()
    started = []
    try:
        for port in ports:
            env = {
                "DATABASE_URL": database_url,
                "GRAPH_API_PORT": str(port),
                "GRAPH_API_RATE_LIMIT_PER_MINUTE": "30",
            }
            started.append(start_serve(env, "--no-demo")[0])
        yield ports
    finally:
        for process in started:
            assert stop(process) == 0


CREATE = (
    """mutation($name: String!) { createContact(input: {fullName: $name}) { contact { id } } }"""
)
RELATE = """mutation($a: ID!, $b: ID!) {
  createRelationship(input: {contactAId: $a, contactBId: $b, type: FRIEND}) { relationship { id } errors { code } } }"""
UNRELATE = """mutation($id: ID!) { deleteRelationship(id: $id) { errors { code } } }"""
MEET = """mutation($ids: [ID!]!, $at: DateTime!) {
  logInteraction(input: {participantIds: $ids, type: MEETING, occurredAt: $at, direction: MUTUAL}) {
    interaction { id } errors { code } } }"""
# graph-derived: the cached graph of the reading process answers these
GRAPH_READ = """query($a: ID!, $b: ID!) {
  mutualConnections(a: $a, b: $b) { count contacts { fullName } }
  contact(id: $a) { strength { interactionCount lastInteractionAt } connections { edges { node { fullName } } } }
  networkStats { contacts relationships }
}"""


async def test_a_write_in_one_process_is_read_exactly_by_the_next_request_to_the_other(
    two_processes: tuple[int, int], account: Account
) -> None:
    a, b = two_processes
    token = account.token
    ids = [
        post(a, token, CREATE, {"name": name})["data"]["createContact"]["contact"]["id"]
        for name in ("Ada Lovelace", "Bob Babbage", "Cy Clerk")
    ]
    ada, bob, cy = ids
    pair = {"a": ada, "b": bob}
    # both processes hold a built graph of this user before the writes begin
    assert post(a, token, GRAPH_READ, pair) == post(b, token, GRAPH_READ, pair)

    def after_write_on(writer: int, reader: int, mutation: str, variables: dict[str, Any]) -> Any:
        body = post(writer, token, mutation, variables)
        assert "errors" not in body, body
        seen = post(reader, token, GRAPH_READ, pair)  # the very next request, elsewhere
        assert seen == post(writer, token, GRAPH_READ, pair)
        return body, seen

    _, seen = after_write_on(a, b, RELATE, {"a": ada, "b": cy})
    assert seen["data"]["mutualConnections"]["count"] == 0
    body, seen = after_write_on(b, a, RELATE, {"a": bob, "b": cy})
    assert seen["data"]["mutualConnections"] == {"count": 1, "contacts": [{"fullName": "Cy Clerk"}]}
    assert seen["data"]["networkStats"] == {"contacts": 3, "relationships": 2}
    bob_cy = body["data"]["createRelationship"]["relationship"]["id"]

    _, seen = after_write_on(a, b, MEET, {"ids": [ada], "at": "2026-11-30T10:00:00Z"})
    assert seen["data"]["contact"]["strength"]["interactionCount"] == 1
    assert seen["data"]["contact"]["strength"]["lastInteractionAt"].startswith(
        "2026-11-30T10:00:00"
    )

    _, seen = after_write_on(a, b, UNRELATE, {"id": bob_cy})
    assert seen["data"]["mutualConnections"]["count"] == 0
    assert seen["data"]["networkStats"]["relationships"] == 1


async def test_a_revoked_token_stops_working_in_both_processes(
    two_processes: tuple[int, int], account: Account, pool: asyncpg.Pool
) -> None:
    a, b = two_processes
    async with pool.acquire() as conn:
        token = await accounts.create_token(conn, account.user.id, "to revoke")
    me = "{ me { email } }"
    for port in (a, b):  # cached in each process's token cache
        assert post(port, token, me)["data"]["me"]["email"] == account.user.email
    async with pool.acquire() as conn:
        assert await accounts.revoke_token(conn, token)
    revoked_at = time.monotonic()
    for port in (a, b):
        # the NOTIFY reaches each process asynchronously; the cache's lifetime bounds it
        while not codes(body := post(port, token, me)):
            assert time.monotonic() - revoked_at < TOKEN_CACHE_SECONDS + 1, body
            await asyncio.sleep(0.05)
        assert codes(body) == ["UNAUTHENTICATED"]
    for port in (a, b):  # and stays refused
        assert codes(post(port, token, me)) == ["UNAUTHENTICATED"]


async def test_the_rate_limit_is_per_process(
    two_processes: tuple[int, int], make_account: Any
) -> None:
    a, b = two_processes
    caller = await make_account()
    me = "{ me { email } }"

    def allowed(port: int, attempts: int) -> int:
        return sum(not codes(post(port, caller.token, me)) for _ in range(attempts))

    # 30 a minute per process: the bucket holds 30, refilling one every 2 s, so 40 quick
    # requests to one process get 30 (or 31 with a refill); the other process has its
    # own 30. Two processes allow 2 x 30 a minute to one caller (README).
    assert allowed(a, 40) in (30, 31)
    assert codes(post(a, caller.token, me)) == ["RATE_LIMITED"]
    assert allowed(b, 40) in (30, 31)


def test_serve_with_two_workers_shares_one_port_and_stops_as_one(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "GRAPH_API_DATA_DIR": str(tmp_path),
        "GRAPH_API_PORT": str(port),
        "GRAPH_API_DEMO_CONTACTS": "30",
    }
    env_without_url = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    process = subprocess.Popen(
        [sys.executable, "-m", "graph_api", "serve", "--workers", "2"],
        env={**env_without_url, "GRAPH_API_EMBEDDINGS": "none", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = []
        for line in process.stdout:
            banner.append(line)
            if "Ctrl-C stops" in line:
                break
        text = "".join(banner)
        assert "(2 worker processes)" in text, text
        token = text.split("Bearer ", 1)[1].split('"', 1)[0]
        workers = [
            child
            for child in psutil.Process(process.pid).children()
            if "graph_api" in " ".join(child.cmdline())
        ]
        assert len(workers) == 2
        # workers bind the port with SO_REUSEPORT as they start: until then, retry
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                body = post(port, token, "{ me { email } contacts { totalCount } }")
                break
            except (ConnectionError, urllib.error.URLError):
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert body["data"] == {"me": {"email": "demo@example.com"}, "contacts": {"totalCount": 30}}
        for _ in range(20):  # fresh connections, whichever worker takes each
            assert post(port, token, "{ contacts { totalCount } }")["data"]["contacts"] == {
                "totalCount": 30
            }
    finally:
        assert stop(process) == 0
    assert not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers)
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists(), (
        "the embedded database kept running"
    )
