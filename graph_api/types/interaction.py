"""Emails, meetings, calls and messages with one or more contacts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.types.enums import Direction, EmbeddingStatus, InteractionType
from graph_api.types.node import Node, global_id

if TYPE_CHECKING:
    from graph_api.types.contact import Contact
    from graph_api.types.mention import Mention

ContactT = Annotated["Contact", strawberry.lazy("graph_api.types.contact")]
MentionT = Annotated["Mention", strawberry.lazy("graph_api.types.mention")]


def _embedded(row: Any) -> bool:
    # loaders select `embedded`; a write's `returning *` carries the vector itself
    # (`in` on an asyncpg Record tests values, not keys)
    return bool(row["embedded"]) if "embedded" in row.keys() else row["embedding"] is not None  # noqa: SIM118


@strawberry.type(description="An email, meeting, call or message with one or more contacts.")
class Interaction(Node):
    id: strawberry.ID
    type: InteractionType
    direction: Direction
    subject: str | None
    content: str | None
    summary: str | None
    sentiment: float | None = strawberry.field(description="-1 (negative) .. 1 (positive).")
    occurred_at: datetime
    duration_minutes: int | None
    created_at: datetime
    embedding_model: str | None = strawberry.field(
        description="The model that embedded its subject, summary and content; null until embedded."
    )
    embedding_status: EmbeddingStatus | None = strawberry.field(
        description="PENDING until embedded for search (the provider was down, or it was "
        "imported); null for an interaction with no text."
    )
    row_id: strawberry.Private[UUID]

    @classmethod
    def from_row(cls, row: Any) -> Interaction:
        return cls(
            id=global_id("Interaction", row["id"]),
            type=InteractionType(row["type"]),
            direction=Direction(row["direction"]),
            subject=row["subject"],
            content=row["content"],
            summary=row["summary"],
            sentiment=row["sentiment"],
            occurred_at=row["occurred_at"],
            duration_minutes=row["duration_minutes"],
            created_at=row["created_at"],
            embedding_model=row["embedding_model"],
            embedding_status=EmbeddingStatus.EMBEDDED
            if _embedded(row)
            else EmbeddingStatus.PENDING
            if row["subject"] or row["summary"] or row["content"]
            else None,
            row_id=row["id"],
        )

    @strawberry.field(description="The contacts who took part, by name.")
    async def participants(self, info: Info) -> list[ContactT]:
        from graph_api.types.contact import Contact

        rows = await info.context.loaders.interaction_participants.load(self.row_id)
        return [Contact.from_row(row) for row in rows]

    @strawberry.field(
        description="Contacts named in its subject, summary or content, in the order written "
        "(`field` says which text)."
    )
    async def mentions(self, info: Info) -> list[MentionT]:
        from graph_api.types.mention import Mention

        rows = await info.context.loaders.interaction_mentions.load(self.row_id)
        return [Mention.from_row(row) for row in rows]
