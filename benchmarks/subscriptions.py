"""Subscriptions across processes: the latency from a mutation answered by process A to
the event at a subscriber of process B, and how many events a second process B fans out
to 100 subscribers.

    .venv/bin/python -m benchmarks.subscriptions [--events 2000] [--subscribers 100]

Starts an embedded PostgreSQL in a temporary directory and two `graph-api serve`
processes on it (127.0.0.1, no embedding model, rate limit off, no demo), creates a
user and a token with `graph-api user create`, then:

1. latency: one subscriber on B (`contactChanged { kind contactId }`); 200
   `createContact` mutations on A, one at a time; for each, the time from sending the
   mutation to the event arriving on B, and from A's answer to the event on B;
2. fan-out: `--subscribers` WebSocket connections on B, all of the user, subscribed to
   `contactChanged` selecting `kind contactId` (no database work per event) and then
   `contact { fullName }` (one load per event per subscriber); `--events` events are
   notified in batches of 200 (below a subscriber's 256-event allowance, so none is cut
   off) from a plain connection, each batch sent once every subscriber has the last;
   events/s = events / time until every subscriber has them all.

The client (this process) reads every socket itself, so the figure is a floor for the
server. Every process started is stopped by its pid.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import orjson

from benchmarks.fault import free_port, start_serve
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import ensure_database, with_database

PROTOCOL = "graphql-transport-ws"
BATCH = 200
LATENCY_SAMPLES = 200
CREATE = (
    """mutation($name: String!) { createContact(input: {fullName: $name}) { contact { id } } }"""
)
LIGHT = "subscription Light { contactChanged { kind contactId } }"
LOADING = "subscription Loading { contactChanged { kind contact { fullName } } }"


async def subscribe(session: aiohttp.ClientSession, port: int, token: str, query: str) -> Any:
    ws = await session.ws_connect(f"http://127.0.0.1:{port}/graphql", protocols=[PROTOCOL])
    await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    ack = await ws.receive_json(timeout=10)
    assert ack["type"] == "connection_ack", ack
    await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
    return ws


async def latency(port_a: int, port_b: int, token: str) -> tuple[list[float], list[float]]:
    sent_to_event: list[float] = []
    answered_to_event: list[float] = []
    async with aiohttp.ClientSession() as session:
        ws = await subscribe(session, port_b, token, LIGHT)
        await asyncio.sleep(0.5)
        headers = {"Authorization": f"Bearer {token}"}
        for n in range(LATENCY_SAMPLES):
            sent = time.perf_counter()
            async with session.post(
                f"http://127.0.0.1:{port_a}/graphql",
                json={"query": CREATE, "variables": {"name": f"Latency {n}"}},
                headers=headers,
            ) as response:
                body = await response.json()
            answered = time.perf_counter()
            wanted = body["data"]["createContact"]["contact"]["id"]
            while True:
                message = await ws.receive_json(timeout=10)
                if message["payload"]["data"]["contactChanged"]["contactId"] == wanted:
                    break
            arrived = time.perf_counter()
            sent_to_event.append((arrived - sent) * 1000)
            answered_to_event.append((arrived - answered) * 1000)
        await ws.close()
    return sent_to_event, answered_to_event


async def fan_out(
    port_b: int, token: str, url: str, user_id: uuid.UUID, events: int, subscribers: int, query: str
) -> float:
    async with aiohttp.ClientSession() as session:
        sockets = [await subscribe(session, port_b, token, query) for _ in range(subscribers)]
        await asyncio.sleep(1.0)
        counts = [0] * subscribers
        batch_done = asyncio.Event()
        reached = [0]  # subscribers that have the whole batch
        problems: dict[str, int] = {}
        target = 0

        async def read(index: int, ws: Any) -> None:
            async for message in ws:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    break
                body = orjson.loads(message.data)
                if body["type"] != "next" or "errors" in body.get("payload", {}):
                    problems[str(body)[:300]] = problems.get(str(body)[:300], 0) + 1
                counts[index] += 1
                if counts[index] == target:
                    reached[0] += 1
                    if reached[0] == subscribers:
                        batch_done.set()

        readers = [asyncio.create_task(read(i, ws)) for i, ws in enumerate(sockets)]
        conn = await asyncpg.connect(url)
        try:
            contact_id = await conn.fetchval(
                "insert into contacts (user_id, full_name) values ($1, 'Fan-out') returning id",
                user_id,
            )
            payload = orjson.dumps(
                {
                    "u": str(user_id),
                    "t": "contact",
                    "a": "updated",
                    "id": str(contact_id),
                    "c": [str(contact_id)],
                }
            ).decode()
            started = time.perf_counter()
            sent = 0
            while sent < events:
                size = min(BATCH, events - sent)
                target = sent + size
                batch_done.clear()
                reached[0] = 0
                # distinct payloads: PostgreSQL folds identical ones within a transaction
                await conn.execute(
                    "select pg_notify('graph_events', jsonb_set($1::jsonb, '{n}', to_jsonb(n))::text)"
                    "  from generate_series($2::int, $3::int) n",
                    payload,
                    sent,
                    sent + size - 1,
                )
                try:
                    await asyncio.wait_for(batch_done.wait(), timeout=120)
                except TimeoutError:
                    closed = sum(ws.closed for ws in sockets)
                    raise SystemExit(
                        f"batch {sent}..{target} incomplete: {sorted(counts)[:5]}, {closed} closed, {problems}"
                    ) from None
                sent += size
            elapsed = time.perf_counter() - started
            if problems:
                print(f"  answers with errors: {problems}")
        finally:
            await conn.close()
            for ws in sockets:
                await ws.close()
            for reader in readers:
                reader.cancel()
    return events / elapsed


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


async def measure(ports: tuple[int, int], token: str, url: str, args: argparse.Namespace) -> None:
    conn = await asyncpg.connect(url)
    user_id = await conn.fetchval("select id from users where email = 'bench@example.com'")
    await conn.close()
    sent, answered = await latency(ports[0], ports[1], token)
    print(
        f"latency, mutation on A -> event on B ({LATENCY_SAMPLES} mutations): "
        f"from sending p50 {statistics.median(sent):.1f} ms, p95 {percentile(sent, 95):.1f} ms; "
        f"from A's answer p50 {statistics.median(answered):.1f} ms, p95 {percentile(answered, 95):.1f} ms"
    )
    queries = (("kind contactId", LIGHT), ("contact { fullName }", LOADING))
    for label, query in queries[args.skip :]:
        rate = await fan_out(ports[1], token, url, user_id, args.events, args.subscribers, query)
        print(
            f"fan-out on B to {args.subscribers} subscribers selecting {label}: "
            f"{rate:,.0f} events/s ({rate * args.subscribers:,.0f} messages/s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--skip", type=int, default=0, help="leave out the first N fan-out runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="graph-api-subs-") as data_dir:
        server = start_embedded(Path(data_dir) / "pgdata")
        processes: list[subprocess.Popen[str]] = []
        try:
            asyncio.run(ensure_database(embedded_url(server, "postgres"), "graph_api"))
            url = with_database(embedded_url(server, "postgres"), "graph_api")
            ports = (free_port(), free_port())
            for index, port in enumerate(ports):
                env = {
                    **os.environ,
                    "DATABASE_URL": url,
                    "GRAPH_API_DATA_DIR": data_dir,
                    "GRAPH_API_HOST": "127.0.0.1",
                    "GRAPH_API_PORT": str(port),
                    "GRAPH_API_RATE_LIMIT_PER_MINUTE": "0",
                    "GRAPH_API_EMBEDDINGS": "none",
                    "GRAPH_API_ACCESS_LOG": "false",
                }
                processes.append(start_serve(env, Path(data_dir) / f"serve-{index}.log"))
            created = subprocess.run(
                [sys.executable, "-m", "graph_api", "user", "create", "bench@example.com"],
                env={**os.environ, "DATABASE_URL": url},
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            token = created.stdout.strip().splitlines()[-1]
            asyncio.run(measure(ports, token, url, args))
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
            stop_embedded(server)


if __name__ == "__main__":
    main()
