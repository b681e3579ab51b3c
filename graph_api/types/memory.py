"""Notes, summaries, insights, briefings and talking points."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.types.enums import EmbeddingStatus, MemoryType
from graph_api.types.node import Node, global_id

if TYPE_CHECKING:
    from graph_api.types.contact import Contact
    from graph_api.types.interaction import Interaction
    from graph_api.types.memory_links import MemoryLinkConnection
    from graph_api.types.mention import Mention
    from graph_api.types.search import RelatedMemory

ContactT = Annotated["Contact", strawberry.lazy("graph_api.types.contact")]
InteractionT = Annotated["Interaction", strawberry.lazy("graph_api.types.interaction")]
RelatedMemoryT = Annotated["RelatedMemory", strawberry.lazy("graph_api.types.search")]
MentionT = Annotated["Mention", strawberry.lazy("graph_api.types.mention")]
MemoryLinkConnectionT = Annotated[
    "MemoryLinkConnection", strawberry.lazy("graph_api.types.memory_links")
]

LINKS_DEFAULT = 20
# the most `related` memories one memory may ask for
MAX_RELATED = 50


@strawberry.type(description="Something worth remembering about a contact or the network.")
class Memory(Node):
    id: strawberry.ID
    type: MemoryType
    title: str | None
    content: str
    tags: list[str]
    importance: float = strawberry.field(description="0..1.")
    confidence: float = strawberry.field(description="0..1.")
    embedding_model: str | None = strawberry.field(
        description="The model that embedded it; null until embedded."
    )
    embedding_status: EmbeddingStatus
    expires_at: datetime | None
    created_at: datetime
    updated_at: datetime
    contact_id: strawberry.Private[UUID | None]
    row_id: strawberry.Private[UUID]
    consolidated_into_id: strawberry.Private[UUID | None]

    @classmethod
    def from_row(cls, row: Any) -> Memory:
        return cls(
            id=global_id("Memory", row["id"]),
            type=MemoryType(row["type"]),
            title=row["title"],
            content=row["content"],
            tags=row["tags"],
            importance=row["importance"],
            confidence=row["confidence"],
            embedding_model=row["embedding_model"],
            embedding_status=EmbeddingStatus.EMBEDDED
            if _embedded(row)
            else EmbeddingStatus.PENDING,
            expires_at=row["expires_at"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            contact_id=row["contact_id"],
            row_id=row["id"],
            consolidated_into_id=row["consolidated_into"],
        )

    @strawberry.field(
        description="The contact it is about; null for a memory about the whole network."
    )
    async def contact(self, info: Info) -> ContactT | None:
        from graph_api.types.contact import Contact

        if self.contact_id is None:
            return None
        row = await info.context.loaders.contacts.load(self.contact_id)
        return None if row is None else Contact.from_row(row)

    @strawberry.field(
        description="The consolidation summary this memory went into (consolidateMemories): while "
        "set, it is hidden from searchMemories unless filter.includeConsolidated; null otherwise."
    )
    async def consolidated_into(self, info: Info) -> Memory | None:
        if self.consolidated_into_id is None:
            return None
        row = await info.context.loaders.memories.load(self.consolidated_into_id)
        return None if row is None else Memory.from_row(row)

    @strawberry.field(
        description="For a consolidation summary, the memories it sums up, oldest first "
        "(`unconsolidate` brings them back); empty otherwise."
    )
    async def consolidated_from(self, info: Info) -> list[Memory]:
        rows = await info.context.loaders.consolidated_from.load(self.row_id)
        return [Memory.from_row(row) for row in rows]

    @strawberry.field(description="The interactions it was drawn from, most recent first.")
    async def source_interactions(self, info: Info) -> list[InteractionT]:
        from graph_api.types.interaction import Interaction

        rows = await info.context.loaders.memory_sources.load(self.row_id)
        return [Interaction.from_row(row) for row in rows]

    @strawberry.field(
        description=f"The memories nearest in meaning (cosine similarity), at most {MAX_RELATED}; empty while this one is pending."
    )
    async def related(self, info: Info, first: int = 5) -> list[RelatedMemoryT]:
        from graph_api.errors import InvalidInput
        from graph_api.types.search import RelatedMemory

        if not 1 <= first <= MAX_RELATED:
            raise InvalidInput(f"`first` must be between 1 and {MAX_RELATED}", field="first")
        # batched: every memory of the level in one statement
        hits = await info.context.loaders.related_memories.load((self.row_id, first))
        return [RelatedMemory(memory=Memory.from_row(hit.row), score=hit.score) for hit in hits]

    @strawberry.field(
        description="Its stored links to and from other memories (linkMemories), strongest first; "
        "unlike `related`, nothing here is computed."
    )
    async def links(
        self,
        info: Info,
        first: int | None = LINKS_DEFAULT,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> MemoryLinkConnectionT:
        from graph_api.pagination import page_request
        from graph_api.types.memory_links import (
            LinkDirection,
            MemoryLinkConnection,
            MemoryLinkEdge,
            link_of_page_row,
        )
        from graph_api.types.pages import PageInfo
        from loaders.memory_links import LINKS_KEYSET
        from loaders.nested import NestedKey

        request = page_request(
            LINKS_KEYSET, first=first, after=after, last=last, before=before, default=LINKS_DEFAULT
        )
        loaders = info.context.loaders
        page = await loaders.memory_links.load(NestedKey(self.row_id, request))
        edges = []
        for cursor, row in zip(page.cursors, page.rows, strict=True):
            loaders.memories.prime(row["id"], row)
            link = link_of_page_row(row)
            edges.append(
                MemoryLinkEdge(
                    cursor=cursor,
                    node=Memory.from_row(row),
                    direction=LinkDirection(row["direction"]),
                    type=link.type,
                    strength=link.strength,
                    link=link,
                )
            )
        return MemoryLinkConnection(
            edges=edges, page_info=PageInfo.from_page(page), total_count=page.total_count
        )

    @strawberry.field(
        description="The contacts (and unknown people) named in its content, in order."
    )
    async def mentions(self, info: Info) -> list[MentionT]:
        from graph_api.types.mention import Mention

        rows = await info.context.loaders.memory_mentions.load(self.row_id)
        return [Mention.from_row(row) for row in rows]


def _embedded(row: Any) -> bool:
    # loaders select `embedded`; a write's `returning *` carries the vector itself
    # (`in` on an asyncpg Record tests values, not keys)
    return bool(row["embedded"]) if "embedded" in row.keys() else row["embedding"] is not None  # noqa: SIM118
