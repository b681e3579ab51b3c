"""addInterest, removeInterest."""

from __future__ import annotations

import strawberry

from graph_api.context import Info
from graph_api.domain import interests
from graph_api.types.interest import Interest
from graph_api.types.mutations.common import (
    DeletePayload,
    UserError,
    profiles_changed,
    run,
)
from graph_api.types.node import contact_id, decode_id, global_id


@strawberry.input
class AddInterestInput:
    contact_id: strawberry.ID
    category: str
    topic: str
    confidence: float | None = strawberry.field(default=None, description="0..1; default 0.5.")


@strawberry.type
class InterestPayload:
    interest: Interest | None
    errors: list[UserError]


@strawberry.type
class InterestMutations:
    @strawberry.mutation(
        description="Record a contact's interest; an existing topic is reinforced "
        "(evidence count + 1, lastReinforcedAt now, confidence the greater)."
    )
    async def add_interest(self, info: Info, input: AddInterestInput) -> InterestPayload:
        row, errors = await run(
            info,
            lambda conn, actor: interests.add_interest(
                conn,
                actor,
                contact_id(input.contact_id, "contactId"),
                input.category,
                input.topic,
                input.confidence,
            ),
        )
        if not errors:
            profiles_changed(info)
        return InterestPayload(
            interest=None if row is None else Interest.from_row(row), errors=errors
        )

    @strawberry.mutation
    async def remove_interest(self, info: Info, id: strawberry.ID) -> DeletePayload:
        deleted, errors = await run(
            info,
            lambda conn, actor: interests.remove_interest(
                conn, actor, decode_id(id, "Interest", field="id")
            ),
        )
        if not errors:
            profiles_changed(info)
        return DeletePayload(
            deleted_id=None if deleted is None else global_id("Interest", deleted), errors=errors
        )
