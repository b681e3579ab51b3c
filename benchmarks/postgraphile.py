"""graph-api against PostGraphile 4 on the same database: throughput and latency.

    .venv/bin/python -m benchmarks.postgraphile [--contacts 10000]

One command does everything: starts an embedded PostgreSQL in a temporary directory,
seeds one user (`--contacts` of them, seed 42), serves it with graph-api as its own
process, exactly as `make serve` runs it (`graph-api serve`, the request pool logging
in as `graph_api_app` under row-level security) but with the rate limit off and no
embedding provider, and with PostGraphile 4 (`--schema public`, connecting as the
tables' owner: no JWT, no RLS, so its queries filter by `userId`), one process each.
PostGraphile is `$POSTGRAPHILE_BIN`, else `postgraphile` on the PATH, else
`npm install postgraphile@4` into a directory under the system's temp dir (kept for
the next run). The load generator is wrk (`apt-get install -y wrk`).

Three shapes, the same data asked of both:

- nested: 20 contacts by last interaction x 5 ties x the other contact's 5 interests.
  The same 20 contacts (PostGraphile leaves archived ones out and, with
  `orderByNullsLast` in its `.postgraphilerc.js`, sorts never-contacted ones last, as
  graph-api does); below them PostGraphile follows the foreign keys (only relationships
  where the contact is `contact_a`, no strengths), so it does no more work than
  graph-api, which follows ties both ways and orders them by computed strength;
- flat: 100 contacts (oldest first), 6 scalar fields;
- by id: one contact and its 5 most confident interests (the seed gives a contact at
  most 4: the first contact with 4 is taken).

Each server's answer to each shape is checked first (HTTP 200, data, no errors) and the
contacts in the two answers compared. Then, unless `--mode latency`:

- throughput: wrk with `--connections` connections, one POST script per server and
  shape, `--warmup` seconds discarded, then `--duration` seconds measured; the two
  servers alternate run by run (graph-api, PostGraphile, graph-api, ...) for
  `--rounds` rounds, so machine noise hits both alike. Any non-2xx answer, socket
  error or body with errors (the scripts check every response) fails the run;
- latency (unless `--mode throughput`): one sequential client, `--requests` requests
  per shape and server, alternating request by request.

Prints Markdown tables, with the load average: the machine is shared, so read the
ratios (measured side by side), not the absolute figures.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import psutil

from benchmarks.nested_query import NESTED
from graph_api import accounts
from graph_api.app import EMBEDDED_DATABASE, apply_migrations
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import ensure_database
from graph_api.demo import today
from graph_api.seed import seed_network
from graph_api.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

# The same 20 contacts as graph-api's: archived ones left out, never-contacted ones last
# (PostGraphile runs with orderByNullsLast), ties broken by id descending
POSTGRAPHILE_QUERY = """
query Nested($user: UUID!) {
  allContacts(first: 20, orderBy: [LAST_INTERACTION_AT_DESC, ID_DESC],
              condition: {userId: $user, archivedAt: null}) {
    nodes {
      id fullName company
      relationshipsByUserIdAndContactAId(first: 5) { nodes {
        type manualStrength
        contactByUserIdAndContactBId { id fullName
          interestsByUserIdAndContactId(first: 5) { nodes { category topic confidence } } }
      } }
    }
  }
}
"""

FLAT = """
query Flat {
  contacts(first: 100, orderBy: CREATED_ASC) {
    edges { node { id fullName email company jobTitle location } }
  }
}
"""

# graph-api leaves archived contacts out of lists; a null condition is `is null`
POSTGRAPHILE_FLAT = """
query Flat($user: UUID!) {
  allContacts(first: 100, orderBy: [CREATED_AT_ASC, ID_ASC],
              condition: {userId: $user, archivedAt: null}) {
    nodes { id fullName email company jobTitle location }
  }
}
"""

BY_ID = """
query ById($id: ID!) {
  contact(id: $id) {
    id fullName email company jobTitle location
    interests(first: 5) { edges { node { category topic confidence } } }
  }
}
"""

# graph-api orders interests by (effective confidence, id), both descending, since
# 737cb8c: the stored confidence decayed by whole days since it was reinforced
# (PostgreSQL's interest_effective_confidence). PostGraphile has only the stored column,
# so the same five interests can come in another order: the check says DIFFER then.
POSTGRAPHILE_BY_ID = """
query ById($user: UUID!, $id: UUID!) {
  contactByUserIdAndId(userId: $user, id: $id) {
    id fullName email company jobTitle location
    interestsByUserIdAndContactId(first: 5, orderBy: [CONFIDENCE_DESC, ID_DESC]) {
      nodes { category topic confidence }
    }
  }
}
"""

# nulls last in every orderBy, as graph-api sorts never-contacted people
POSTGRAPHILE_RC = (
    "module.exports = { options: { graphileBuildOptions: { orderByNullsLast: true } } };\n"
)

SERVERS = ("graph-api", "PostGraphile 4")

WRK_SCRIPT = """\
-- {label}, {shape}: written by benchmarks/postgraphile.py
wrk.method = "POST"
wrk.path = "/graphql"
wrk.headers["Content-Type"] = "application/json"
{auth}wrk.body = [==[{body}]==]

local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
-- a 200 whose body has errors or no data counts as bad too (wrk counts non-2xx itself)
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true)
     or not string.find(body, '"data"', 1, true) then
    bad = bad + 1
  end
end
function done(summary, latency, requests)
  local total_bad = 0
  for _, thread in ipairs(threads) do total_bad = total_bad + thread:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "bad": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "mean_us": %.1f, "max_us": %d}}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, total_bad, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.mean, latency.max))
end
"""


@dataclass(frozen=True)
class Request:
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass(frozen=True)
class Shape:
    name: str
    what: str
    ours: Request
    theirs: Request


@dataclass
class Run:
    server: str
    shape: str
    round: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    server_cpu: float  # the server process's CPU use over the run, 1.0 = one core
    postgres_cpu: float
    load: float


@dataclass
class Servers:
    ours_port: int
    theirs_port: int
    ours: subprocess.Popen[bytes]
    theirs: subprocess.Popen[bytes]
    logs: dict[str, Path] = field(default_factory=dict)

    def port(self, server: str) -> int:
        return self.ours_port if server == SERVERS[0] else self.theirs_port

    def pid(self, server: str) -> int:
        return self.ours.pid if server == SERVERS[0] else self.theirs.pid


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def postgraphile_url(url: str) -> str:
    # asyncpg's "postgresql://postgres:@/db?host=/socket" becomes node-postgres' form
    return url.replace("postgresql://postgres:@/", "postgres://postgres@localhost/")


def global_id(type_name: str, row_id: uuid.UUID | str) -> str:
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


def local_id(value: str) -> str:
    """A graph-api global ID's row id; a PostGraphile UUID as it is."""
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except ValueError:
        return value
    return decoded.partition(":")[2] or value


def revision() -> str:
    """The commit graph-api is served from, and whether its code differs from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
            timeout=30, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "graph_api", "loaders", "sql"], cwd=ROOT,
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown commit"
    return f"commit {commit}" + (" with uncommitted changes to graph-api's code" if dirty else "")


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


# --- tools -------------------------------------------------------------------------------


def postgraphile_binary() -> str:
    configured = os.environ.get("POSTGRAPHILE_BIN") or shutil.which("postgraphile")
    if configured:
        return configured
    directory = Path(tempfile.gettempdir()) / "graph_api_bench_postgraphile4"
    binary = directory / "node_modules" / ".bin" / "postgraphile"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("PostGraphile 4 is needed: install Node.js and npm, or set POSTGRAPHILE_BIN")
        print(f"installing postgraphile@4 into {directory} ...", file=sys.stderr)
        directory.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(directory),
             "postgraphile@4"],
            check=True, timeout=600,
        )  # fmt: skip
    return str(binary)


def wrk_binary() -> str:
    binary = os.environ.get("WRK_BIN") or shutil.which("wrk")
    if binary is None:
        sys.exit(
            "wrk is needed for the throughput runs: apt-get install -y wrk (or --mode latency)"
        )
    return binary


# --- setup -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    user_id: uuid.UUID
    token: str
    contact_id: uuid.UUID  # the by-id shape's contact


async def seed(url: str, contacts: int) -> Seeded:
    await apply_migrations(url, Settings(database_url=url))
    conn = await asyncpg.connect(url)
    try:
        user = await accounts.create_user(conn, "bench@example.com", None)
        token = await accounts.create_token(conn, user.id)
        report = await seed_network(conn, user.id, contacts, 42, today())
        print(
            f"seeded {report.contacts:,} contacts, {report.relationships:,} relationships, "
            f"{report.interactions:,} interactions, {report.interests:,} interests "
            f"in {report.seconds:.1f} s",
            file=sys.stderr,
        )
        # the seed gives a contact 1 to 4 interests: take the first with the most
        contact_id = await conn.fetchval(
            """select c.id from contacts c join interests i using (user_id)
                where c.user_id = $1 and i.contact_id = c.id and c.archived_at is null
                group by c.id, c.created_at
                order by count(*) desc, c.created_at, c.id limit 1""",
            user.id,
        )
        await conn.execute("analyze")
    finally:
        await conn.close()
    return Seeded(user.id, token, contact_id)


def shapes(seeded: Seeded) -> list[Shape]:
    ours = {"Authorization": f"Bearer {seeded.token}"}
    user = str(seeded.user_id)
    return [
        Shape(
            "nested",
            "20 contacts x 5 connections x 5 interests",
            Request({"query": NESTED}, ours),
            Request({"query": POSTGRAPHILE_QUERY, "variables": {"user": user}}, {}),
        ),
        Shape(
            "flat",
            "100 contacts, 6 scalar fields",
            Request({"query": FLAT}, ours),
            Request({"query": POSTGRAPHILE_FLAT, "variables": {"user": user}}, {}),
        ),
        Shape(
            "by id",
            "one contact by id + its 5 interests",
            Request(
                {"query": BY_ID, "variables": {"id": global_id("Contact", seeded.contact_id)}},
                ours,
            ),
            Request(
                {
                    "query": POSTGRAPHILE_BY_ID,
                    "variables": {"user": user, "id": str(seeded.contact_id)},
                },
                {},
            ),
        ),
    ]


def start_servers(data_dir: Path, url: str, binary: str) -> Servers:
    ours_port, theirs_port = free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "GRAPH_API_APP_DATABASE_URL")
    }
    env.update(
        GRAPH_API_DATA_DIR=str(data_dir),  # attach to the embedded server seeded here
        GRAPH_API_HOST="127.0.0.1",
        GRAPH_API_PORT=str(ours_port),
        GRAPH_API_RATE_LIMIT_PER_MINUTE="0",
        # embedding the seeded memories in the background would share the cores
        GRAPH_API_EMBEDDINGS="none",
        GRAPH_API_SEED_DEMO="false",
        GRAPH_API_LOG_LEVEL="WARNING",
    )
    logs = {name: data_dir / f"{name.split()[0].lower()}.log" for name in SERVERS}
    with logs[SERVERS[0]].open("wb") as log:
        ours = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "graph-api"), "serve", "--no-demo"],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    # PostGraphile reads .postgraphilerc.js from its working directory
    config = data_dir / "postgraphile"
    config.mkdir(exist_ok=True)
    (config / ".postgraphilerc.js").write_text(POSTGRAPHILE_RC)
    with logs[SERVERS[1]].open("wb") as log:
        theirs = subprocess.Popen(
            [binary, "-c", postgraphile_url(url), "--schema", "public", "--host", "127.0.0.1",
             "--port", str(theirs_port), "--disable-query-log", "--disable-graphiql"],
            cwd=config, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return Servers(ours_port, theirs_port, ours, theirs, logs)


def stop_servers(servers: Servers) -> None:
    for process in (servers.ours, servers.theirs):
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in (servers.ours, servers.theirs):
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


# --- checking the answers ----------------------------------------------------------------


async def post(
    session: aiohttp.ClientSession, port: int, request: Request
) -> tuple[int, dict[str, Any]]:
    async with session.post(
        f"http://127.0.0.1:{port}/graphql", json=request.body, headers=request.headers
    ) as response:
        return response.status, await response.json(content_type=None)


async def wait_ready(session: aiohttp.ClientSession, servers: Servers, shape: Shape) -> None:
    deadline = time.monotonic() + 120
    for server, request in zip(SERVERS, (shape.ours, shape.theirs), strict=True):
        process = servers.ours if server == SERVERS[0] else servers.theirs
        while True:
            if process.poll() is not None:
                sys.exit(f"{server} exited ({process.returncode}):\n{tail(servers.logs[server])}")
            try:
                status, _ = await post(session, servers.port(server), request)
                if status == 200:
                    break
            except (aiohttp.ClientError, ValueError):
                pass
            if time.monotonic() > deadline:
                sys.exit(f"{server} did not answer in 120 s:\n{tail(servers.logs[server])}")
            await asyncio.sleep(0.3)


def tail(path: Path) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-20:])


def summarize(shape: str, server: str, data: dict[str, Any]) -> dict[str, Any]:
    """The contacts (and what hangs off them) an answer holds, in graph-api's terms."""
    if shape == "nested":
        if server == SERVERS[0]:
            rows = [edge["node"] for edge in data["contacts"]["edges"]]
            ties = [len(row["connections"]["edges"]) for row in rows]
            interests = sum(
                len(e["node"]["interests"]["edges"])
                for r in rows
                for e in r["connections"]["edges"]
            )
        else:
            rows = data["allContacts"]["nodes"]
            ties = [len(row["relationshipsByUserIdAndContactAId"]["nodes"]) for row in rows]
            interests = sum(
                len(t["contactByUserIdAndContactBId"]["interestsByUserIdAndContactId"]["nodes"])
                for r in rows
                for t in r["relationshipsByUserIdAndContactAId"]["nodes"]
            )
        return {
            "contacts": [local_id(row["id"]) for row in rows],
            "ties": sum(ties),
            "interests": interests,
        }
    if shape == "flat":
        if server == SERVERS[0]:
            rows = [edge["node"] for edge in data["contacts"]["edges"]]
        else:
            rows = data["allContacts"]["nodes"]
        return {"contacts": [{**row, "id": local_id(row["id"])} for row in rows]}
    row = data["contact"] if server == SERVERS[0] else data["contactByUserIdAndId"]
    if server == SERVERS[0]:
        topics = [edge["node"] for edge in row.pop("interests")["edges"]]
    else:
        topics = row.pop("interestsByUserIdAndContactId")["nodes"]
    return {"contact": {**row, "id": local_id(row["id"])}, "interests": topics}


async def verify(
    session: aiohttp.ClientSession, servers: Servers, all_shapes: list[Shape]
) -> list[str]:
    """Each answer a 200 with data and no errors; notes where the two servers differ."""
    notes = []
    for shape in all_shapes:
        seen = {}
        for server, request in zip(SERVERS, (shape.ours, shape.theirs), strict=True):
            status, answer = await post(session, servers.port(server), request)
            if status != 200 or "errors" in answer or not answer.get("data"):
                sys.exit(f"{server}, {shape.name}: HTTP {status}: {json.dumps(answer)[:2000]}")
            seen[server] = summarize(shape.name, server, answer["data"])
        ours, theirs = seen[SERVERS[0]], seen[SERVERS[1]]
        if shape.name == "nested":
            same = len(set(ours["contacts"]) & set(theirs["contacts"]))
            order = "same order" if ours["contacts"] == theirs["contacts"] else "different order"
            notes.append(
                f"nested: {same} of the top {len(ours['contacts'])} contacts are the same ({order}); "
                f"graph-api {ours['ties']} ties and {ours['interests']} interests, "
                f"PostGraphile {theirs['ties']} ties and {theirs['interests']} interests "
                "(it follows only relationships where the contact is contact_a)"
            )
        elif ours == theirs:
            count = len(ours["contacts"]) if shape.name == "flat" else len(ours["interests"])
            unit = "contacts" if shape.name == "flat" else "interests"
            notes.append(f"{shape.name}: identical answers ({count} {unit})")
        else:
            notes.append(
                f"{shape.name}: the answers DIFFER: graph-api {json.dumps(ours)[:400]} ... "
                f"PostGraphile {json.dumps(theirs)[:400]} ..."
            )
    return notes


# --- throughput --------------------------------------------------------------------------


def write_scripts(directory: Path, all_shapes: list[Shape]) -> dict[tuple[str, str], Path]:
    scripts = {}
    for shape in all_shapes:
        for server, request in zip(SERVERS, (shape.ours, shape.theirs), strict=True):
            auth = "".join(
                f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}\n"
                for name, value in request.headers.items()
            )
            path = directory / f"{server.split()[0].lower()}_{shape.name.replace(' ', '_')}.lua"
            path.write_text(
                WRK_SCRIPT.format(
                    label=server, shape=shape.name, auth=auth, body=json.dumps(request.body)
                )
            )
            scripts[server, shape.name] = path
    return scripts


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def postgres_cpu_seconds(postmaster: psutil.Process) -> float:
    """The postmaster's and its backends', the living and those it has reaped."""
    own = postmaster.cpu_times()
    total = float(own.user + own.system + own.children_user + own.children_system)
    for child in postmaster.children():
        with contextlib.suppress(psutil.Error):
            total += cpu_seconds(child)
    return total


def wrk_once(
    wrk: str, script: Path, port: int, seconds: float, connections: int, threads: int
) -> dict[str, Any]:
    command = [
        wrk, "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s",
        "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}/graphql",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    for line in done.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            result: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
            return result
    sys.exit(f"wrk printed no summary ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def sessions(server_url: str) -> int:
    """Connections ever opened to the benchmark's database (asked from another one)."""

    async def ask() -> int:
        conn = await asyncpg.connect(server_url)
        try:
            count = await conn.fetchval(
                "select sessions from pg_stat_database where datname = $1", EMBEDDED_DATABASE
            )
        finally:
            await conn.close()
        return int(count or 0)

    return asyncio.run(ask())


def throughput(
    servers: Servers,
    all_shapes: list[Shape],
    scripts: dict[tuple[str, str], Path],
    postmaster: psutil.Process,
    server_url: str,
    args: argparse.Namespace,
) -> list[Run]:
    wrk = wrk_binary()
    runs = []
    processes = {server: psutil.Process(servers.pid(server)) for server in SERVERS}
    for round_number in range(1, args.rounds + 1):
        for shape in all_shapes:
            for server in SERVERS:
                script, port = scripts[server, shape.name], servers.port(server)
                if args.warmup > 0:
                    wrk_once(wrk, script, port, args.warmup, args.connections, args.threads)
                load = os.getloadavg()[0]
                cpu, pg_cpu = cpu_seconds(processes[server]), postgres_cpu_seconds(postmaster)
                opened = sessions(server_url)
                result = wrk_once(
                    wrk, script, port, args.duration, args.connections, args.threads
                )  # fmt: skip
                time.sleep(1.1)  # backends report their statistics at most once a second
                opened = sessions(server_url) - opened
                seconds = result["duration_us"] / 1e6
                server_cpu = (cpu_seconds(processes[server]) - cpu) / seconds
                postgres_cpu = (postgres_cpu_seconds(postmaster) - pg_cpu) / seconds
                failures = {
                    key: result[key]
                    for key in ("connect", "read", "write", "status", "timeout", "bad")
                    if result[key]
                }
                if failures or result["requests"] == 0:
                    sys.exit(
                        f"{server}, {shape.name}, round {round_number}: "
                        f"{result['requests']} requests, failures {failures} "
                        "(status: non-2xx or 3xx responses; bad: bodies with errors or no data)"
                    )
                run = Run(
                    server, shape.name, round_number, result["requests"] / seconds,
                    result["p50_us"] / 1000, result["p99_us"] / 1000, server_cpu, postgres_cpu,
                    load,
                )  # fmt: skip
                runs.append(run)
                print(
                    f"round {round_number} {shape.name:>6} {server:<14} "
                    f"{run.requests_per_second:8.1f} req/s  p50 {run.p50_ms:7.1f} ms  "
                    f"p99 {run.p99_ms:7.1f} ms  server CPU {run.server_cpu:4.2f}  "
                    f"postgres CPU {run.postgres_cpu:4.2f}  load {load:.2f}  "
                    f"({result['requests']} requests, 0 non-2xx, {opened} new PG sessions)",
                    file=sys.stderr,
                )
    return runs


# --- sequential latency ------------------------------------------------------------------


async def latency(
    session: aiohttp.ClientSession,
    servers: Servers,
    all_shapes: list[Shape],
    args: argparse.Namespace,
) -> dict[tuple[str, str], list[float]]:
    samples: dict[tuple[str, str], list[float]] = {}
    for shape in all_shapes:
        requests = list(zip(SERVERS, (shape.ours, shape.theirs), strict=True))

        async def once(server: str, request: Request, name: str = shape.name) -> float:
            start = time.perf_counter()
            status, answer = await post(session, servers.port(server), request)
            elapsed = time.perf_counter() - start
            if status != 200 or "errors" in answer:
                sys.exit(f"{server}, {name}: HTTP {status}: {json.dumps(answer)[:2000]}")
            return elapsed

        for _ in range(20):
            for server, request in requests:
                await once(server, request)
        deadline = time.monotonic() + args.max_seconds
        for server, _ in requests:
            samples[server, shape.name] = []
        for _ in range(args.requests):
            for server, request in requests:
                samples[server, shape.name].append(await once(server, request))
            if time.monotonic() > deadline:
                break
    return samples


# --- report ------------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


def report(
    args: argparse.Namespace,
    notes: list[str],
    runs: list[Run],
    samples: dict[tuple[str, str], list[float]],
    all_shapes: list[Shape],
    loads: tuple[str, str],
    served: str,
) -> None:
    print()
    print(
        f"graph-api at {served}; {args.contacts:,} contacts; load average (1/5/15 min) {loads[0]} at the start, "
        f"{loads[1]} at the end; {os.cpu_count()} CPUs"
    )
    for note in notes:
        print(f"- {note}")
    if runs:
        print()
        print(
            f"Throughput: wrk, {args.connections} connections, {args.threads} thread(s), "
            f"{args.duration:g} s per run after {args.warmup:g} s of warm-up, {args.rounds} rounds "
            "alternating the servers; medians of the rounds, 0 non-2xx:"
        )
        print()
        print(
            "| shape | graph-api req/s | PostGraphile req/s | ratio req/s | "
            "graph-api p50 / p99 | PostGraphile p50 / p99 | ratio p50 |"
        )
        print("|---|---|---|---|---|---|---|")
        cpu_rows = []
        for shape in all_shapes:
            ours = [run for run in runs if run.shape == shape.name and run.server == SERVERS[0]]
            theirs = [run for run in runs if run.shape == shape.name and run.server == SERVERS[1]]

            def med(items: list[Run], attribute: str) -> float:
                return float(statistics.median(getattr(run, attribute) for run in items))

            def per_request(items: list[Run], attribute: str) -> float:
                """CPU milliseconds per request (median over the rounds)."""
                return float(
                    statistics.median(
                        getattr(run, attribute) / run.requests_per_second * 1000 for run in items
                    )
                )

            print(
                f"| {shape.name} ({shape.what}) "
                f"| {med(ours, 'requests_per_second'):,.0f} | {med(theirs, 'requests_per_second'):,.0f} "
                f"| {med(ours, 'requests_per_second') / med(theirs, 'requests_per_second'):.2f} "
                f"| {med(ours, 'p50_ms'):.1f} / {med(ours, 'p99_ms'):.1f} ms "
                f"| {med(theirs, 'p50_ms'):.1f} / {med(theirs, 'p99_ms'):.1f} ms "
                f"| {med(ours, 'p50_ms') / med(theirs, 'p50_ms'):.2f} |"
            )
            cpu_rows.append(
                f"| {shape.name} "
                f"| {med(ours, 'server_cpu'):.2f} + {med(ours, 'postgres_cpu'):.2f} "
                f"| {med(theirs, 'server_cpu'):.2f} + {med(theirs, 'postgres_cpu'):.2f} "
                f"| {per_request(ours, 'server_cpu'):.2f} + {per_request(ours, 'postgres_cpu'):.2f} ms "
                f"| {per_request(theirs, 'server_cpu'):.2f} + {per_request(theirs, 'postgres_cpu'):.2f} ms |"
            )
        print()
        print(
            "Where the CPU went (medians of the rounds; cores busy during a run, and CPU time "
            "per request: the server's process + PostgreSQL's):"
        )
        print()
        print(
            "| shape | graph-api cores (server + PostgreSQL) | PostGraphile cores "
            "| graph-api CPU per request | PostGraphile CPU per request |"
        )
        print("|---|---|---|---|---|")
        for row in cpu_rows:
            print(row)
        print()
        print("Every run (req/s; load average at its start):")
        print()
        print("| shape | round | graph-api | PostGraphile | load |")
        print("|---|---|---|---|---|")
        for shape in all_shapes:
            for round_number in range(1, args.rounds + 1):
                pair = {
                    run.server: run
                    for run in runs
                    if run.shape == shape.name and run.round == round_number
                }
                print(
                    f"| {shape.name} | {round_number} "
                    f"| {pair[SERVERS[0]].requests_per_second:,.0f} "
                    f"| {pair[SERVERS[1]].requests_per_second:,.0f} "
                    f"| {pair[SERVERS[0]].load:.2f} / {pair[SERVERS[1]].load:.2f} |"
                )
    if samples:
        print()
        print(
            f"Sequential latency: one client, {args.requests} requests per shape and server "
            "after 20 warm-up, alternating request by request:"
        )
        print()
        print("| shape | server | p50 | p95 | mean |")
        print("|---|---|---|---|---|")
        for shape in all_shapes:
            for server in SERVERS:
                values = samples[server, shape.name]
                print(
                    f"| {shape.name} | {server} | {quantile(values, 0.5) * 1000:.1f} ms "
                    f"| {quantile(values, 0.95) * 1000:.1f} ms "
                    f"| {statistics.mean(values) * 1000:.1f} ms |"
                )
            ratio = quantile(samples[SERVERS[0], shape.name], 0.5) / quantile(
                samples[SERVERS[1], shape.name], 0.5
            )
            print(f"| {shape.name} | ratio graph-api / PostGraphile (p50) | {ratio:.2f} | | |")


# --- main --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument(
        "--mode", choices=["both", "throughput", "latency"], default="both",
        help="throughput (wrk), sequential latency, or both (default)",
    )  # fmt: skip
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk before each run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--requests", type=int, default=300, help="sequential requests per shape and server"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=120, help="cap on each shape's sequential loop"
    )
    parser.add_argument(
        "--shapes", default="nested,flat,by id", help="comma-separated: nested, flat, by id"
    )
    args = parser.parse_args()
    if args.mode != "latency":
        wrk_binary()
    binary = postgraphile_binary()
    wanted = [name.strip() for name in args.shapes.split(",")]
    start_load, served = load_average(), revision()
    with tempfile.TemporaryDirectory(prefix="graph_api_pgl_") as directory:
        data_dir = Path(directory)
        server = start_embedded(data_dir / "pgdata")
        try:
            url = embedded_url(server, EMBEDDED_DATABASE)
            asyncio.run(ensure_database(embedded_url(server, "postgres"), EMBEDDED_DATABASE))
            seeded = asyncio.run(seed(url, args.contacts))
            all_shapes = [shape for shape in shapes(seeded) if shape.name in wanted]
            postmaster = psutil.Process(server.get_postmaster_info().pid)
            servers = start_servers(data_dir, url, binary)
            try:

                async def check() -> list[str]:
                    async with aiohttp.ClientSession() as session:
                        await wait_ready(session, servers, all_shapes[0])
                        return await verify(session, servers, all_shapes)

                notes = asyncio.run(check())
                for note in notes:
                    print(note, file=sys.stderr)
                runs: list[Run] = []
                if args.mode != "latency":
                    scripts = write_scripts(data_dir, all_shapes)
                    runs = throughput(
                        servers, all_shapes, scripts, postmaster,
                        embedded_url(server, "postgres"), args,
                    )  # fmt: skip
                samples: dict[tuple[str, str], list[float]] = {}
                if args.mode != "throughput":

                    async def sequential() -> dict[tuple[str, str], list[float]]:
                        async with aiohttp.ClientSession() as session:
                            return await latency(session, servers, all_shapes, args)

                    samples = asyncio.run(sequential())
            finally:
                stop_servers(servers)
        finally:
            stop_embedded(server)
    report(args, notes, runs, samples, all_shapes, (start_load, load_average()), served)


if __name__ == "__main__":
    main()
