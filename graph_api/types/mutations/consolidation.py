"""consolidateMemories, unconsolidate."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.domain import consolidation
from graph_api.types.memory import Memory
from graph_api.types.mutations.common import UserError, run
from graph_api.types.node import contact_id, decode_id


@strawberry.type
class ConsolidatePayload:
    summaries: list[Memory] = strawberry.field(
        description="One SUMMARY memory per group, each linking its sources (Memory.links: "
        "FOLLOWS_UP, or DUPLICATES for a near repeat) and listing them (consolidatedFrom); "
        "embedded in the background (PENDING at first). Empty when nothing was alike enough."
    )
    consolidated_count: int = strawberry.field(
        description="How many memories went into the summaries (hidden from default search, "
        "never deleted)."
    )
    errors: list[UserError]


@strawberry.type
class UnconsolidatePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="The summary, now deleted.")
    restored: list[Memory] = strawberry.field(
        description="Its sources, searchable again, oldest first."
    )
    errors: list[UserError]


@strawberry.type
class ConsolidationMutations:
    @strawberry.mutation(
        description="Sum up a contact's memories created before `olderThan`: grouped by meaning "
        "(average-linkage clustering of their embeddings, groups alike on average by at least "
        "`minSimilarity`, default 0.6), one SUMMARY memory per group of two or more made of its "
        "most central sentences (extractive, deterministic). At most the 200 oldest eligible "
        "memories per call; memories still pending embedding, already consolidated, or "
        "summaries themselves are left out. With `memoryIds`, exactly those are grouped: one "
        "already consolidated is refused (CONFLICT), one of another contact, pending or too "
        "new too (BAD_USER_INPUT); a refusal writes nothing. `unconsolidate` undoes it."
    )
    async def consolidate_memories(
        self,
        info: Info,
        contact_id: strawberry.ID,
        older_than: datetime,
        memory_ids: list[strawberry.ID] | None = None,
        min_similarity: Annotated[
            float | None,
            strawberry.argument(description="0..1; default 0.6 (cosine similarity)."),
        ] = None,
    ) -> ConsolidatePayload:
        async def consolidate(conn, actor):  # type: ignore[no-untyped-def]
            chosen = None
            if memory_ids is not None:
                chosen = [
                    decode_id(i, "Memory", field="memoryIds")
                    for i in memory_ids[: consolidation.MAX_CHOSEN + 1]
                ]
            return await consolidation.consolidate_contact(
                conn,
                actor,
                _contact(contact_id),
                older_than,
                memory_ids=chosen,
                min_similarity=min_similarity,
            )

        result, errors = await run(info, consolidate)
        if result is None:
            return ConsolidatePayload(summaries=[], consolidated_count=0, errors=errors)
        pending = info.context.pending_embedder
        if result.summaries and pending is not None:
            pending.wake(pending_of=info.context.user_id)
        return ConsolidatePayload(
            summaries=[Memory.from_row(row) for row in result.summaries],
            consolidated_count=result.sources,
            errors=errors,
        )

    @strawberry.mutation(
        description="Undo a consolidation: delete the summary (and its links) and bring its "
        "sources back into search. BAD_USER_INPUT for a memory that is not a consolidation "
        "summary."
    )
    async def unconsolidate(self, info: Info, id: strawberry.ID) -> UnconsolidatePayload:
        rows, errors = await run(
            info,
            lambda conn, actor: consolidation.unconsolidate(
                conn, actor, decode_id(id, "Memory", field="id")
            ),
        )
        return UnconsolidatePayload(
            deleted_id=None if rows is None else id,
            restored=[Memory.from_row(row) for row in rows or []],
            errors=errors,
        )


def _contact(value: str) -> UUID:
    return contact_id(value, "contactId")
