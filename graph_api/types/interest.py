"""A contact's topics of interest."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.types.node import Node, global_id

if TYPE_CHECKING:
    from graph_api.types.contact import Contact

ContactT = Annotated["Contact", strawberry.lazy("graph_api.types.contact")]


@strawberry.type(
    description="A topic a contact cares about, reinforced each time it is seen again."
)
class Interest(Node):
    id: strawberry.ID
    category: str
    topic: str
    confidence: float = strawberry.field(description="0..1.")
    evidence_count: int
    first_detected_at: datetime
    last_reinforced_at: datetime
    contact_id: strawberry.Private[UUID]
    row_id: strawberry.Private[UUID]

    @classmethod
    def from_row(cls, row: Any) -> Interest:
        return cls(
            id=global_id("Interest", row["id"]),
            category=row["category"],
            topic=row["topic"],
            confidence=row["confidence"],
            evidence_count=row["evidence_count"],
            first_detected_at=row["first_detected_at"],
            last_reinforced_at=row["last_reinforced_at"],
            contact_id=row["contact_id"],
            row_id=row["id"],
        )

    @strawberry.field(
        description="0..1: `confidence` halved for every GRAPH_API_INTEREST_HALF_LIFE_DAYS (365) since it "
        "was last reinforced; reinforcing it restores `confidence`."
    )
    def effective_confidence(self, info: Info) -> float:
        from graph_api.graph.strength import interest_confidence

        return interest_confidence(
            self.confidence,
            self.last_reinforced_at,
            datetime.now(UTC),
            info.context.graphs.params.interest_half_life_days,
        )

    @strawberry.field
    async def contact(self, info: Info) -> ContactT | None:
        from graph_api.types.contact import Contact

        row = await info.context.loaders.contacts.load(self.contact_id)
        return None if row is None else Contact.from_row(row)
