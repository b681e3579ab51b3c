"""Batch functions for the nearest neighbours of a level's rows: `Memory.related` and
`Contact.similarContacts`, one statement for every parent (graph_api/search/nearest.py).

A key is (parent id, how many); sibling fields share their `first`, so a batch is
one group in practice, and one statement per distinct `first` otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar
from uuid import UUID

import asyncpg

NearestKey = tuple[UUID, int]
H = TypeVar("H")


async def load_nearest(
    pool: asyncpg.Pool,
    search: Callable[[asyncpg.Pool, UUID, Sequence[UUID], int], Awaitable[list[list[H]]]],
    user_id: UUID,
    keys: Sequence[NearestKey],
) -> list[list[H]]:
    by_limit: dict[int, list[UUID]] = defaultdict(list)
    for parent_id, limit in keys:
        by_limit[limit].append(parent_id)
    found: dict[NearestKey, list[H]] = {}
    for limit, parent_ids in by_limit.items():
        hits = await search(pool, user_id, parent_ids, limit)
        found.update(((parent_id, limit), h) for parent_id, h in zip(parent_ids, hits, strict=True))
    return [found.get(key, []) for key in keys]
