"""Per-request DataLoaders, one per (entity, key) and one per nested connection.

A `Loaders` is built fresh in `get_context` for every request, so a cache never
outlives the request that filled it and never crosses users: each batch function
is bound to the authenticated user's id and scopes its one statement by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg


@dataclass
class Loaders:
    pool: asyncpg.Pool
    # None for an unauthenticated request: its resolvers fail before loading anything
    user_id: UUID | None
