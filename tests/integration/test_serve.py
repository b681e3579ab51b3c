"""`graph-api serve` end to end, as `make serve` runs it: embedded PostgreSQL,
migrations, demo seed, banner with a token, Ctrl-C, and a restart that finds
the data intact."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def start(data_dir: Path, port: int) -> tuple[subprocess.Popen[str], str]:
    env = {
        **os.environ,
        "GRAPH_API_DATA_DIR": str(data_dir),
        "GRAPH_API_PORT": str(port),
        "GRAPH_API_DEMO_CONTACTS": "40",
    }
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "graph_api", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + STARTUP_SECONDS
    assert process.stdout is not None
    for line in process.stdout:
        if '"Authorization": "Bearer ' in line:
            token = line.split("Bearer ", 1)[1].split('"', 1)[0]
            return process, token
        assert time.monotonic() < deadline, "serve did not print a token in time"
    raise AssertionError(f"serve exited early with {process.wait()}")


def post(port: int, token: str, query: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body: dict[str, Any] = json.loads(response.read())
    return body


def stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGINT)
    return process.wait(timeout=60)


def test_serve_seeds_answers_stops_cleanly_and_restarts(tmp_path: Path) -> None:
    port = free_port()
    process, token = start(tmp_path, port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as ready:
            assert ready.status == 200
        body = post(port, token, "{ me { email } contacts { totalCount } }")
        assert body["data"] == {"me": {"email": "demo@example.com"}, "contacts": {"totalCount": 40}}

        # another shell, same database, while serve runs
        created = subprocess.run(
            [sys.executable, "-m", "graph_api", "user", "create", "other@example.com"],
            env={**os.environ, "GRAPH_API_DATA_DIR": str(tmp_path)},
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        other_token = created.stdout.strip().splitlines()[-1]
        other = post(port, other_token, "{ me { email } contacts { totalCount } }")
        assert other["data"] == {
            "me": {"email": "other@example.com"},
            "contacts": {"totalCount": 0},
        }
    finally:
        assert stop(process) == 0
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists(), (
        "the embedded database kept running"
    )

    process, new_token = start(tmp_path, port)
    try:
        body = post(port, new_token, "{ contacts { totalCount } }")
        assert body["data"]["contacts"]["totalCount"] == 40, "restart lost or re-seeded data"
        # each start replaces the demo token
        assert "errors" in post(port, token, "{ me { email } }")
    finally:
        assert stop(process) == 0
