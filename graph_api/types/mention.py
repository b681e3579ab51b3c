"""Entity mentions: a contact named in a memory or a document (graph_api/domain/mentions.py)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.pagination import page_request
from graph_api.types.node import global_id
from graph_api.types.pages import Connection
from loaders.mentions import MENTIONS_KEYSET
from loaders.nested import NestedKey

if TYPE_CHECKING:
    from graph_api.types.contact import Contact
    from graph_api.types.document import Document
    from graph_api.types.interaction import Interaction
    from graph_api.types.memory import Memory

ContactT = Annotated["Contact", strawberry.lazy("graph_api.types.contact")]
MemoryT = Annotated["Memory", strawberry.lazy("graph_api.types.memory")]
DocumentT = Annotated["Document", strawberry.lazy("graph_api.types.document")]
InteractionT = Annotated["Interaction", strawberry.lazy("graph_api.types.interaction")]

MENTIONS_DEFAULT = 20


@strawberry.enum(
    description="How a mention was matched to its contact (UNKNOWN: to none; MANUAL: by you, "
    "with resolveMention or createContactFromMention)."
)
class MentionMethod(Enum):
    FULL_NAME = "full_name"
    EMAIL = "email"
    FIRST_NAME_COMPANY = "first_name_company"
    FIRST_NAME = "first_name"
    NICKNAME = "nickname"
    FUZZY = "fuzzy"
    UNKNOWN = "unknown"
    MANUAL = "manual"


@strawberry.type(
    description="A name in a memory's, document's or interaction's text: "
    "`text[startOffset:endOffset]`, the text being the one `field` names; `contact` is who it "
    "names, null while unresolved (no contact, or several that fit)."
)
class Mention:
    id: strawberry.ID
    surface: str = strawberry.field(description="The text as written.")
    start_offset: int
    end_offset: int
    confidence: float = strawberry.field(
        description="0..1: 1 full name or email, 0.9 first name with company (or nickname with "
        "surname), 0.8 × similarity for a misspelt surname, 0.7 a first name only one contact "
        "has, 0.6 such a nickname, 0.5 unresolved."
    )
    method: MentionMethod
    field: str = strawberry.field(
        description="Which text the offsets point into: `content` (a memory's, a document's or "
        "an interaction's), or an interaction's `subject` or `summary`."
    )
    created_at: datetime
    contact_id: strawberry.Private[UUID | None]
    memory_id: strawberry.Private[UUID | None]
    document_id: strawberry.Private[UUID | None]
    interaction_id: strawberry.Private[UUID | None]

    @classmethod
    def from_row(cls, row: Any) -> Mention:
        return cls(
            id=global_id("Mention", row["id"]),
            surface=row["surface"],
            start_offset=row["start_offset"],
            end_offset=row["end_offset"],
            confidence=row["confidence"],
            method=MentionMethod(row["method"]),
            field=row["field"],
            created_at=row["created_at"],
            contact_id=row["contact_id"],
            memory_id=row["memory_id"],
            document_id=row["document_id"],
            interaction_id=row["interaction_id"],
        )

    @strawberry.field
    async def contact(self, info: Info) -> ContactT | None:
        from graph_api.types.contact import Contact

        if self.contact_id is None:
            return None
        row = await info.context.loaders.contacts.load(self.contact_id)
        return None if row is None else Contact.from_row(row)

    @strawberry.field(description="The memory it is in, if it is in one.")
    async def memory(self, info: Info) -> MemoryT | None:
        from graph_api.types.memory import Memory

        if self.memory_id is None:
            return None
        row = await info.context.loaders.memories.load(self.memory_id)
        return None if row is None else Memory.from_row(row)

    @strawberry.field(description="The document it is in, if it is in one.")
    async def document(self, info: Info) -> DocumentT | None:
        from graph_api.types.document import Document

        if self.document_id is None:
            return None
        row = await info.context.loaders.documents.load(self.document_id)
        return None if row is None else Document.from_row(row)

    @strawberry.field(description="The interaction it is in, if it is in one.")
    async def interaction(self, info: Info) -> InteractionT | None:
        from graph_api.types.interaction import Interaction

        if self.interaction_id is None:
            return None
        row = await info.context.loaders.interactions.load(self.interaction_id)
        return None if row is None else Interaction.from_row(row)


async def mention_page(
    info: Info,
    loader_name: str,
    parent_id: UUID,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Mention]:
    request = page_request(
        MENTIONS_KEYSET,
        first=first,
        after=after,
        last=last,
        before=before,
        default=MENTIONS_DEFAULT,
    )
    page = await getattr(info.context.loaders, loader_name).load(NestedKey(parent_id, request))
    return Connection.build(page, Mention.from_row)


@strawberry.type
class MentionQuery:
    @strawberry.field(
        description="Names in your memories, documents and interactions that match no contact (or several), newest "
        "first: people you may want to add."
    )
    async def unresolved_mentions(
        self,
        info: Info,
        first: int | None = MENTIONS_DEFAULT,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Mention]:
        return await mention_page(
            info, "unresolved_mentions", info.context.user_id, first, after, last, before
        )
