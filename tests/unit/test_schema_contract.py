"""The contract: `schema.graphql` is exported from the code and pinned, once: the
committed file is the snapshot (a syrupy copy of it would be a second file to update)."""

from __future__ import annotations

from pathlib import Path

from graph_api.schema import export_sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == export_sdl(), (
        "schema.graphql drifted from the code: run `make schema` and review the diff"
    )
