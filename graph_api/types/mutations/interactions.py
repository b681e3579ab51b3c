"""logInteraction."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graph_api.context import Info
from graph_api.domain import interactions
from graph_api.search.interactions import interaction_text
from graph_api.search.on_write import embed_for_write
from graph_api.types.enums import Direction, EmbeddingStatus, InteractionType
from graph_api.types.interaction import Interaction
from graph_api.types.mutations.common import UserError, run
from graph_api.types.node import contact_id


@strawberry.input
class LogInteractionInput:
    participant_ids: list[strawberry.ID] = strawberry.field(
        description=f"1 to {interactions.MAX_PARTICIPANTS} distinct contacts."
    )
    type: InteractionType
    occurred_at: datetime = strawberry.field(
        description="With a time zone offset; not in the future."
    )
    direction: Direction = Direction.MUTUAL
    subject: str | None = None
    content: str | None = None
    summary: str | None = None
    duration_minutes: int | None = None
    sentiment: float | None = strawberry.field(default=None, description="-1 .. 1.")


@strawberry.type
class InteractionPayload:
    interaction: Interaction | None
    errors: list[UserError]


@strawberry.type
class InteractionMutations:
    @strawberry.mutation(
        description="Record an interaction with one or more contacts; updates each one's "
        "lastInteractionAt. Its subject, summary and content are embedded for "
        "`searchMemories(sources: [INTERACTION])` as it is saved (if the provider is down it is "
        "saved anyway, `embeddingStatus: PENDING`), and contacts named in them are stored as "
        "mentions."
    )
    async def log_interaction(self, info: Info, input: LogInteractionInput) -> InteractionPayload:
        # embedded before the transaction: no connection is held while the model thinks
        text = interaction_text(
            *(value.strip() if isinstance(value, str) else None
              for value in (input.subject, input.summary, input.content))
        )  # fmt: skip
        embedding, model = await embed_for_write(info.context.embedder, None, text)

        async def log(conn, actor):  # type: ignore[no-untyped-def]
            participants = [
                contact_id(i, "participantIds")
                for i in input.participant_ids[: interactions.MAX_PARTICIPANTS + 1]
            ]
            return await interactions.log_interaction(
                conn,
                actor,
                participant_ids=participants,
                type=input.type.value,
                occurred_at=input.occurred_at,
                direction=input.direction.value,
                subject=input.subject,
                content=input.content,
                summary=input.summary,
                duration_minutes=input.duration_minutes,
                sentiment=input.sentiment,
                embedding=embedding,
                embedding_model=model,
            )

        row, errors = await run(info, log)
        interaction = None if row is None else Interaction.from_row(row)
        pending = info.context.pending_embedder
        waiting = (
            interaction is not None and interaction.embedding_status is EmbeddingStatus.PENDING
        )
        if waiting and pending is not None:
            pending.wake(pending_of=info.context.user_id)
        return InteractionPayload(interaction=interaction, errors=errors)
