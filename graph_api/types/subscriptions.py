"""Subscriptions: what changed in the user's network, as it commits, from any API
process (PostgreSQL LISTEN/NOTIFY, `graph_api.live`), over the WebSocket at
`/graphql` (graphql-transport-ws, `graph_api.websocket`).

An event carries ids; every field a subscriber selects is loaded afresh for that
event through the ordinary loaders, as the subscriber's user.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from enum import Enum
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.domain.events import Event, Topic
from graph_api.errors import InvalidInput
from graph_api.live import Alert, AlertFilter, LiveSession
from graph_api.types.node import contact_id as decode_contact_id
from graph_api.types.node import global_id

if TYPE_CHECKING:
    from graph_api.types.contact import Contact
    from graph_api.types.document import Document
    from graph_api.types.interaction import Interaction
    from graph_api.types.memory import Memory
    from graph_api.types.notifications import Notification
    from graph_api.types.relationship import Relationship

ContactT = Annotated["Contact", strawberry.lazy("graph_api.types.contact")]
DocumentT = Annotated["Document", strawberry.lazy("graph_api.types.document")]
InteractionT = Annotated["Interaction", strawberry.lazy("graph_api.types.interaction")]
MemoryT = Annotated["Memory", strawberry.lazy("graph_api.types.memory")]
RelationshipT = Annotated["Relationship", strawberry.lazy("graph_api.types.relationship")]
NotificationT = Annotated["Notification", strawberry.lazy("graph_api.types.notifications")]


@strawberry.enum(description="What happened to a contact.")
class ContactChangeKind(Enum):
    CREATED = "created"
    UPDATED = "updated"
    ARCHIVED = "archived"
    RESTORED = "restored"
    DELETED = "deleted"
    MERGED = "merged"


@strawberry.enum(description="What happened to a relationship.")
class RelationshipChangeKind(Enum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


@strawberry.enum(description="Why a network alert was raised.")
class NetworkAlertKind(Enum):
    WENT_COLD = "went_cold"
    STRENGTH_ROSE_ABOVE = "strength_rose_above"
    STRENGTH_FELL_BELOW = "strength_fell_below"
    NOTIFICATION = "notification"


@strawberry.type(description="A contact changed.")
class ContactChange:
    kind: ContactChangeKind
    contact_id: strawberry.ID
    row_id: strawberry.Private[UUID]

    @strawberry.field(description="The contact as it is now; null once deleted (or merged away).")
    async def contact(self, info: Info) -> ContactT | None:
        from graph_api.types.contact import Contact

        row = await info.context.loaders.contacts.load(self.row_id)
        return None if row is None else Contact.from_row(row)


@strawberry.type(description="A relationship was created, changed or deleted.")
class RelationshipChange:
    kind: RelationshipChangeKind
    relationship_id: strawberry.ID
    row_id: strawberry.Private[UUID]

    @strawberry.field(
        description="The relationship as it is now; a deleted one as it was when deleted."
    )
    async def relationship(self, info: Info) -> RelationshipT | None:
        from graph_api.types.relationship import Relationship

        row = await info.context.loaders.relationships_with_deleted.load(self.row_id)
        return None if row is None else Relationship.from_row(row)


@strawberry.type(description="An interaction was logged.")
class InteractionLogged:
    interaction_id: strawberry.ID
    row_id: strawberry.Private[UUID]

    @strawberry.field
    async def interaction(self, info: Info) -> InteractionT | None:
        from graph_api.types.interaction import Interaction

        row = await info.context.loaders.interactions.load(self.row_id)
        return None if row is None else Interaction.from_row(row)


@strawberry.type(description="A memory was added.")
class MemoryAdded:
    memory_id: strawberry.ID
    row_id: strawberry.Private[UUID]

    @strawberry.field
    async def memory(self, info: Info) -> MemoryT | None:
        from graph_api.types.memory import Memory

        row = await info.context.loaders.memories.load(self.row_id)
        return None if row is None else Memory.from_row(row)


@strawberry.type(description="A document was added.")
class DocumentAdded:
    document_id: strawberry.ID
    row_id: strawberry.Private[UUID]

    @strawberry.field(description="The document as it is now; null once deleted.")
    async def document(self, info: Info) -> DocumentT | None:
        from graph_api.types.document import Document

        row = await info.context.loaders.documents.load(self.row_id)
        return None if row is None else Document.from_row(row)


@strawberry.type(description="Something about the user's ties worth knowing now.")
class NetworkAlert:
    kind: NetworkAlertKind
    contact_id: strawberry.ID
    strength: float = strawberry.field(description="The tie's score now, 0..1.")
    previous_strength: float | None = strawberry.field(
        description="The score before, for a threshold crossed."
    )
    threshold: float | None = strawberry.field(description="The threshold crossed.")
    days_since_last_interaction: float | None = strawberry.field(
        description="For a tie gone cold: how long it has been silent."
    )
    expected_cadence_days: float | None = strawberry.field(
        description="For a tie gone cold: the usual gap between interactions."
    )
    row_id: strawberry.Private[UUID]
    notification_id: strawberry.Private[UUID | None] = None

    @classmethod
    def of(cls, alert: Alert) -> NetworkAlert:
        return cls(
            kind=NetworkAlertKind(alert.kind),
            contact_id=global_id("Contact", alert.contact_id),
            strength=alert.strength,
            previous_strength=alert.previous_strength,
            threshold=alert.threshold,
            days_since_last_interaction=alert.cold.days_since_last_interaction
            if alert.cold
            else None,
            expected_cadence_days=alert.cold.expected_cadence_days if alert.cold else None,
            row_id=alert.contact_id,
            notification_id=alert.notification_id,
        )

    @strawberry.field(
        description="For a NOTIFICATION: the notification made (going cold, a follow-up due, a "
        "birthday coming, an interest faded), as `notifications` lists it."
    )
    async def notification(self, info: Info) -> NotificationT | None:
        from graph_api.types.notifications import Notification

        if self.notification_id is None:
            return None
        row = await info.context.loaders.notifications.load(self.notification_id)
        return None if row is None else Notification.from_row(row)

    @strawberry.field
    async def contact(self, info: Info) -> ContactT | None:
        from graph_api.types.contact import Contact

        row = await info.context.loaders.contacts.load(self.row_id)
        return None if row is None else Contact.from_row(row)


def _session(info: Info) -> LiveSession:
    live = info.context.live
    if live is None:  # the gate sends subscriptions over HTTP away before this
        raise InvalidInput("subscriptions run over the WebSocket at /graphql")
    return live


async def _events(
    info: Info, topic: Topic, contact_id: strawberry.ID | None, field: str
) -> AsyncGenerator[Event, None]:
    """The user's events of one topic (those about one contact, when given)."""
    user_id = info.context.user_id
    only = None if contact_id is None else decode_contact_id(contact_id, field)
    matches: Callable[[Event], bool] = (
        (lambda event: event.topic == topic)
        if only is None
        else (lambda event: event.topic == topic and only in event.contact_ids)
    )
    live = _session(info)
    feed = live.hub.events(user_id, matches, live.on_overflow)
    try:
        async for event in feed:
            # the rows as they are now, loaded once for all of this event's subscribers
            info.context.loaders = live.hub.loaders_for(event, info.context.new_loaders)
            yield event
    finally:
        live.hub.stop_events(user_id, feed)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Contacts created, updated, archived, restored, deleted or merged (one contact's, "
        "with `id`)."
    )
    async def contact_changed(
        self, info: Info, id: strawberry.ID | None = None
    ) -> AsyncGenerator[ContactChange, None]:
        async for event in _events(info, "contact", id, "id"):
            yield ContactChange(
                kind=ContactChangeKind(event.action),
                contact_id=global_id("Contact", event.id),
                row_id=event.id,
            )

    @strawberry.subscription(
        description="Relationships created, updated or deleted (those of one contact, with `contactId`)."
    )
    async def relationship_changed(
        self, info: Info, contact_id: strawberry.ID | None = None
    ) -> AsyncGenerator[RelationshipChange, None]:
        async for event in _events(info, "relationship", contact_id, "contactId"):
            yield RelationshipChange(
                kind=RelationshipChangeKind(event.action),
                relationship_id=global_id("Relationship", event.id),
                row_id=event.id,
            )

    @strawberry.subscription(
        description="Interactions logged (those with one contact, with `contactId`)."
    )
    async def interaction_logged(
        self, info: Info, contact_id: strawberry.ID | None = None
    ) -> AsyncGenerator[InteractionLogged, None]:
        async for event in _events(info, "interaction", contact_id, "contactId"):
            yield InteractionLogged(
                interaction_id=global_id("Interaction", event.id), row_id=event.id
            )

    @strawberry.subscription(description="Memories added (about one contact, with `contactId`).")
    async def memory_added(
        self, info: Info, contact_id: strawberry.ID | None = None
    ) -> AsyncGenerator[MemoryAdded, None]:
        async for event in _events(info, "memory", contact_id, "contactId"):
            yield MemoryAdded(memory_id=global_id("Memory", event.id), row_id=event.id)

    @strawberry.subscription(
        description="Documents added (those about one contact, with `contactId`)."
    )
    async def document_added(
        self, info: Info, contact_id: strawberry.ID | None = None
    ) -> AsyncGenerator[DocumentAdded, None]:
        async for event in _events(info, "document", contact_id, "contactId"):
            yield DocumentAdded(document_id=global_id("Document", event.id), row_id=event.id)

    @strawberry.subscription(
        description="Alerts about the user's ties, from the moment of subscribing: a tie going cold "
        "(`cold`), and a tie's strength crossing `strengthThreshold` (0..1), up or down. Looked at "
        "after every change to the network and at least once a minute (strengths decay by the day). "
        "With `notifications`, every notification as the notifications job makes it (kind "
        "NOTIFICATION, `notification` set): going cold, a follow-up due, a birthday coming, an "
        "interest faded."
    )
    async def network_alerts(
        self,
        info: Info,
        strength_threshold: float | None = None,
        cold: bool = True,
        notifications: bool = True,
    ) -> AsyncGenerator[NetworkAlert, None]:
        user_id = info.context.user_id
        if strength_threshold is not None and not 0.0 <= strength_threshold <= 1.0:
            raise InvalidInput(
                "strengthThreshold must be between 0 and 1", field="strengthThreshold"
            )
        if strength_threshold is None and not cold and not notifications:
            raise InvalidInput(
                "ask for something: cold ties, a strengthThreshold, notifications, or more",
                field="strengthThreshold",
            )
        live = _session(info)
        feed = await live.hub.alerts(
            user_id, AlertFilter(strength_threshold, cold, notifications), live.on_overflow
        )
        try:
            async for alert in feed:
                info.context.after_write()  # the rows as they are now
                yield NetworkAlert.of(alert)
        finally:
            live.hub.stop_alerts(user_id, feed)


__all__ = ["Subscription"]
