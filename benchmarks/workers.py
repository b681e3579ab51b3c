"""Throughput of the nested read with 1 and with 2 API processes, as a ratio from one run.

    .venv/bin/python -m benchmarks.workers [--contacts 10000] [--rounds 3] [--duration 15]

Starts an embedded PostgreSQL in a temporary directory, seeds one user (`--contacts`,
seed 42, as benchmarks/postgraphile.py does), then serves it twice at once on two ports:
`graph-api serve --workers 1` and `graph-api serve --workers 2` (rate limit off, no
embedding provider, no demo; same database). wrk sends benchmarks/nested_query.py's
3-level nested read (20 contacts x 5 connections x 5 interests) to one, then the other,
alternating for `--rounds` rounds (`--warmup` seconds discarded before each run), so
machine noise hits both alike; a non-2xx answer or a body with errors fails the run.
The idle server costs nothing while the other is measured.

Prints a Markdown table: requests/s, p50 and p99 per run, the load average before each,
and the ratio of medians (2 workers / 1 worker). The machine is shared: read the ratio.
Every process started is stopped by its pid.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from benchmarks.nested_query import NESTED
from benchmarks.postgraphile import (
    ROOT,
    WRK_SCRIPT,
    free_port,
    load_average,
    revision,
    seed,
    wrk_binary,
    wrk_once,
)
from graph_api.app import EMBEDDED_DATABASE
from graph_api.db.embedded import embedded_url, start_embedded, stop_embedded
from graph_api.db.pool import ensure_database

CONFIGURATIONS = (1, 2)


def serving_processes(supervisor: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """The processes that answer requests: the workers, or serve itself with one."""
    root = psutil.Process(supervisor.pid)
    workers = [c for c in root.children() if "graph_api" in " ".join(c.cmdline())]
    return workers or [root]


def cpu_seconds(processes: list[psutil.Process]) -> list[float]:
    return [p.cpu_times().user + p.cpu_times().system for p in processes]


def start(data_dir: Path, workers: int, port: int) -> subprocess.Popen[bytes]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "GRAPH_API_APP_DATABASE_URL")
    }
    env.update(
        GRAPH_API_DATA_DIR=str(data_dir),  # attach to the embedded server seeded here
        GRAPH_API_HOST="127.0.0.1",
        GRAPH_API_PORT=str(port),
        GRAPH_API_RATE_LIMIT_PER_MINUTE="0",
        GRAPH_API_EMBEDDINGS="none",
        GRAPH_API_SEED_DEMO="false",
        GRAPH_API_LOG_LEVEL="WARNING",
    )
    log = (data_dir / f"workers-{workers}.log").open("wb")
    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "graph-api"), "serve", "--no-demo", "--workers", str(workers)],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


async def wait_ready(port: int, token: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    async with aiohttp.ClientSession() as session:
        while True:
            if process.poll() is not None:
                sys.exit(f"serve on {port} exited with {process.returncode}")
            try:
                async with session.post(
                    f"http://127.0.0.1:{port}/graphql",
                    json={"query": NESTED},
                    headers={"Authorization": f"Bearer {token}"},
                ) as response:
                    body = await response.json(content_type=None)
                    if response.status == 200 and "errors" not in body:
                        return
            except (aiohttp.ClientError, ValueError):
                pass
            if time.monotonic() > deadline:
                sys.exit(f"serve on {port} did not answer the nested read in 180 s")
            await asyncio.sleep(0.3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per run")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before each run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    wrk = wrk_binary()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="graph_api_bench_workers_") as temp:
        data_dir = Path(temp)
        server = start_embedded(data_dir / "pgdata")
        processes: list[subprocess.Popen[bytes]] = []
        try:
            asyncio.run(ensure_database(embedded_url(server, "postgres"), EMBEDDED_DATABASE))
            seeded = asyncio.run(seed(embedded_url(server, EMBEDDED_DATABASE), args.contacts))
            ports = {workers: free_port() for workers in CONFIGURATIONS}
            for workers in CONFIGURATIONS:
                processes.append(start(data_dir, workers, ports[workers]))
            for workers, process in zip(CONFIGURATIONS, processes, strict=True):
                asyncio.run(wait_ready(ports[workers], seeded.token, process))
            script = data_dir / "nested.lua"
            auth = f'wrk.headers["Authorization"] = "Bearer {seeded.token}"\n'
            script.write_text(
                WRK_SCRIPT.format(
                    label="graph-api", shape="nested", auth=auth,
                    body=json.dumps({"query": NESTED}),
                )
            )  # fmt: skip
            runs: list[dict[str, Any]] = []
            for round_number in range(1, args.rounds + 1):
                for workers in CONFIGURATIONS:
                    port = ports[workers]
                    if args.warmup > 0:
                        wrk_once(wrk, script, port, args.warmup, args.connections, args.threads)
                    load = os.getloadavg()[0]
                    serving = serving_processes(processes[CONFIGURATIONS.index(workers)])
                    before = cpu_seconds(serving)
                    result = wrk_once(
                        wrk, script, port, args.duration, args.connections, args.threads
                    )
                    seconds = result["duration_us"] / 1e6
                    shares = [
                        (after - earlier) / seconds
                        for after, earlier in zip(cpu_seconds(serving), before, strict=True)
                    ]
                    failures = {
                        k: result[k]
                        for k in ("connect", "read", "write", "status", "timeout", "bad")
                        if result[k]
                    }
                    if failures or result["requests"] == 0:
                        sys.exit(f"{workers} worker(s), round {round_number}: failures {failures}")
                    rate = result["requests"] / seconds
                    run = {
                        "round": round_number, "workers": workers, "rate": rate,
                        "p50": result["p50_us"] / 1000, "p99": result["p99_us"] / 1000,
                        "load": load, "cpu": shares,
                    }  # fmt: skip
                    runs.append(run)
                    print(
                        f"round {round_number} workers {workers}: {rate:8.1f} req/s  "
                        f"p50 {run['p50']:6.1f} ms  p99 {run['p99']:6.1f} ms  load {load:.2f}  "
                        f"API CPU {' + '.join(f'{c:.2f}' for c in shares)} cores",
                        file=sys.stderr,
                    )
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            for process in processes:
                try:
                    process.wait(60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
            stop_embedded(server)
    medians = {
        w: statistics.median(r["rate"] for r in runs if r["workers"] == w) for w in CONFIGURATIONS
    }
    print(
        f"Nested read, {args.contacts:,} contacts, wrk -t{args.threads} -c{args.connections}, "
        f"{args.rounds} rounds of {args.duration:g} s alternating (after {args.warmup:g} s of "
        f"warm-up each); {revision()}; {os.cpu_count()} cores; load average at the end "
        f"{load_average()} (1/5/15 min); {time.monotonic() - started:.0f} s in all.\n"
    )
    print(
        "| round | processes | req/s | p50 ms | p99 ms | API CPU, cores (per process) "
        "| load (1 min) before |"
    )
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        print(
            f"| {run['round']} | {run['workers']} | {run['rate']:.1f} | {run['p50']:.1f} | "
            f"{run['p99']:.1f} | {' + '.join(f'{c:.2f}' for c in run['cpu'])} | "
            f"{run['load']:.2f} |"
        )
    print(
        f"\nmedian: 1 process {medians[1]:.1f} req/s, 2 processes {medians[2]:.1f} req/s: "
        f"**{medians[2] / medians[1]:.2f}x**"
    )


if __name__ == "__main__":
    main()
