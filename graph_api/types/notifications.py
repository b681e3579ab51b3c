"""Notifications: the `notifications` connection, `markNotification` and `scheduleFollowUp`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.queries import notifications as notification_queries
from graph_api.types.mutations.common import UserError, run
from graph_api.types.node import contact_id, decode_id, global_id
from graph_api.types.pages import Connection, top_level_connection

if TYPE_CHECKING:
    from graph_api.types.contact import Contact

ContactT = Annotated["Contact", strawberry.lazy("graph_api.types.contact")]


@strawberry.enum
class NotificationType(Enum):
    GOING_COLD = "going_cold"
    FOLLOW_UP = "follow_up"
    BIRTHDAY = "birthday"
    INTEREST_FADED = "interest_faded"


@strawberry.enum
class NotificationStatus(Enum):
    UNREAD = "unread"
    READ = "read"
    DISMISSED = "dismissed"
    ACTED_UPON = "acted_upon"


@strawberry.enum
class NotificationPriority(Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


@strawberry.type(description="Something in the network worth the user's attention.")
class Notification:
    id: strawberry.ID
    type: NotificationType
    status: NotificationStatus
    priority: NotificationPriority
    title: str
    body: str | None
    scheduled_for: datetime = strawberry.field(description="When it is for (a birthday's day).")
    delivered_at: datetime | None = strawberry.field(description="When the user first acted on it.")
    created_at: datetime
    contact_id: strawberry.Private[UUID | None]

    @classmethod
    def from_row(cls, row: Any) -> Notification:
        return cls(
            id=global_id("Notification", row["id"]),
            type=NotificationType(row["type"]),
            status=NotificationStatus(row["status"]),
            priority=NotificationPriority(row["priority"]),
            title=row["title"],
            body=row["body"],
            scheduled_for=row["scheduled_for"],
            delivered_at=row["delivered_at"],
            created_at=row["created_at"],
            contact_id=row["contact_id"],
        )

    @strawberry.field(description="The contact it is about, when it is about one.")
    async def contact(self, info: Info) -> ContactT | None:
        from graph_api.types.contact import Contact

        if self.contact_id is None:
            return None
        row = await info.context.loaders.contacts.load(self.contact_id)
        return None if row is None else Contact.from_row(row)


@strawberry.type
class NotificationPayload:
    notification: Notification | None
    errors: list[UserError]


@strawberry.type(
    description="A follow-up set on a contact: a FOLLOW_UP notification when it is due."
)
class FollowUpPayload:
    contact: ContactT | None
    follow_up_at: datetime | None
    note: str | None
    errors: list[UserError]


@strawberry.type
class NotificationQuery:
    @strawberry.field(description="The user's notifications, latest scheduled first.")
    async def notifications(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: list[NotificationStatus] | None = None,
    ) -> Connection[Notification]:
        statuses = tuple(sorted({s.value for s in status or ()}))
        return await top_level_connection(
            info,
            notification_queries.LATEST,
            first=first,
            after=after,
            last=last,
            before=before,
            page=lambda pool, user_id, request: notification_queries.notifications_page(
                pool, user_id, statuses, request
            ),
            count=lambda pool, user_id: notification_queries.count_notifications(
                pool, user_id, statuses
            ),
            node=Notification.from_row,
        )


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(
        description="Mark a notification read, dismissed or acted upon (or unread again)."
    )
    async def mark_notification(
        self, info: Info, id: strawberry.ID, status: NotificationStatus
    ) -> NotificationPayload:
        from graph_api.domain import notifications

        row, errors = await run(
            info,
            lambda conn, actor: notifications.mark(
                conn, actor, decode_id(id, "Notification", field="id"), status.value
            ),
        )
        return NotificationPayload(
            notification=None if row is None else Notification.from_row(row), errors=errors
        )

    @strawberry.mutation(
        description="When to follow up with a contact (null clears it); the notifications job makes "
        "a FOLLOW_UP notification once it is due."
    )
    async def schedule_follow_up(
        self,
        info: Info,
        contact_id_: Annotated[strawberry.ID, strawberry.argument(name="contactId")],
        at: datetime | None,
        note: str | None = None,
    ) -> FollowUpPayload:
        from graph_api.domain import notifications

        row, errors = await run(
            info,
            lambda conn, actor: notifications.schedule_follow_up(
                conn, actor, contact_id(contact_id_, "contactId"), at, note
            ),
        )
        if row is None:
            return FollowUpPayload(contact=None, follow_up_at=None, note=None, errors=errors)
        contact_row = await info.context.loaders.contacts.load(row["id"])
        from graph_api.types.contact import Contact

        return FollowUpPayload(
            contact=None if contact_row is None else Contact.from_row(contact_row),
            follow_up_at=row["follow_up_at"],
            note=row["follow_up_note"],
            errors=errors,
        )
