"""Contact↔contact ties."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.db.ties import CROWD_LIMIT
from graph_api.types.enums import RelationshipSource, RelationshipType
from graph_api.types.node import Node, global_id

if TYPE_CHECKING:
    from graph_api.types.contact import Contact

ContactT = Annotated["Contact", strawberry.lazy("graph_api.types.contact")]


@strawberry.type(description="A tie between two contacts, stored once per pair.")
class Relationship(Node):
    id: strawberry.ID
    type: RelationshipType
    source: RelationshipSource
    manual_strength: float | None = strawberry.field(
        description="The strength a person entered, if any."
    )
    detected_at: datetime
    created_at: datetime
    updated_at: datetime
    # filled when the row came with its computed strength (a connections page)
    known_strength: strawberry.Private[float | None]
    contact_a_id: strawberry.Private[UUID]
    contact_b_id: strawberry.Private[UUID]
    row_id: strawberry.Private[UUID]

    @classmethod
    def from_row(cls, row: Any) -> Relationship:
        return cls(
            id=global_id("Relationship", row["id"]),
            type=RelationshipType(row["type"]),
            source=RelationshipSource(row["source"]),
            manual_strength=row["manual_strength"],
            known_strength=row["strength"] if "strength" in row.keys() else None,  # noqa: SIM118
            detected_at=row["detected_at"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            contact_a_id=row["contact_a_id"],
            contact_b_id=row["contact_b_id"],
            row_id=row["id"],
        )

    @strawberry.field(
        description="The tie's strength, 0..1: the explicit relationship, the interactions both took part in "
        "(time-decayed) and the neighbours they share. See docs/graph.md."
    )
    def strength(self, info: Info) -> float:
        # sync when the row brought it (a connection's page does): no coroutine per
        # edge; else an awaitable, which both executors await
        if self.known_strength is not None:
            return self.known_strength
        return self._computed_strength(info)  # type: ignore[return-value]

    async def _computed_strength(self, info: Info) -> float:
        network = await info.context.graph()
        strength = network.relationship_strength(self.contact_a_id, self.contact_b_id)
        return 0.0 if strength is None else strength

    @strawberry.field(description="One end of the tie (the pair is stored in a fixed order).")
    async def contact_a(self, info: Info) -> ContactT | None:
        return await _contact(info, self.contact_a_id)

    @strawberry.field(description="The other end of the tie.")
    async def contact_b(self, info: Info) -> ContactT | None:
        return await _contact(info, self.contact_b_id)

    @strawberry.field(
        description="How many interactions both contacts took part in, of at most "
        f"{CROWD_LIMIT} people: the ones `strength` counts (a crowd says little about who knows whom)."
    )
    def shared_interaction_count(self, info: Info) -> int:
        # the loader's future itself, awaited by the executor: no coroutine around it
        return info.context.loaders.shared_interaction_counts.load(  # type: ignore[return-value]
            (self.contact_a_id, self.contact_b_id)
        )


async def _contact(info: Info, contact_id: UUID) -> Contact | None:
    from graph_api.types.contact import Contact

    row = await info.context.loaders.contacts.load(contact_id)
    return None if row is None else Contact.from_row(row)
