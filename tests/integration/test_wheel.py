"""The package as a wheel: built from the sources, installed into a fresh virtual
environment outside the checkout, and run as a user of the wheel runs it —
`graph-api migrate`, then `graph-api serve` answering a query — against the
embedded database. What an editable install hides (migrations found from the project
root, files that are not package data) fails here.

The new environment gets only the wheel; its dependencies are borrowed from the
running interpreter's site-packages through a plain path line, which (unlike the
editable install's own `.pth`) runs no import hook, so `graph_api` can come only
from the wheel.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import site
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_api.db.migrations import load_migrations
from tests.integration.test_serve import free_port, post

ROOT = Path(__file__).resolve().parents[2]
# what a wheel is built from; anything else the build needed would fail here
SOURCES = ("pyproject.toml", "README.md", "graph_api", "loaders")
TIMEOUT = 180


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"{args[:3]} exited {result.returncode}:\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel-build")
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    dist = work / "dist"
    # the build backend is already installed here: no isolation, nothing downloaded
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
        "--no-index", "--wheel-dir", dist, source, cwd=work)  # fmt: skip
    (built,) = dist.glob("graph_api-*.whl")
    return built


@pytest.fixture(scope="module")
def venv_bin(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("wheel-venv") / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (venv / "lib" / version / "site-packages" / "borrowed-dependencies.pth").write_text(
        "".join(f"{path}\n" for path in site.getsitepackages())
    )
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install",
        "--quiet", "--no-deps", "--no-index", wheel, cwd=venv.parent)  # fmt: skip
    return venv / "bin"


@pytest.fixture
def outside(tmp_path: Path) -> dict[str, str]:
    """An environment that knows nothing of the checkout."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "PYTHONPATH", "VIRTUAL_ENV"}
    }
    return {
        **env,
        "GRAPH_API_DATA_DIR": str(tmp_path / "data"),
        "GRAPH_API_EMBEDDINGS": "none",
        "GRAPH_API_DEMO_CONTACTS": "20",
    }


def test_the_wheel_ships_the_migrations_unchanged(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        shipped = {
            Path(name).name: hashlib.sha256(archive.read(name)).hexdigest()
            for name in archive.namelist()
            if name.startswith("graph_api/sql/migrations/")
        }
    # the checksums the databases recorded stay valid for an installed package
    assert shipped == {m.file_name: m.checksum for m in load_migrations()}


def test_the_installed_package_is_the_wheel(
    venv_bin: Path, tmp_path: Path, outside: dict[str, str]
) -> None:
    where = run(venv_bin / "python", "-c",
                "import graph_api, loaders; print(graph_api.__file__); print(loaders.__file__)",
                cwd=tmp_path, env=outside)  # fmt: skip
    for line in where.splitlines():
        assert Path(line).is_relative_to(venv_bin.parent), line
        assert not Path(line).is_relative_to(ROOT), line


@pytest.fixture
def serving(venv_bin: Path, tmp_path: Path, outside: dict[str, str]) -> Iterator[tuple[int, str]]:
    migrated = run(venv_bin / "graph-api", "migrate", cwd=tmp_path, env=outside)
    assert f"{len(load_migrations())} migration(s) applied" in migrated, migrated
    assert "applied 0001_data_model.sql" in migrated

    port = free_port()
    process = subprocess.Popen(
        [venv_bin / "graph-api", "serve"],
        cwd=tmp_path,
        env={**outside, "GRAPH_API_HOST": "127.0.0.1", "GRAPH_API_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + TIMEOUT
        token = None
        for line in process.stdout:
            if '"Authorization": "Bearer ' in line:
                token = line.split("Bearer ", 1)[1].split('"', 1)[0]
                break
            assert time.monotonic() < deadline, "serve did not print a token in time"
        assert token is not None, f"serve exited early with {process.wait()}"
        yield port, token
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0


def test_the_installed_wheel_migrates_and_serves(serving: tuple[int, str]) -> None:
    port, token = serving
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as ready:
        assert ready.status == 200
    body = post(port, token, "{ me { email } contacts { totalCount } }")
    assert body["data"] == {"me": {"email": "demo@example.com"}, "contacts": {"totalCount": 20}}
