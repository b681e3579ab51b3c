"""linkMemories, unlinkMemories."""

from __future__ import annotations

import strawberry

from graph_api.context import Info
from graph_api.domain import memory_links
from graph_api.types.memory_links import MemoryLink, MemoryLinkType
from graph_api.types.mutations.common import UserError, run
from graph_api.types.node import decode_id, global_id


@strawberry.input
class LinkMemoriesInput:
    from_id: strawberry.ID
    to_id: strawberry.ID = strawberry.field(description="Another memory of yours.")
    type: MemoryLinkType
    strength: float | None = strawberry.field(default=None, description="0..1; default 1.")


@strawberry.input
class UnlinkMemoriesInput:
    from_id: strawberry.ID
    to_id: strawberry.ID
    type: MemoryLinkType | None = strawberry.field(
        default=None, description="Omit to remove every link from `fromId` to `toId`."
    )


@strawberry.type
class LinkMemoriesPayload:
    link: MemoryLink | None
    errors: list[UserError]


@strawberry.type
class UnlinkMemoriesPayload:
    unlinked_ids: list[strawberry.ID] = strawberry.field(description="The links removed.")
    errors: list[UserError]


@strawberry.type
class MemoryLinkMutations:
    @strawberry.mutation(
        description="Link one memory to another with a type and a strength. Refused: a memory linked to "
        "itself (BAD_USER_INPUT), a memory that is not yours (NOT_FOUND), the same type twice in one "
        "direction (CONFLICT)."
    )
    async def link_memories(self, info: Info, input: LinkMemoriesInput) -> LinkMemoriesPayload:
        row, errors = await run(
            info,
            lambda conn, actor: memory_links.link_memories(
                conn,
                actor,
                from_id=decode_id(input.from_id, "Memory", field="fromId"),
                to_id=decode_id(input.to_id, "Memory", field="toId"),
                type=input.type.value,
                strength=input.strength,
            ),
        )
        return LinkMemoriesPayload(
            link=None if row is None else MemoryLink.from_row(row), errors=errors
        )

    @strawberry.mutation(
        description="Remove the links from one memory to another (one type, or all); NOT_FOUND when none."
    )
    async def unlink_memories(
        self, info: Info, input: UnlinkMemoriesInput
    ) -> UnlinkMemoriesPayload:
        rows, errors = await run(
            info,
            lambda conn, actor: memory_links.unlink_memories(
                conn,
                actor,
                from_id=decode_id(input.from_id, "Memory", field="fromId"),
                to_id=decode_id(input.to_id, "Memory", field="toId"),
                type=None if input.type is None else input.type.value,
            ),
        )
        return UnlinkMemoriesPayload(
            unlinked_ids=[global_id("MemoryLink", row["id"]) for row in rows or []],
            errors=errors,
        )
