"""Contacts seeded from the CLI while `serve` runs are embedded by the serving process
promptly (`contact_profiles_stale`, NOTIFY at the seed's commit), not at its next restart
or retry round: the retry period is an hour here, so only the announcement can do it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from tests.integration.test_serve import free_port, post

STARTUP_SECONDS = 120
EMBED_SECONDS = 90


def test_contacts_seeded_while_serving_are_embedded_promptly(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "GRAPH_API_DATA_DIR": str(tmp_path),
        "GRAPH_API_PORT": str(port),
        "GRAPH_API_EMBED_RETRY_SECONDS": "3600",
        "GRAPH_API_NOTIFY_INTERVAL_SECONDS": "0",
        "GRAPH_API_PURGE_INTERVAL_SECONDS": "0",
    }
    email = f"seeded-{uuid.uuid4().hex[:8]}@example.com"
    created = subprocess.run(
        [sys.executable, "-m", "graph_api", "user", "create", email],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    token = created.stdout.strip().splitlines()[-1].split()[-1]
    serve = subprocess.Popen(
        [sys.executable, "-m", "graph_api", "serve", "--no-demo"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        query = '{ searchContacts(query: "software engineer", first: 5) { score contact { fullName } } }'
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:  # ready, and the model loaded (semantic search answers)
            assert serve.poll() is None, "serve exited"
            assert time.monotonic() < deadline, "serve was not ready in time"
            try:
                body = post(port, token, query)
                if "errors" not in body:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert body["data"]["searchContacts"] == []  # no contacts yet

        seeded = subprocess.run(
            [sys.executable, "-m", "graph_api", "seed", "--email", email, "--contacts", "30"],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert seeded.returncode == 0, seeded.stderr

        hits: list[object] = []
        deadline = time.monotonic() + EMBED_SECONDS
        while not hits and time.monotonic() < deadline:
            time.sleep(0.5)
            hits = post(port, token, query)["data"]["searchContacts"]
        assert len(hits) == 5, "the seeded contacts' profiles were not embedded"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as ready:
            assert ready.status == 200
    finally:
        serve.terminate()
        serve.wait(timeout=60)
