"""Emails, meetings, calls and messages with one or more contacts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.types.enums import Direction, InteractionType
from graph_api.types.node import Node, global_id

if TYPE_CHECKING:
    from graph_api.types.contact import Contact

ContactT = Annotated["Contact", strawberry.lazy("graph_api.types.contact")]


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
            row_id=row["id"],
        )

    @strawberry.field(description="The contacts who took part, by name.")
    async def participants(self, info: Info) -> list[ContactT]:
        from graph_api.types.contact import Contact

        rows = await info.context.loaders.interaction_participants.load(self.row_id)
        return [Contact.from_row(row) for row in rows]
