"""Stored links between memories: `Memory.links` and what `linkMemories` returns."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.types.node import global_id
from graph_api.types.pages import PageInfo

if TYPE_CHECKING:
    from graph_api.types.memory import Memory

MemoryT = Annotated["Memory", strawberry.lazy("graph_api.types.memory")]


@strawberry.enum(description="How one memory bears on another.")
class MemoryLinkType(Enum):
    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    FOLLOWS_UP = "follows_up"
    DUPLICATES = "duplicates"
    RELATED = "related"


@strawberry.enum(description="Seen from a memory: a link it makes, or one made to it.")
class LinkDirection(Enum):
    OUTGOING = "OUTGOING"
    INCOMING = "INCOMING"


@strawberry.type(description="A stored link from one memory to another.")
class MemoryLink:
    id: strawberry.ID
    type: MemoryLinkType
    strength: float = strawberry.field(description="0..1.")
    created_at: datetime
    from_id: strawberry.Private[UUID]
    to_id: strawberry.Private[UUID]

    @classmethod
    def from_row(cls, row: Any) -> MemoryLink:
        return cls(
            id=global_id("MemoryLink", row["id"]),
            type=MemoryLinkType(row["type"]),
            strength=row["strength"],
            created_at=row["created_at"],
            from_id=row["from_memory_id"],
            to_id=row["to_memory_id"],
        )

    @strawberry.field(name="from", description="The memory the link goes from.")
    async def from_memory(self, info: Info) -> MemoryT | None:
        return await _memory(info, self.from_id)

    @strawberry.field(name="to", description="The memory the link goes to.")
    async def to_memory(self, info: Info) -> MemoryT | None:
        return await _memory(info, self.to_id)


async def _memory(info: Info, memory_id: UUID) -> Memory | None:
    from graph_api.types.memory import Memory

    row = await info.context.loaders.memories.load(memory_id)
    return None if row is None else Memory.from_row(row)


@strawberry.type(description="A link seen from one memory: `node` is the memory at the other end.")
class MemoryLinkEdge:
    cursor: str
    node: MemoryT
    direction: LinkDirection
    type: MemoryLinkType
    strength: float = strawberry.field(description="0..1.")
    link: MemoryLink


@strawberry.type
class MemoryLinkConnection:
    edges: list[MemoryLinkEdge]
    page_info: PageInfo
    total_count: int | None


def link_of_page_row(row: Any) -> MemoryLink:
    """The link of a `Memory.links` row (its columns are aliased beside the memory's)."""
    return MemoryLink(
        id=global_id("MemoryLink", row["link_id"]),
        type=MemoryLinkType(row["link_type"]),
        strength=row["link_strength"],
        created_at=row["link_created_at"],
        from_id=row["from_memory_id"],
        to_id=row["to_memory_id"],
    )
