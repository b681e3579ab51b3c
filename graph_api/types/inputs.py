"""Checks for query arguments that reach SQL as values (filters, search text)."""

from __future__ import annotations

from datetime import UTC, datetime

from graph_api.errors import InvalidInput

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


def check_text(value: str | None, field: str, max_length: int) -> str | None:
    """Trimmed text, or None when blank; NUL (which PostgreSQL text refuses) is bad input."""
    if value is None:
        return None
    if "\x00" in value:
        raise InvalidInput(f"`{field}` must not contain NUL characters", field=field)
    if len(value) > max_length:
        raise InvalidInput(f"`{field}` is longer than {max_length} characters", field=field)
    return value.strip() or None


def check_moment(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise InvalidInput(f"`{field}` needs a time zone offset", field=field)
    if not EARLIEST <= value <= LATEST:
        raise InvalidInput(f"`{field}` must be between the years 1900 and 3000", field=field)
    return value
