"""The `graph-api` command line, run as a person would: as a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import asyncpg

from graph_api import accounts

TIMEOUT = 120


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graph_api", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={**os.environ, **(env or {})},
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("graph-api: error:")]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


async def test_user_create_prints_a_working_token_last(
    database_url: str, pool: asyncpg.Pool
) -> None:
    result = run_cli(
        "user",
        "create",
        "CLI.Person@Example.com",
        "--name",
        "Cli Person",
        env={"DATABASE_URL": database_url},
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    viewer = await accounts.authenticate(pool, token)
    assert viewer is not None and viewer.email == "cli.person@example.com"

    again = run_cli("user", "create", "cli.person@example.com", env={"DATABASE_URL": database_url})
    assert_one_line_error(again, "already exists")


async def test_token_create_list_and_revoke(database_url: str, pool: asyncpg.Pool) -> None:
    env = {"DATABASE_URL": database_url}
    assert run_cli("user", "create", "tokens@example.com", env=env).returncode == 0
    created = run_cli("token", "create", "tokens@example.com", "--name", "laptop", env=env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert await accounts.authenticate(pool, token) is not None

    listed = run_cli("token", "list", "tokens@example.com", env=env)
    assert "laptop" in listed.stdout and token not in listed.stdout

    assert run_cli("token", "revoke", token, env=env).returncode == 0
    assert await accounts.authenticate(pool, token) is None
    assert_one_line_error(run_cli("token", "revoke", token, env=env), "nothing revoked")
    assert_one_line_error(
        run_cli("token", "create", "nobody@example.com", env=env), "no user with email"
    )


def test_export_schema_prints_the_committed_sdl() -> None:
    result = run_cli("export-schema")
    assert result.returncode == 0
    assert result.stdout == (Path(__file__).parents[2] / "schema.graphql").read_text()


def test_an_unknown_option_is_one_clear_line() -> None:
    result = run_cli("user", "create", "x@example.com", "--frobnicate")
    assert result.returncode == 2
    assert "unrecognized arguments: --frobnicate" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_malformed_database_url_is_one_clear_line() -> None:
    result = run_cli("migrate", env={"DATABASE_URL": "postgresql://user:secret@host:notaport/db"})
    assert_one_line_error(result, "malformed")
    assert "secret" not in result.stderr


def test_an_unreachable_database_is_one_clear_line() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    result = run_cli("migrate", env={"DATABASE_URL": f"postgresql://u:pw@127.0.0.1:{free_port}/db"})
    assert_one_line_error(result, "cannot connect to PostgreSQL at 127.0.0.1", "DATABASE_URL")


def test_an_unusable_data_directory_is_one_clear_line(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    result = run_cli(
        "migrate", env={"DATABASE_URL": "", "GRAPH_API_DATA_DIR": str(not_a_directory / "data")}
    )
    assert_one_line_error(result, "GRAPH_API_DATA_DIR")


def test_a_bad_setting_is_one_clear_line() -> None:
    assert_one_line_error(run_cli("migrate", env={"GRAPH_API_PORT": "eighty"}), "GRAPH_API_PORT")


def test_a_port_in_use_is_one_clear_line(database_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(
            "serve", "--no-demo",
            env={"DATABASE_URL": database_url, "GRAPH_API_PORT": str(port)},
        )  # fmt: skip
    assert_one_line_error(result, f"port {port}", "GRAPH_API_PORT")
