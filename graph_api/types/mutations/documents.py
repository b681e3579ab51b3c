"""createDocument, deleteDocument."""

from __future__ import annotations

import strawberry

from graph_api.context import Info
from graph_api.domain import documents
from graph_api.search.chunking import OVERLAP_CHARS, TARGET_CHARS, chunk_text
from graph_api.types.document import Document, DocumentType
from graph_api.types.mutations.common import DeletePayload, UserError, run
from graph_api.types.node import contact_id, decode_id, global_id


@strawberry.input
class CreateDocumentInput:
    title: str = strawberry.field(description=f"1 to {documents.TITLE_MAX} characters.")
    content: str = strawberry.field(
        description=f"Plain text or Markdown, 1 to {documents.CONTENT_MAX:,} characters "
        f"(at most {documents.MAX_CHUNKS:,} chunks)."
    )
    contact_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description=f"The contacts it is about, at most {documents.MAX_CONTACTS}."
    )
    tags: list[str] | None = None
    type: DocumentType = DocumentType.NOTE


@strawberry.type
class DocumentPayload:
    document: Document | None
    errors: list[UserError]


@strawberry.type
class DocumentMutations:
    @strawberry.mutation(
        description="Save a document about contacts. Its text is split into chunks of whole sentences, "
        f"at most {TARGET_CHARS} characters, never across a heading, each starting with the last "
        f"sentence of the one before (up to {OVERLAP_CHARS} characters); chunks are embedded in the "
        "background (the document is PENDING until then) and found by `searchMemories(sources: "
        "[DOCUMENT])`. Empty or oversized content is BAD_USER_INPUT and nothing is saved."
    )
    async def create_document(self, info: Info, input: CreateDocumentInput) -> DocumentPayload:
        async def create(conn, actor):  # type: ignore[no-untyped-def]
            # decoding stops one past the cap: enough for the domain to refuse the list
            contacts = [
                contact_id(i, "contactIds")
                for i in (input.contact_ids or [])[: documents.MAX_CONTACTS + 1]
            ]
            row = await documents.create_document(
                conn,
                actor,
                title=input.title,
                content=input.content,
                chunker=chunk_text,
                contact_ids=contacts,
                tags=input.tags,
                type=input.type.value,
            )
            return row["id"]

        created, errors = await run(info, create)
        if created is None:
            return DocumentPayload(document=None, errors=errors)
        if info.context.pending_embedder is not None:
            info.context.pending_embedder.wake(pending_of=info.context.user_id)
        row = await info.context.loaders.documents.load(created)
        return DocumentPayload(document=None if row is None else Document.from_row(row), errors=[])

    @strawberry.mutation(description="Delete a document and its chunks.")
    async def delete_document(self, info: Info, id: strawberry.ID) -> DeletePayload:
        deleted, errors = await run(
            info,
            lambda conn, actor: documents.delete_document(
                conn, actor, decode_id(id, "Document", field="id")
            ),
        )
        return DeletePayload(
            deleted_id=None if deleted is None else global_id("Document", deleted), errors=errors
        )
