"""createRelationship, updateRelationship, deleteRelationship."""

from __future__ import annotations

import strawberry

from graph_api.context import Info
from graph_api.domain import relationships
from graph_api.types.enums import RelationshipType
from graph_api.types.mutations.common import DeletePayload, UserError, run
from graph_api.types.node import contact_id, decode_id, global_id
from graph_api.types.relationship import Relationship


@strawberry.input
class CreateRelationshipInput:
    contact_a_id: strawberry.ID
    contact_b_id: strawberry.ID
    type: RelationshipType = RelationshipType.OTHER
    strength: float | None = strawberry.field(default=None, description="A manual strength, 0..1.")


@strawberry.input(
    description="Only the fields sent change; a null strength clears the manual strength."
)
class UpdateRelationshipInput:
    type: RelationshipType | None = strawberry.UNSET
    strength: float | None = strawberry.UNSET


@strawberry.type
class RelationshipPayload:
    relationship: Relationship | None
    errors: list[UserError]


def _payload(row: object | None, errors: list[UserError]) -> RelationshipPayload:
    return RelationshipPayload(
        relationship=None if row is None else Relationship.from_row(row), errors=errors
    )


@strawberry.type
class RelationshipMutations:
    @strawberry.mutation(
        description="Tie two contacts. The pair is stored once, in either order; "
        "the same contact twice is BAD_USER_INPUT, an existing pair a CONFLICT."
    )
    async def create_relationship(
        self, info: Info, input: CreateRelationshipInput
    ) -> RelationshipPayload:
        return _payload(
            *await run(
                info,
                lambda conn, actor: relationships.create_relationship(
                    conn,
                    actor,
                    contact_id(input.contact_a_id, "contactAId"),
                    contact_id(input.contact_b_id, "contactBId"),
                    input.type.value,
                    input.strength,
                ),
            )
        )

    @strawberry.mutation(description="Change a relationship's type or manual strength.")
    async def update_relationship(
        self, info: Info, id: strawberry.ID, input: UpdateRelationshipInput
    ) -> RelationshipPayload:
        fields: dict[str, object] = {}
        if input.type is not strawberry.UNSET:
            fields["type"] = input.type.value if input.type is not None else None
        if input.strength is not strawberry.UNSET:
            fields["manual_strength"] = input.strength
        return _payload(
            *await run(
                info,
                lambda conn, actor: relationships.update_relationship(
                    conn, actor, decode_id(id, "Relationship", field="id"), fields
                ),
            )
        )

    @strawberry.mutation(
        description="Remove a relationship; the contacts stay. The pair stays untied everywhere (connections, "
        "paths, mutual connections, stats, export): later shared interactions do not infer the tie again; "
        "createRelationship declares it anew."
    )
    async def delete_relationship(self, info: Info, id: strawberry.ID) -> DeletePayload:
        deleted, errors = await run(
            info,
            lambda conn, actor: relationships.delete_relationship(
                conn, actor, decode_id(id, "Relationship", field="id")
            ),
        )
        return DeletePayload(
            deleted_id=None if deleted is None else global_id("Relationship", deleted),
            errors=errors,
        )
