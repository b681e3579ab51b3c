"""createMemory, updateMemory, deleteMemory."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from graph_api.context import Info
from graph_api.domain import memories
from graph_api.search.embeddings import validate_vector
from graph_api.search.on_write import CLIENT_MODEL, embed_for_write
from graph_api.types.enums import EmbeddingStatus, MemoryType
from graph_api.types.memory import Memory
from graph_api.types.mutations.common import DeletePayload, UserError, run
from graph_api.types.node import contact_id, decode_id, global_id, parse_global_id


@strawberry.input
class CreateMemoryInput:
    content: str
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="Omit for a memory about the network."
    )
    type: MemoryType = MemoryType.NOTE
    title: str | None = None
    tags: list[str] | None = None
    importance: float | None = strawberry.field(default=None, description="0..1; default 0.5.")
    source_interaction_ids: list[strawberry.ID] | None = None
    embedding: list[float] | None = strawberry.field(
        default=None,
        description="Your own embedding of title + content (384 finite numbers), instead of the server's model.",
    )
    expires_at: datetime | None = strawberry.field(
        default=None,
        description="When to forget it (in the future): from then on no read or search finds it, "
        "and `graph-api purge` (or serve's purge job) deletes it. Omit to keep it.",
    )


@strawberry.input(description="Only the fields sent change.")
class UpdateMemoryInput:
    content: str | None = strawberry.UNSET
    contact_id: strawberry.ID | None = strawberry.UNSET
    type: MemoryType | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    importance: float | None = strawberry.UNSET
    expires_at: datetime | None = strawberry.field(
        default=strawberry.UNSET,
        description="A new moment to forget it (in the future), or null to keep it.",
    )


@strawberry.type
class MemoryPayload:
    memory: Memory | None
    errors: list[UserError]


def _payload(row: object | None, errors: list[UserError]) -> MemoryPayload:
    return MemoryPayload(memory=None if row is None else Memory.from_row(row), errors=errors)


def _after_write(info: Info, row: Any, errors: list[UserError]) -> MemoryPayload:
    payload = _payload(row, errors)
    pending = info.context.pending_embedder
    if (
        payload.memory is not None
        and payload.memory.embedding_status is EmbeddingStatus.PENDING
        and pending
    ):
        pending.wake(pending_of=info.context.user_id)
    return payload


async def _embed_update(
    info: Info, id: str, input: UpdateMemoryInput
) -> tuple[list[float] | None, str | None, tuple[str | None, str] | None]:
    """The new title + content's embedding when the text changes (None: pending)."""
    if input.content is strawberry.UNSET and input.title is strawberry.UNSET:
        return None, None, None
    parsed = parse_global_id(id)
    if parsed is None or parsed[0] != "Memory":
        return None, None, None  # the mutation answers NOT_FOUND
    current = await info.context.loaders.memories.load(parsed[1])
    if current is None:
        return None, None, None
    title = current["title"] if input.title is strawberry.UNSET else input.title
    content = (
        current["content"]
        if input.content is strawberry.UNSET or input.content is None
        else input.content
    )
    vector, model = await embed_for_write(info.context.embedder, title, content)
    return vector, model, (title, content)


@strawberry.type
class MemoryMutations:
    @strawberry.mutation(
        description="Remember something about a contact or the network. The memory is embedded for semantic "
        "search as it is saved; if the provider is down it is saved anyway, `embeddingStatus: PENDING`."
    )
    async def create_memory(self, info: Info, input: CreateMemoryInput) -> MemoryPayload:
        embedding, model = None, None
        if input.embedding is None:
            embedding, model = await embed_for_write(
                info.context.embedder, input.title, input.content
            )

        async def create(conn, actor):  # type: ignore[no-untyped-def]
            vector, vector_model = embedding, model
            if input.embedding is not None:
                vector, vector_model = (
                    validate_vector(input.embedding, field="embedding"),
                    CLIENT_MODEL,
                )
            # decoding stops one past the cap: enough for the domain to refuse the list
            sources = [
                decode_id(i, "Interaction", field="sourceInteractionIds")
                for i in (input.source_interaction_ids or [])[: memories.MAX_SOURCES + 1]
            ]
            return await memories.create_memory(
                conn,
                actor,
                content=input.content,
                contact_id=None
                if input.contact_id is None
                else contact_id(input.contact_id, "contactId"),
                type=input.type.value,
                title=input.title,
                tags=input.tags,
                importance=input.importance,
                source_interaction_ids=sources,
                embedding=vector,
                embedding_model=vector_model,
                expires_at=input.expires_at,
            )

        return _after_write(info, *await run(info, create))

    @strawberry.mutation(description="Change a memory; only the fields sent change.")
    async def update_memory(
        self, info: Info, id: strawberry.ID, input: UpdateMemoryInput
    ) -> MemoryPayload:
        embedding, model, embedded_text = await _embed_update(info, id, input)

        async def update(conn, actor):  # type: ignore[no-untyped-def]
            fields: dict[str, object] = {}
            for name in ("content", "title", "tags", "importance", "expires_at"):
                value = getattr(input, name)
                if value is not strawberry.UNSET:
                    fields[name] = value
            if input.type is not strawberry.UNSET:
                fields["type"] = None if input.type is None else input.type.value
            if input.contact_id is not strawberry.UNSET:
                fields["contact_id"] = (
                    None if input.contact_id is None else contact_id(input.contact_id, "contactId")
                )
            return await memories.update_memory(
                conn,
                actor,
                decode_id(id, "Memory", field="id"),
                fields,
                embedding,
                model,
                embedded_text,
            )

        return _after_write(info, *await run(info, update))

    @strawberry.mutation
    async def delete_memory(self, info: Info, id: strawberry.ID) -> DeletePayload:
        deleted, errors = await run(
            info,
            lambda conn, actor: memories.delete_memory(
                conn, actor, decode_id(id, "Memory", field="id")
            ),
        )
        return DeletePayload(
            deleted_id=None if deleted is None else global_id("Memory", deleted), errors=errors
        )
