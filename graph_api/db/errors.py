"""Turning connection failures into one line a person can act on."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import asyncpg


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or used; the message says what to do."""


def redact_url(url: str) -> str:
    """The URL without its password, safe to print."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


# the database went away or refused us: the client may retry, nothing is our bug
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    asyncpg.TooManyConnectionsError,
    DatabaseUnavailable,
)
