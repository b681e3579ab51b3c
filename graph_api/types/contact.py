"""People in the network, and their nested connections."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.db.columns import other_contact
from graph_api.pagination import Keyset, page_request
from graph_api.types.node import Node, global_id
from graph_api.types.pages import Connection, PageInfo
from loaders.nested import (
    CONNECTIONS_KEYSET,
    INTERACTIONS_KEYSET,
    INTERESTS_KEYSET,
    MEMORIES_KEYSET,
    NestedKey,
)

if TYPE_CHECKING:
    from graph_api.types.graph import ContactMetrics, MutualConnections, TieStrength
    from graph_api.types.interaction import Interaction
    from graph_api.types.interest import Interest
    from graph_api.types.memory import Memory
    from graph_api.types.mention import Mention
    from graph_api.types.relationship import Relationship
    from graph_api.types.search import ContactSearchHit

InterestT = Annotated["Interest", strawberry.lazy("graph_api.types.interest")]
MemoryT = Annotated["Memory", strawberry.lazy("graph_api.types.memory")]
MentionT = Annotated["Mention", strawberry.lazy("graph_api.types.mention")]
InteractionT = Annotated["Interaction", strawberry.lazy("graph_api.types.interaction")]
RelationshipT = Annotated["Relationship", strawberry.lazy("graph_api.types.relationship")]
TieStrengthT = Annotated["TieStrength", strawberry.lazy("graph_api.types.graph")]
ContactMetricsT = Annotated["ContactMetrics", strawberry.lazy("graph_api.types.graph")]
MutualConnectionsT = Annotated["MutualConnections", strawberry.lazy("graph_api.types.graph")]
ContactSearchHitT = Annotated["ContactSearchHit", strawberry.lazy("graph_api.types.search")]

NESTED_DEFAULT = 10
# the most similarContacts one contact may ask for
MAX_SIMILAR_CONTACTS = 50


@strawberry.type(
    description="A connection of a contact: `node` is the other person, `relationship` the tie."
)
class ConnectedContactEdge:
    cursor: str
    node: Contact
    relationship: RelationshipT


@strawberry.type
class ConnectedContactConnection:
    edges: list[ConnectedContactEdge]
    page_info: PageInfo
    total_count: int | None


@strawberry.type(description="A person in the user's network.")
class Contact(Node):
    id: strawberry.ID
    full_name: str
    email: str | None
    phone: str | None
    company: str | None
    job_title: str | None
    location: str | None
    bio: str | None
    tags: list[str]
    notes: str | None
    source: str
    archived: bool = strawberry.field(
        description="Archived contacts are hidden from lists unless asked for."
    )
    archived_at: datetime | None
    last_interaction_at: datetime | None
    birthday: date | None = strawberry.field(
        description="Their day of birth, when known (a BIRTHDAY notification the week before)."
    )
    follow_up_at: datetime | None = strawberry.field(
        description="When to follow up with them (scheduleFollowUp); a FOLLOW_UP notification then."
    )
    follow_up_note: str | None = strawberry.field(description="What the follow-up is about.")
    created_at: datetime
    updated_at: datetime
    row_id: strawberry.Private[UUID]

    @classmethod
    def from_row(cls, row: Any) -> Contact:
        return cls(
            id=global_id("Contact", row["id"]),
            full_name=row["full_name"],
            email=row["email"],
            phone=row["phone"],
            company=row["company"],
            job_title=row["job_title"],
            location=row["location"],
            bio=row["bio"],
            tags=row["tags"],
            notes=row["notes"],
            source=row["source"],
            archived=row["archived_at"] is not None,
            archived_at=row["archived_at"],
            last_interaction_at=row["last_interaction_at"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            birthday=row["birthday"],
            follow_up_at=row["follow_up_at"],
            follow_up_note=row["follow_up_note"],
            row_id=row["id"],
        )

    @strawberry.field(
        description="The user's tie to this contact, explained (recency, frequency, reciprocity)."
    )
    async def strength(self, info: Info) -> TieStrengthT:
        from graph_api.types.graph import TieStrength

        network = await info.context.graph()
        return TieStrength.from_result(network.tie(self.row_id))

    @strawberry.field(
        description="Degree, PageRank, betweenness and community in the contact graph; null for an archived contact."
    )
    async def metrics(self, info: Info) -> ContactMetricsT | None:
        from graph_api.graph import service
        from graph_api.types.graph import ContactMetrics

        network = await info.context.graph_with_metrics()
        found = await service.metrics(network, self.row_id)
        if found is None:
            return None
        return ContactMetrics(
            degree=found.degree,
            pagerank=found.pagerank,
            betweenness=found.betweenness,
            community_id=found.community_id,
            computed_at=network.computed_at,
        )

    @strawberry.field(
        name="mutualConnections", description="Contacts this contact and `with` both know."
    )
    async def mutual_connections_with(
        self,
        info: Info,
        with_: Annotated[strawberry.ID, strawberry.argument(name="with")],
        first: int = 50,
    ) -> MutualConnectionsT:
        from graph_api.graph import service
        from graph_api.types.graph import MutualConnections
        from graph_api.types.node import decode_id

        network = await info.context.graph()
        other = decode_id(with_, "Contact", field="with")
        return MutualConnections.from_result(
            service.mutual_connections(network, self.row_id, other, first, ("id", "with"))
        )

    @strawberry.field(
        description="Contacts whose profile is nearest to this one's in meaning "
        f"(at most {MAX_SIMILAR_CONTACTS}); empty until the profile is embedded."
    )
    async def similar_contacts(self, info: Info, first: int = 5) -> list[ContactSearchHitT]:
        from graph_api.errors import InvalidInput
        from graph_api.types.search import ContactSearchHit

        if not 1 <= first <= MAX_SIMILAR_CONTACTS:
            raise InvalidInput(
                f"`first` must be between 1 and {MAX_SIMILAR_CONTACTS}", field="first"
            )
        # batched: every contact of the level in one statement
        hits = await info.context.loaders.similar_contacts.load((self.row_id, first))
        return [
            ContactSearchHit(contact=Contact.from_row(hit.row), score=hit.score) for hit in hits
        ]

    def _nested(
        self,
        keyset: Keyset,
        first: int | None,
        after: str | None,
        last: int | None,
        before: str | None,
    ) -> NestedKey:
        request = page_request(
            keyset, first=first, after=after, last=last, before=before, default=NESTED_DEFAULT
        )
        return NestedKey(self.row_id, request)

    @strawberry.field(description="Topics this contact cares about, most confident first.")
    async def interests(
        self,
        info: Info,
        first: int | None = NESTED_DEFAULT,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[InterestT]:
        from graph_api.types.interest import Interest

        key = self._nested(INTERESTS_KEYSET, first, after, last, before)
        page = await info.context.loaders.contact_interests.load(key)
        return Connection.build(page, Interest.from_row)

    @strawberry.field(description="Memories about this contact, newest first.")
    async def memories(
        self,
        info: Info,
        first: int | None = NESTED_DEFAULT,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[MemoryT]:
        from graph_api.types.memory import Memory

        key = self._nested(MEMORIES_KEYSET, first, after, last, before)
        page = await info.context.loaders.contact_memories.load(key)
        return Connection.build(page, Memory.from_row)

    @strawberry.field(
        description="Where this contact is named in memories and documents, newest first."
    )
    async def mentioned_in(
        self,
        info: Info,
        first: int | None = NESTED_DEFAULT,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[MentionT]:
        from graph_api.types.mention import mention_page

        return await mention_page(info, "contact_mentions", self.row_id, first, after, last, before)

    @strawberry.field(description="Interactions this contact took part in, most recent first.")
    async def interactions(
        self,
        info: Info,
        first: int | None = NESTED_DEFAULT,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[InteractionT]:
        from graph_api.types.interaction import Interaction

        key = self._nested(INTERACTIONS_KEYSET, first, after, last, before)
        page = await info.context.loaders.contact_interactions.load(key)
        return Connection.build(page, Interaction.from_row)

    @strawberry.field(
        description="People this contact is tied to, strongest tie first; each edge carries the relationship."
    )
    async def connections(
        self,
        info: Info,
        first: int | None = NESTED_DEFAULT,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        min_strength: float | None = None,
    ) -> ConnectedContactConnection:
        from graph_api.domain.validation import number
        from graph_api.types.relationship import Relationship

        min_strength = number(min_strength, field="minStrength", minimum=0.0, maximum=1.0)
        key = self._nested(CONNECTIONS_KEYSET, first, after, last, before)
        loaders = info.context.loaders
        page = await loaders.contact_connections.load(replace(key, min_strength=min_strength))
        edges = []
        for cursor, row in zip(page.cursors, page.rows, strict=True):
            other = other_contact(row)
            loaders.contacts.prime(other["id"], other)
            edges.append(
                ConnectedContactEdge(
                    cursor=cursor,
                    node=Contact.from_row(other),
                    relationship=Relationship.from_row(row),
                )
            )
        return ConnectedContactConnection(
            edges=edges,
            page_info=PageInfo.from_page(page),
            total_count=page.total_count,
        )
