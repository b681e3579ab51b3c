"""briefing(contactId, topic): what to know before meeting someone, in one query.

Every part is read in one round of loads, started together: the user's graph (the
tie's strength and its parts, the 1-hop circle), the contact, their last
interactions, their interests, their strongest connections, their open
notifications, and a hybrid search of
the memories and document chunks of the contact and their circle (after the topic's
embedding). Only the search's hits then load their rows (one statement per source).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import strawberry

from graph_api.context import Info
from graph_api.db.columns import other_contact
from graph_api.domain.validation import optional_text
from graph_api.errors import InvalidInput, NotFound, ServiceUnavailable
from graph_api.graph.strength import interest_confidence
from graph_api.pagination import MAX_PAGE_SIZE, PageRequest
from graph_api.search import memories as search
from graph_api.types.contact import ConnectedContactEdge, Contact
from graph_api.types.graph import TieStrength
from graph_api.types.interaction import Interaction
from graph_api.types.interest import Interest
from graph_api.types.node import decode_id
from graph_api.types.notifications import Notification
from graph_api.types.relationship import Relationship
from graph_api.types.search import (
    MAX_QUERY_LENGTH,
    SearchHit,
    SearchSource,
    embed_query,
    search_several_sources,
)
from loaders.nested import NestedKey

MAX_BRIEFING_ITEMS = 20
# the circle whose memories and documents the topic is searched in
CIRCLE_HOPS = 1


@strawberry.type(
    description="An interest with its effective confidence (as Interest.effectiveConfidence: "
    "halved for every GRAPH_API_INTEREST_HALF_LIFE_DAYS since last reinforced), as the briefing "
    "ranks them."
)
class BriefingInterest:
    interest: Interest
    effective_confidence: float


@strawberry.type(
    description="What to know before meeting a contact: the tie, the last interactions, interests, "
    "the memories and document passages most relevant to the topic (from the contact and the people "
    "one tie away), and the people you both know."
)
class Briefing:
    contact: Contact
    topic: str | None
    strength: TieStrength = strawberry.field(description="Your tie to them, with its parts.")
    last_interactions: list[Interaction] = strawberry.field(description="Most recent first.")
    interests: list[BriefingInterest] = strawberry.field(
        description="By effective confidence (decayed since last reinforced), highest first."
    )
    relevant: list[SearchHit] = strawberry.field(
        description="HYBRID search for `topic` over memories and document chunks about the contact "
        "and their 1-hop circle, best first; empty without a topic."
    )
    mutual_connections: list[ConnectedContactEdge] = strawberry.field(
        description="People you both know (their connections), strongest tie first."
    )
    open_notifications: list[Notification] = strawberry.field(
        description="Their notifications still open (unread or read: going cold, follow-ups due, "
        "birthdays, faded interests), latest scheduled first."
    )


@strawberry.type
class BriefingQuery:
    @strawberry.field(
        description=f"What to know before meeting a contact, in one query; `first` (1..{MAX_BRIEFING_ITEMS}) "
        "items of each list."
    )
    async def briefing(
        self,
        info: Info,
        contact_id: strawberry.ID,
        topic: str | None = None,
        first: int = 5,
    ) -> Briefing:
        if not 1 <= first <= MAX_BRIEFING_ITEMS:
            raise InvalidInput(f"`first` must be between 1 and {MAX_BRIEFING_ITEMS}", field="first")
        text = optional_text(topic, field="topic", max_length=MAX_QUERY_LENGTH)
        row_id = decode_id(contact_id, "Contact", field="contactId")
        loaders = info.context.loaders
        page = PageRequest(limit=first, after=None, backward=False)

        async def relevant() -> list[SearchHit]:
            if text is None:
                return []
            mode, vector = "HYBRID", None
            try:
                vector = await embed_query(info, text)
            except ServiceUnavailable:
                mode = "KEYWORD"
            network = await info.context.graph()
            # an archived contact is outside the graph: their own, then
            circle = tuple(sorted(network.within_hops(row_id, CIRCLE_HOPS) or [row_id]))
            found = await search_several_sources(
                info,
                frozenset({SearchSource.MEMORY, SearchSource.DOCUMENT}),
                mode,
                text,
                vector,
                search.MemoryFilter(contact_ids=circle),
                first,
                None,
                None,
                search.Ranking(),
            )
            return found.hits

        # started in the same tick as the rest: one round
        open_notifications = loaders.contact_open_notifications.load(row_id)
        network, row, interactions, interests, connections, hits = await asyncio.gather(
            info.context.graph(),
            loaders.contacts.load(row_id),
            loaders.contact_interactions.load(NestedKey(row_id, page)),
            loaders.contact_interests.load(
                NestedKey(row_id, PageRequest(limit=MAX_PAGE_SIZE, after=None, backward=False))
            ),
            loaders.contact_connections.load(NestedKey(row_id, page)),
            relevant(),
        )
        notifications = await open_notifications
        if row is None:
            raise NotFound("Contact not found", field="contactId")
        now = datetime.now(UTC)
        half_life = info.context.graphs.params.interest_half_life_days
        ranked = sorted(
            (
                BriefingInterest(
                    interest=Interest.from_row(interest),
                    effective_confidence=interest_confidence(
                        interest["confidence"], interest["last_reinforced_at"], now, half_life
                    ),
                )
                for interest in interests.rows
            ),
            key=lambda item: (-item.effective_confidence, item.interest.id),
        )
        mutual = []
        for cursor, connection in zip(connections.cursors, connections.rows, strict=True):
            other = other_contact(connection)
            mutual.append(
                ConnectedContactEdge(
                    cursor=cursor,
                    node=Contact.from_row(other),
                    relationship=Relationship.from_row(connection),
                )
            )
        return Briefing(
            contact=Contact.from_row(row),
            topic=text,
            strength=TieStrength.from_result(network.tie(row_id)),
            last_interactions=[Interaction.from_row(r) for r in interactions.rows],
            interests=ranked[:first],
            relevant=hits,
            mutual_connections=mutual,
            open_notifications=[Notification.from_row(n) for n in notifications[:first]],
        )
