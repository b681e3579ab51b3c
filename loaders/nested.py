"""Nested connections under a list: every parent's page in one statement.

A key is (parent id, page request, filter); a batch groups keys by everything
but the parent, and each group is one statement (`pagination.nested_page_sql`).
In practice a batch is one group: sibling fields share their arguments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from graph_api.db import columns, tenant
from graph_api.graph.network import Network
from graph_api.pagination import (
    Keyset,
    Page,
    PageRequest,
    float_key,
    make_nested_page,
    nested_page_sql,
    time_key,
    uuid_key,
)


@dataclass(frozen=True)
class NestedKey:
    parent_id: UUID
    request: PageRequest
    min_strength: float | None = None


@dataclass(frozen=True)
class NestedSpec:
    name: str
    select: str
    source: str
    parent: str
    keyset: Keyset


# by effective confidence (decayed by whole days since last reinforced: migration 0070)
INTERESTS_KEYSET = Keyset(
    "confidence", (columns.EFFECTIVE_CONFIDENCE, "i.id"), (float_key, uuid_key), descending=True
)
MEMORIES_KEYSET = Keyset("newest", ("m.created_at", "m.id"), (time_key, uuid_key), descending=True)
INTERACTIONS_KEYSET = Keyset(
    "recent", ("n.occurred_at", "n.id"), (time_key, uuid_key), descending=True
)
# `st` holds the computed strength of each edge at the parents, from the graph
CONNECTIONS_KEYSET = Keyset(
    "strength", ("st.strength", "r.id"), (float_key, uuid_key), descending=True
)

CONTACT_INTERESTS = NestedSpec(
    name="contact_interests_page",
    select=columns.INTEREST,
    source="interests i where i.user_id = $1 and i.contact_id = any($2::uuid[])",
    parent="i.contact_id",
    keyset=INTERESTS_KEYSET,
)

CONTACT_MEMORIES = NestedSpec(
    name="contact_memories_page",
    select=columns.MEMORY,
    source=f"""memories m where m.user_id = $1 and m.contact_id = any($2::uuid[])
               and {columns.UNEXPIRED_MEMORY}""",
    parent="m.contact_id",
    keyset=MEMORIES_KEYSET,
)

CONTACT_INTERACTIONS = NestedSpec(
    name="contact_interactions_page",
    select=columns.INTERACTION,
    source="""interaction_participants p
              join interactions n on n.user_id = p.user_id and n.id = p.interaction_id
             where p.user_id = $1 and p.contact_id = any($2::uuid[])""",
    parent="p.contact_id",
    keyset=INTERACTIONS_KEYSET,
)

# each relationship seen from both ends; the other end's contact comes along, so a
# connection's node costs no statement of its own. The graph's strengths decide which
# rows are connections: edges to archived contacts and suppressed (deleted) rows are
# not in the graph, so the join leaves them out.
CONTACT_CONNECTIONS = NestedSpec(
    name="contact_connections_page",
    select=f"{columns.RELATIONSHIP}, st.strength, {columns.OTHER_CONTACT}",
    source="""relationships r
             join unnest($3::uuid[], $4::float8[]) as st(id, strength) on st.id = r.id
             cross join lateral (values (r.contact_a_id, r.contact_b_id),
                                        (r.contact_b_id, r.contact_a_id)) as ends(self_id, other_id)
             join contacts o on o.user_id = r.user_id and o.id = ends.other_id
             where r.user_id = $1
               and (r.contact_a_id = any($2::uuid[]) or r.contact_b_id = any($2::uuid[]))
               and ends.self_id = any($2::uuid[])""",
    parent="ends.self_id",
    keyset=CONNECTIONS_KEYSET,
)

MIN_STRENGTH = "and st.strength >= $5"


async def load_connection_pages(
    pool: asyncpg.Pool,
    graph: Callable[[], Awaitable[Network]],
    user_id: UUID,
    keys: Sequence[NestedKey],
) -> list[Page]:
    """Connections ordered and filtered by the strengths the graph computed."""
    network = await graph()
    relationship_ids, strengths = network.edge_strengths({key.parent_id for key in keys})
    return await load_pages(pool, CONTACT_CONNECTIONS, user_id, keys, [relationship_ids, strengths])


async def load_pages(
    pool: asyncpg.Pool,
    spec: NestedSpec,
    user_id: UUID,
    keys: Sequence[NestedKey],
    extra_args: Sequence[Any] = (),
) -> list[Page]:
    groups: dict[tuple[PageRequest, float | None], list[UUID]] = defaultdict(list)
    for key in keys:
        groups[(key.request, key.min_strength)].append(key.parent_id)
    pages: dict[NestedKey, Page] = {}
    for (request, min_strength), parent_ids in groups.items():
        args: list[Any] = [user_id, parent_ids, *extra_args]
        source = spec.source
        if min_strength is not None:
            source += f" {MIN_STRENGTH}"
            args.append(min_strength)
        cursor_param = len(args) + 1
        if request.after is not None:
            args.extend(request.after)
        args.append(request.limit)
        statement = nested_page_sql(
            name=spec.name,
            select=spec.select,
            source=source,
            parent=spec.parent,
            keyset=spec.keyset,
            request=request,
            cursor_param=cursor_param,
            limit_param=len(args),
        )
        rows_by_parent: dict[UUID, list[asyncpg.Record]] = defaultdict(list)
        for row in await tenant.fetch(pool, user_id, statement, *args):
            rows_by_parent[row["parent_id"]].append(row)
        for parent_id in parent_ids:
            key = NestedKey(parent_id, request, min_strength)
            pages[key] = make_nested_page(spec.keyset, request, rows_by_parent.get(parent_id, []))
    return [pages[key] for key in keys]
