"""Pure checks and normalisation of client input.

Every helper returns the value in the form it is stored in, or raises `InvalidInput`
naming the GraphQL input field (camelCase) so the client can point at it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from graph_api.errors import InvalidInput

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL_LENGTH = 320
MAX_TAGS = 50
MAX_TAG_LENGTH = 50
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
# far enough for any plan; beyond it the driver cannot even convert some values to UTC
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
# an interaction may be logged slightly ahead (a meeting later today, a clock
# in another time zone), never far into the future
INTERACTION_MAX_FUTURE = timedelta(days=1)


def _text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string", field=field)
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the driver
    if "\x00" in value:
        raise InvalidInput(f"{field} must not contain NUL characters", field=field)
    return value.strip()


def optional_text(
    value: object, *, field: str, max_length: int, lowercase: bool = False
) -> str | None:
    """Trimmed (and optionally lowercased) text, or None when absent or blank."""
    if value is None:
        return None
    text = _text(value, field)
    if lowercase:
        text = text.lower()
    if not text:
        return None
    if len(text) > max_length:
        raise InvalidInput(f"{field} must be at most {max_length} characters", field=field)
    return text


def required_text(value: object, *, field: str, max_length: int, lowercase: bool = False) -> str:
    """Trimmed (and optionally lowercased), non-blank text."""
    text = optional_text(value, field=field, max_length=max_length, lowercase=lowercase)
    if text is None:
        raise InvalidInput(f"{field} is required", field=field)
    return text


def email(value: object, *, field: str = "email") -> str | None:
    """A syntactically valid email address, lowercased, or None when absent or blank."""
    address = optional_text(value, field=field, max_length=MAX_EMAIL_LENGTH, lowercase=True)
    if address is None:
        return None
    if not EMAIL.match(address):
        raise InvalidInput(f"{field} is not a valid email address", field=field)
    return address


def number(value: object, *, field: str, minimum: float, maximum: float) -> float | None:
    """A finite number within [minimum, maximum], or None when absent."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise InvalidInput(f"{field} must be a number", field=field)
    result = float(value)
    if not math.isfinite(result):
        raise InvalidInput(f"{field} must be a finite number", field=field)
    if not minimum <= result <= maximum:
        raise InvalidInput(f"{field} must be between {minimum:g} and {maximum:g}", field=field)
    return result


def whole_number(value: object, *, field: str, minimum: int, maximum: int) -> int | None:
    """An integer within [minimum, maximum], or None when absent."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field} must be a whole number", field=field)
    if not minimum <= value <= maximum:
        raise InvalidInput(f"{field} must be between {minimum} and {maximum}", field=field)
    return value


def choice(value: object, *, field: str, allowed: Collection[str]) -> str:
    """One of the allowed lowercase values."""
    if not isinstance(value, str) or value not in allowed:
        options = ", ".join(sorted(allowed))
        raise InvalidInput(f"{field} must be one of: {options}", field=field)
    return value


def tags(value: object, *, field: str = "tags") -> list[str]:
    """Trimmed, lowercased, de-duplicated tags in their first-seen order."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise InvalidInput(f"{field} must be a list of strings", field=field)
    # the size first: work on a list never grows faster than the list
    if len(value) > MAX_TAGS:
        raise InvalidInput(f"{field} must hold at most {MAX_TAGS} tags", field=field)
    result: dict[str, None] = {}  # ordered, and membership in O(1)
    for item in value:
        tag = _text(item, field).lower()
        if not tag:
            raise InvalidInput(f"{field} must not contain blank tags", field=field)
        if len(tag) > MAX_TAG_LENGTH:
            raise InvalidInput(
                f"each of {field} must be at most {MAX_TAG_LENGTH} characters", field=field
            )
        result.setdefault(tag)
    return list(result)


def timestamp(
    value: object,
    *,
    field: str,
    max_future: timedelta | None = None,
    now: datetime | None = None,
) -> datetime:
    """A timezone-aware moment, not before 1900 and, with `max_future`, not later than
    that far ahead of `now` (the current time unless given)."""
    if not isinstance(value, datetime):
        raise InvalidInput(f"{field} must be a date and time", field=field)
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{field} must include a time zone", field=field)
    if value < EARLIEST:
        raise InvalidInput(f"{field} must not be before 1900", field=field)
    if value > LATEST:
        raise InvalidInput(f"{field} must be before the year 3000", field=field)
    if max_future is not None:
        latest = (now or datetime.now(UTC)) + max_future
        if value > latest:
            raise InvalidInput(f"{field} is too far in the future", field=field)
    return value


def birthday(value: object, *, field: str) -> date | None:
    """A day of birth (the year is kept; 29 February is fine): not before 1900, not
    later than today (anywhere on Earth: a day ahead of UTC at most)."""
    if value is None:
        return None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"{field} must be a date (YYYY-MM-DD)", field=field)
    if value.year < EARLIEST.year:
        raise InvalidInput(f"{field} must not be before 1900", field=field)
    if value > (datetime.now(UTC) + timedelta(days=1)).date():
        raise InvalidInput(f"{field} must not be in the future", field=field)
    return value


def optional_timestamp(value: datetime | None, *, field: str) -> datetime | None:
    return None if value is None else timestamp(value, field=field)


def interaction_time(value: object, *, field: str = "occurredAt") -> datetime:
    return timestamp(value, field=field, max_future=INTERACTION_MAX_FUTURE)


def ids(value: object, *, field: str, min_items: int, max_items: int) -> list[UUID]:
    """A list of distinct ids with a bounded length, in the given order."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise InvalidInput(f"{field} must be a list of ids", field=field)
    if len(value) > max_items:
        raise InvalidInput(
            f"{field} must hold between {min_items} and {max_items} ids", field=field
        )
    result: list[UUID] = []
    for item in value:
        if isinstance(item, UUID):
            result.append(item)
            continue
        try:
            result.append(UUID(str(item)))
        except ValueError:
            raise InvalidInput(f"{field} holds an invalid id", field=field) from None
    if not min_items <= len(result) <= max_items:
        raise InvalidInput(
            f"{field} must hold between {min_items} and {max_items} ids", field=field
        )
    if len(set(result)) != len(result):
        raise InvalidInput(f"{field} must not repeat an id", field=field)
    return result
