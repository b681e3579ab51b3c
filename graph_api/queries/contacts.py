"""`contacts(first, after, filter, orderBy)`: the user's contacts, one page at a time.

The WHERE clause is assembled from fixed fragments chosen by which filters are
present; values always travel as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from graph_api.db import columns, tenant
from graph_api.pagination import (
    Conditions,
    Keyset,
    Page,
    PageRequest,
    float_key,
    page_of,
    page_sql,
    text_key,
    time_key,
    uuid_key,
)

ORDERS: dict[str, Keyset] = {
    "NAME_ASC": Keyset("name", ("lower(c.full_name)", "c.id"), (text_key, uuid_key)),
    "NAME_DESC": Keyset(
        "name_desc", ("lower(c.full_name)", "c.id"), (text_key, uuid_key), descending=True
    ),
    # never-contacted people sort last: -infinity stands in for null
    "LAST_INTERACTION_DESC": Keyset(
        "last_interaction",
        ("coalesce(c.last_interaction_at, '-infinity'::timestamptz)", "c.id"),
        (time_key, uuid_key),
        descending=True,
    ),
    "CREATED_ASC": Keyset("created", ("c.created_at", "c.id"), (time_key, uuid_key)),
    "CREATED_DESC": Keyset(
        "created_desc", ("c.created_at", "c.id"), (time_key, uuid_key), descending=True
    ),
    # `st` holds the user's tie score per contact, from the graph
    "STRENGTH_DESC": Keyset(
        "strength", ("coalesce(st.score, 0)", "c.id"), (float_key, uuid_key), descending=True
    ),
}

# the tie scores as parameters: ($2, $3) = (contact ids, scores)
STRENGTH_JOIN = "left join unnest($2::uuid[], $3::float8[]) as st(id, score) on st.id = c.id"


def needs_strength(filters: ContactFilter, order: str) -> bool:
    return order == "STRENGTH_DESC" or filters.min_strength is not None


@dataclass(frozen=True)
class ContactFilter:
    search: str | None = None
    company: str | None = None
    tags: tuple[str, ...] = ()
    interest_topic: str | None = None
    include_archived: bool = False
    min_strength: float | None = None
    interest_min_confidence: float | None = None


def _where(filters: ContactFilter, args: list[Any]) -> str:
    """Conditions for the filters present; appends their values to `args`."""
    where = Conditions(args, "c.user_id = $1")
    if not filters.include_archived:
        where.add("c.archived_at is null")
    if filters.search:
        pattern = where.param("%" + _escape_like(filters.search.lower()) + "%")
        where.add(
            f"(lower(c.full_name) like {pattern} or lower(c.email) like {pattern}"
            f" or lower(c.company) like {pattern})"
        )
    if filters.company:
        where.add(f"lower(c.company) = lower({where.param(filters.company)})")
    if filters.tags:
        where.add(f"c.tags @> {where.param(list(filters.tags))}::text[]")
    if filters.min_strength is not None:
        where.add(f"coalesce(st.score, 0) >= {where.param(filters.min_strength)}")
    if filters.interest_topic or filters.interest_min_confidence is not None:
        interest = ["i.user_id = c.user_id", "i.contact_id = c.id"]
        if filters.interest_topic:
            interest.append(f"lower(i.topic) = lower({where.param(filters.interest_topic)})")
        if filters.interest_min_confidence is not None:
            # the decayed value, as Interest.effectiveConfidence shows it
            interest.append(
                f"{columns.EFFECTIVE_CONFIDENCE} >= {where.param(filters.interest_min_confidence)}"
            )
        where.add(f"exists (select 1 from interests i where {' and '.join(interest)})")
    return where.sql()


Scores = tuple[list[UUID], list[float]]


def contacts_page_statement(
    filters: ContactFilter, order: str, request: PageRequest, scores: Scores | None = None
) -> tuple[str, list[Any]]:
    """The page's statement and its arguments ($1 is the user's id, to be filled in):
    `limit + 1` rows in reading order, each with its sort keys (`sort_key_0`, …)."""
    keyset = ORDERS[order]
    args: list[Any] = [None]
    join = ""
    if scores is not None:
        args.extend(scores)
        join = STRENGTH_JOIN
    where = _where(filters, args)
    statement = page_sql(
        select=columns.CONTACT,
        source=f"contacts c {join}",
        where=where,
        keyset=keyset,
        request=request,
        args=args,
    )
    return statement, args


async def contacts_page(
    pool: asyncpg.Pool,
    user_id: UUID,
    filters: ContactFilter,
    order: str,
    request: PageRequest,
    scores: Scores | None = None,
) -> Page:
    """One page; `scores` (from the graph) must be given when `needs_strength`."""
    statement, args = contacts_page_statement(filters, order, request, scores)
    args[0] = user_id
    rows = await tenant.fetch(pool, user_id, f"-- contacts_page\n{statement}", *args)
    return page_of(ORDERS[order], request, rows)


async def count_contacts(
    pool: asyncpg.Pool, user_id: UUID, filters: ContactFilter, scores: Scores | None = None
) -> int:
    args: list[Any] = [user_id]
    join = ""
    if scores is not None:
        args.extend(scores)
        join = STRENGTH_JOIN
    where = _where(filters, args)
    count: int = await tenant.fetchval(
        pool,
        user_id,
        f"-- contacts_count\n select count(*) from contacts c {join} where {where}",
        *args,
    )
    return count


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
