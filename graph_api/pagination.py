"""Keyset pagination: page arguments, opaque cursors, and the SQL that pages.

A cursor is the row's position in one ordering — its sort key values, the id
last — so a page is `where (keys) > (cursor)` in SQL, using the index for that
order, never OFFSET. Rows inserted while a client walks the pages land before
or after its cursor; none is returned twice and no old one is skipped.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson

from graph_api.errors import InvalidInput

MAX_PAGE_SIZE = 100

CursorValue = str | float | int | UUID | datetime | None


@dataclass(frozen=True)
class Keyset:
    """One ordering: SQL sort expressions (constants, never user input) and their kinds.

    All keys sort in one direction so a single row comparison `(a, b) > ($1, $2)`
    expresses "after the cursor"; nullable keys are coalesced in the expression.
    """

    name: str
    expressions: tuple[str, ...]
    kinds: tuple[Callable[[Any], CursorValue], ...]
    descending: bool = False


@dataclass(frozen=True)
class PageRequest:
    limit: int
    after: tuple[CursorValue, ...] | None
    # paging from the end (`last`/`before`): query in reverse, then flip the rows
    backward: bool


@dataclass(frozen=True)
class Page:
    rows: Sequence[Any]
    cursors: Sequence[str]
    has_next_page: bool
    has_previous_page: bool
    # known for nested pages (a window count in the same statement); top-level
    # connections count lazily, only when `totalCount` is asked for
    total_count: int | None = None


# cursor values, checked strictly: a cursor is client input
def text_key(value: object) -> str:
    if not isinstance(value, str) or "\x00" in value:
        raise ValueError("not a text key")
    return value


def uuid_key(value: object) -> UUID:
    if not isinstance(value, str):
        raise ValueError("not a uuid key")
    return UUID(value)


def float_key(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("not a number key")
    return float(value)


def time_key(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("not a time key")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)  # OverflowError at the ends of the calendar
    return moment


def page_request(
    keyset: Keyset,
    *,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
    default: int = 20,
) -> PageRequest:
    # `last` takes precedence: `first` has a default in the schema, so a client that
    # asks for `last` has usually not chosen a `first` at all
    if last is not None:
        first = None
    if after is not None and before is not None:
        raise InvalidInput("pass either `after` or `before`, not both", field="before")
    if before is not None and last is None:
        # `first` always has its default, so `before` alone would be silently ignored
        raise InvalidInput("`before` pages backward: pass `last` with it", field="before")
    backward = last is not None
    size, field = (last, "last") if backward else (first, "first")
    if size is None:
        size = default
    if not 0 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"`{field}` must be between 0 and {MAX_PAGE_SIZE}", field=field)
    cursor = before if backward else after
    position = decode_cursor(keyset, cursor, "before" if backward else "after") if cursor else None
    return PageRequest(limit=size, after=position, backward=backward)


def encode_cursor(keyset: Keyset, values: Sequence[CursorValue]) -> str:
    plain = [keyset.name, *(_plain(v) for v in values)]
    return base64.urlsafe_b64encode(orjson.dumps(plain)).decode().rstrip("=")


def decode_cursor(keyset: Keyset, cursor: str, field: str) -> tuple[CursorValue, ...]:
    invalid = InvalidInput(f"`{field}` is not a cursor from this list", field=field)
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        plain = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, orjson.JSONDecodeError):
        raise invalid from None
    if (
        not isinstance(plain, list)
        or len(plain) != len(keyset.kinds) + 1
        or plain[0] != keyset.name
    ):
        raise invalid
    try:
        return tuple(
            None if value is None else kind(value)
            for kind, value in zip(keyset.kinds, plain[1:], strict=True)
        )
    except (ValueError, TypeError, OverflowError, AttributeError):
        raise invalid from None


def keyset_condition(keyset: Keyset, request: PageRequest, first_param: int) -> str:
    """`(k1, k2) > ($n, $n+1)`: rows after the cursor in the direction being read."""
    columns = ", ".join(keyset.expressions)
    params = ", ".join(f"${first_param + i}" for i in range(len(keyset.expressions)))
    ascending_read = keyset.descending == request.backward
    return f"({columns}) {'>' if ascending_read else '<'} ({params})"


def keyset_order(keyset: Keyset, request: PageRequest) -> str:
    direction = "asc" if keyset.descending == request.backward else "desc"
    return ", ".join(f"{expression} {direction}" for expression in keyset.expressions)


def make_page(
    keyset: Keyset,
    request: PageRequest,
    rows: Sequence[Any],
    keys: Callable[[Any], Sequence[CursorValue]],
    *,
    cursors: bool = True,
) -> Page:
    """Rows were fetched with limit + 1 in reading order; trim, flip and label them.
    `cursors=False` (nothing shows one): each is "", none is encoded."""
    more = len(rows) > request.limit
    rows = list(rows[: request.limit])
    if request.backward:
        rows.reverse()
    labels = [encode_cursor(keyset, keys(row)) for row in rows] if cursors else [""] * len(rows)
    came_from_cursor = request.after is not None
    return Page(
        rows=rows,
        cursors=labels,
        has_next_page=came_from_cursor if request.backward else more,
        has_previous_page=more if request.backward else came_from_cursor,
    )


def nested_page_sql(
    *,
    name: str,
    select: str,
    source: str,
    parent: str,
    keyset: Keyset,
    request: PageRequest,
    cursor_param: int,
    limit_param: int,
) -> str:
    """One statement paging the children of many parents at once.

    Window functions rank each parent's children in reading order, count them
    (`total_count`) and count those at or before the cursor (`skipped`); the outer
    query keeps the next `limit + 1` after it. Built from constants only.
    """
    keys = ", ".join(f"{e} as sort_key_{i}" for i, e in enumerate(keyset.expressions))
    per_parent = f"partition by {parent}"
    if request.after is None:
        skipped = "0"
    else:
        after = keyset_condition(keyset, request, cursor_param)
        skipped = f"count(*) filter (where not {after}) over ({per_parent})"
    return f"""-- {name}
        select * from (
            select {select}, {parent} as parent_id, {keys},
                   count(*) over ({per_parent}) as total_count,
                   row_number() over ({per_parent} order by {keyset_order(keyset, request)}) as position,
                   {skipped} as skipped
              from {source}
        ) ranked
        where position > skipped and position <= skipped + ${limit_param} + 1
        order by parent_id, position"""


def make_nested_page(
    keyset: Keyset, request: PageRequest, rows: Sequence[Any], *, cursors: bool = True
) -> Page:
    """A page from `nested_page_sql` rows of one parent (limit + 1 of them at most);
    `cursors=False` as for `make_page`."""
    if not rows:
        return Page(
            rows=[],
            cursors=[],
            has_next_page=False,
            has_previous_page=request.after is not None,
            total_count=0,
        )
    total, skipped = rows[0]["total_count"], rows[0]["skipped"]
    more = len(rows) > request.limit
    rows = list(rows[: request.limit])
    if request.backward:
        rows.reverse()
    width = len(keyset.expressions)
    labels = (
        [encode_cursor(keyset, [row[f"sort_key_{i}"] for i in range(width)]) for row in rows]
        if cursors
        else [""] * len(rows)
    )
    return Page(
        rows=rows,
        cursors=labels,
        has_next_page=skipped > 0 if request.backward else more,
        has_previous_page=more if request.backward else skipped > 0,
        total_count=total,
    )


class Conditions:
    """A where clause of constant SQL whose values go into `args` as parameters."""

    def __init__(self, args: list[Any], *conditions: str) -> None:
        self.args = args
        self.conditions = list(conditions)

    def param(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    def add(self, condition: str) -> None:
        self.conditions.append(condition)

    def sql(self) -> str:
        return " and ".join(self.conditions)


def page_sql(
    *, select: str, source: str, where: str, keyset: Keyset, request: PageRequest, args: list[Any]
) -> str:
    """A top-level connection's page: rows matching `where` (its values already in
    `args`) after the cursor, in reading order, each with its sort keys, and one
    more than the page (`page_of` tells from it whether another page follows)."""
    if request.after is not None:
        where += " and " + keyset_condition(keyset, request, len(args) + 1)
        args.extend(request.after)
    args.append(request.limit + 1)
    return f"""select {select}, {sort_keys(keyset)}
          from {source}
         where {where}
         order by {keyset_order(keyset, request)}
         limit ${len(args)}"""


def page_of(keyset: Keyset, request: PageRequest, rows: Sequence[Any]) -> Page:
    """The page `page_sql`'s rows make."""
    return make_page(keyset, request, rows, row_keys(keyset))


def sort_keys(keyset: Keyset) -> str:
    """`expr as sort_key_0, …` for a select list, so a row carries its cursor."""
    return ", ".join(f"{e} as sort_key_{i}" for i, e in enumerate(keyset.expressions))


def row_keys(keyset: Keyset) -> Callable[[Any], list[CursorValue]]:
    width = len(keyset.expressions)
    return lambda row: [row[f"sort_key_{i}"] for i in range(width)]


def _plain(value: CursorValue) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value
