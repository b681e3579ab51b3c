"""Documents about contacts and their chunks."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.pagination import page_request
from graph_api.types.enums import EmbeddingStatus
from graph_api.types.node import Node, global_id
from graph_api.types.pages import Connection
from loaders.documents import CHUNKS_KEYSET
from loaders.nested import NestedKey

if TYPE_CHECKING:
    from graph_api.types.contact import Contact

ContactT = Annotated["Contact", strawberry.lazy("graph_api.types.contact")]

CHUNKS_DEFAULT = 20


@strawberry.enum
class DocumentType(Enum):
    NOTE = "note"
    ARTICLE = "article"
    TRANSCRIPT = "transcript"
    EMAIL = "email"
    REPORT = "report"
    OTHER = "other"


@strawberry.type(
    description="A text about contacts, split into overlapping chunks (a few sentences each, never "
    "across a heading) that are embedded for search in the background."
)
class Document(Node):
    id: strawberry.ID
    title: str
    type: DocumentType
    content: str = strawberry.field(description="The whole text, as saved (trimmed).")
    tags: list[str]
    source: str = strawberry.field(description="api or import.")
    chunk_count: int
    embedding_status: EmbeddingStatus = strawberry.field(
        description="EMBEDDED once every chunk is; PENDING until then (keyword search finds them meanwhile)."
    )
    created_at: datetime
    updated_at: datetime
    row_id: strawberry.Private[UUID]

    @classmethod
    def from_row(cls, row: Any) -> Document:
        return cls(
            id=global_id("Document", row["id"]),
            title=row["title"],
            type=DocumentType(row["type"]),
            content=row["content"],
            tags=row["tags"],
            source=row["source"],
            chunk_count=row["chunk_count"],
            embedding_status=EmbeddingStatus.PENDING
            if row["pending_chunk_count"]
            else EmbeddingStatus.EMBEDDED,
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            row_id=row["id"],
        )

    @strawberry.field(description="The contacts it is about, by name.")
    async def contacts(self, info: Info) -> list[ContactT]:
        from graph_api.types.contact import Contact

        rows = await info.context.loaders.document_contacts.load(self.row_id)
        return [Contact.from_row(row) for row in rows]

    @strawberry.field(description="Its chunks in reading order.")
    async def chunks(
        self,
        info: Info,
        first: int | None = CHUNKS_DEFAULT,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[DocumentChunk]:
        request = page_request(
            CHUNKS_KEYSET,
            first=first,
            after=after,
            last=last,
            before=before,
            default=CHUNKS_DEFAULT,
        )
        page = await info.context.loaders.document_chunk_pages.load(NestedKey(self.row_id, request))
        return Connection.build(page, DocumentChunk.from_row)


@strawberry.type(
    description="A passage of a document: a few whole sentences under one heading; "
    "`document.content[startOffset:endOffset]` is its text."
)
class DocumentChunk(Node):
    id: strawberry.ID
    position: int = strawberry.field(description="0-based, in reading order.")
    heading: str | None = strawberry.field(description="The heading of its section, if any.")
    content: str
    start_offset: int = strawberry.field(
        description="Where it starts in the document (characters)."
    )
    end_offset: int = strawberry.field(description="Where it ends (exclusive).")
    embedding_model: str | None
    embedding_status: EmbeddingStatus
    created_at: datetime
    document_id: strawberry.Private[UUID]

    @classmethod
    def from_row(cls, row: Any) -> DocumentChunk:
        return cls(
            id=global_id("DocumentChunk", row["id"]),
            position=row["chunk_position"],
            heading=row["heading"],
            content=row["content"],
            start_offset=row["start_offset"],
            end_offset=row["end_offset"],
            embedding_model=row["embedding_model"],
            embedding_status=EmbeddingStatus.EMBEDDED
            if row["embedded"]
            else EmbeddingStatus.PENDING,
            created_at=row["created_at"],
            document_id=row["document_id"],
        )

    @strawberry.field(description="The document it belongs to.")
    async def document(self, info: Info) -> Document | None:
        row = await info.context.loaders.documents.load(self.document_id)
        return None if row is None else Document.from_row(row)
