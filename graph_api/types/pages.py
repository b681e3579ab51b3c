"""Relay connection types shared by every list: PageInfo, edges, connections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar
from uuid import UUID

import asyncpg
import strawberry

from graph_api.context import Info
from graph_api.pagination import Keyset, Page, PageRequest, page_request

NodeT = TypeVar("NodeT")


@strawberry.type(description="Where a page sits in its list (Relay cursor connections).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def from_page(cls, page: Page) -> PageInfo:
        return cls(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    # counted lazily: only a query that selects totalCount pays for it
    count: strawberry.Private[Callable[[], Awaitable[int]] | int | None]

    @strawberry.field(description="How many items the whole list holds, across all pages.")
    def total_count(self) -> int | None:
        # sync when the count is known (nested pages count in their own statement),
        # so both executors skip a coroutine per connection; else the awaitable
        # count, which both await
        if self.count is None or isinstance(self.count, int):
            return self.count
        return self.count()  # type: ignore[return-value]

    @classmethod
    def build(
        cls,
        page: Page,
        node: Callable[[object], NodeT],
        count: Callable[[], Awaitable[int]] | None = None,
    ) -> Connection[NodeT]:
        return cls(
            edges=[
                Edge(cursor=cursor, node=node(row))
                for cursor, row in zip(page.cursors, page.rows, strict=True)
            ],
            page_info=PageInfo.from_page(page),
            count=page.total_count if page.total_count is not None else count,
        )


async def top_level_connection(
    info: Info,
    keyset: Keyset,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    page: Callable[[asyncpg.Pool, UUID, PageRequest], Awaitable[Page]],
    count: Callable[[asyncpg.Pool, UUID], Awaitable[int]],
    node: Callable[[Any], NodeT],
) -> Connection[NodeT]:
    """A root list of the user's: the page arguments checked against `keyset`, one
    page fetched, `totalCount` counted only when selected."""
    request = page_request(keyset, first=first, after=after, last=last, before=before)
    pool, user_id = info.context.pool, info.context.user_id
    found = await page(pool, user_id, request)
    return Connection.build(found, node, lambda: count(pool, user_id))
