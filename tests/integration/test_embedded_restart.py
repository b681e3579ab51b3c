"""After `kill -9` of a `graph-api serve`, stopping the next one still stops the embedded
PostgreSQL. pgserver keeps the pids of the processes holding the server in the data
directory and stops it when the last one lets go; a killed process never lets go, so
its stale pid once kept the postmaster running for good."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import psutil
import pytest

from graph_api.db.embedded import (
    HANDLES_FILE,
    embedded_url,
    forget_dead_handles,
    start_embedded,
    stop_embedded,
)
from graph_api.db.errors import DatabaseUnavailable
from tests.integration.test_serve import free_port

STARTUP_SECONDS = 90
STOP_SECONDS = 30


def running(pid: int) -> bool:
    """Running, not a zombie waiting for its parent to reap it."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().split()[0])


class Serves:
    """`graph-api serve` processes on one data directory; whatever is left is killed."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.started: list[subprocess.Popen[str]] = []

    def start(self) -> subprocess.Popen[str]:
        env = {
            **os.environ,
            "GRAPH_API_DATA_DIR": str(self.data_dir),
            "GRAPH_API_HOST": "127.0.0.1",
            "GRAPH_API_PORT": str(free_port()),
            "GRAPH_API_EMBEDDINGS": "none",
        }
        env.pop("DATABASE_URL", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "graph_api", "serve", "--no-demo"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.started.append(process)
        deadline = time.monotonic() + STARTUP_SECONDS
        assert process.stdout is not None
        for line in process.stdout:
            if "is serving" in line:
                return process
            assert time.monotonic() < deadline, "serve did not start in time"
        raise AssertionError(f"serve exited early with {process.wait()}")

    def kill_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=STOP_SECONDS)


@pytest.fixture
def serves(tmp_path: Path) -> Iterator[Serves]:
    serves = Serves(tmp_path)
    postmaster: int | None = None
    try:
        yield serves
    finally:
        if (tmp_path / "pgdata" / "postmaster.pid").exists():
            postmaster = postmaster_pid(tmp_path / "pgdata")
        serves.kill_all()
        if postmaster is not None and running(postmaster):  # the test failed: stop it
            os.kill(postmaster, signal.SIGINT)  # PostgreSQL's fast shutdown
            deadline = time.monotonic() + STOP_SECONDS
            while running(postmaster) and time.monotonic() < deadline:
                time.sleep(0.1)
            if running(postmaster):
                os.kill(postmaster, signal.SIGKILL)


def test_ctrl_c_after_a_killed_serve_stops_the_embedded_database(
    serves: Serves, tmp_path: Path
) -> None:
    pgdata = tmp_path / "pgdata"
    killed = serves.start()
    postmaster = postmaster_pid(pgdata)
    killed.kill()  # SIGKILL: no cleanup, its pid stays in the handle list
    killed.wait(timeout=STOP_SECONDS)
    assert running(postmaster), "the postmaster outlives a killed serve"
    assert killed.pid in json.loads((pgdata / HANDLES_FILE).read_text())

    following = serves.start()
    assert postmaster_pid(pgdata) == postmaster  # attached to the running server
    assert json.loads((pgdata / HANDLES_FILE).read_text()) == [following.pid]
    following.send_signal(signal.SIGINT)
    assert following.wait(timeout=STOP_SECONDS) == 0

    deadline = time.monotonic() + STOP_SECONDS
    while running(postmaster) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(postmaster), "Ctrl-C left the embedded PostgreSQL running"
    assert not (pgdata / "postmaster.pid").exists()


def test_only_handles_of_processes_that_no_longer_exist_are_dropped(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
    gone = int(finished.stdout)
    written = time.time() - 10  # the list's last write, as its mtime says
    later = subprocess.Popen(["sleep", "30"])  # so this one started after it
    try:
        handles = tmp_path / HANDLES_FILE
        handles.write_text(json.dumps([1, gone, later.pid]))
        os.utime(handles, (written, written))
        # pid 1 has run since boot: it may be the holder; the other two cannot be
        assert psutil.Process(1).create_time() < written
        assert sorted(forget_dead_handles(tmp_path)) == sorted([gone, later.pid])
        assert json.loads(handles.read_text()) == [1]
        assert forget_dead_handles(tmp_path) == []
    finally:
        later.kill()
        later.wait()


async def test_a_postmaster_killed_under_its_holder_is_started_again_and_stopped(
    tmp_path: Path,
) -> None:
    pgdata = tmp_path / "pgdata"
    server = start_embedded(pgdata)
    first = postmaster_pid(pgdata)
    second: int | None = None
    try:
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + STOP_SECONDS
        while running(first):  # a signal takes a moment to land
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        while True:  # its children may hold the shared memory a moment longer
            try:
                assert start_embedded(pgdata) is server
                break
            except DatabaseUnavailable:
                assert time.monotonic() < deadline, "the server did not start again"
                await asyncio.sleep(0.5)
        second = postmaster_pid(pgdata)
        assert second != first and running(second)
        conn = await asyncpg.connect(embedded_url(server, "postgres"))
        assert await conn.fetchval("select 1") == 1
        await conn.close()
    finally:
        stop_embedded(server)
    # the postmaster stopped is the one running now, not the one pgserver first saw
    assert not running(second)
