"""Notifications: made from the network's state, once each; read, dismissed, acted upon.

`generate` turns what is true now into notices — a strong tie going cold, a follow-up
that is due, a birthday within `BIRTHDAY_DAYS`, an interest whose effective confidence
fell below `FADED_BELOW` — each under a `dedupe_key` that names the occasion (the tie's
last interaction, the follow-up's time, the birthday's year, the interest's last
reinforcement), inserted with `on conflict do nothing`: running it twice makes nothing
new, and a tie that goes cold again after a new interaction gets a new notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

import asyncpg

from graph_api.domain import audit, events, validation
from graph_api.domain.actor import Actor
from graph_api.errors import InvalidInput, NotFound

STATUSES = ("unread", "read", "dismissed", "acted_upon")
BIRTHDAY_DAYS = 7
# an interest once held with confidence ≥ 0.5 whose effective confidence is now below 0.25
FADED_FROM = 0.5
FADED_BELOW = 0.25
NOTE_MAX = 1000


@dataclass(frozen=True)
class Notice:
    type: str
    contact_id: UUID | None
    priority: str
    title: str
    body: str | None
    dedupe_key: str
    scheduled_for: datetime


INSERT_NOTICES = """-- insert_notifications
    insert into notifications (user_id, type, contact_id, priority, title, body, dedupe_key, scheduled_for)
    select $1, u.type, u.contact_id, u.priority, u.title, u.body, u.dedupe_key, u.scheduled_for
      from unnest($2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
                  $8::timestamptz[])
           as u(type, contact_id, priority, title, body, dedupe_key, scheduled_for)
    on conflict (user_id, dedupe_key) do nothing
    returning id, contact_id
"""

COLD_CONTACTS = """-- notifications_cold_contacts
    select id, full_name, last_interaction_at
      from contacts
     where user_id = $1 and id = any($2::uuid[]) and archived_at is null
"""

DUE_FOLLOW_UPS = """-- notifications_due_follow_ups
    select id, full_name, follow_up_at, follow_up_note
      from contacts
     where user_id = $1 and follow_up_at is not null and follow_up_at <= $2 and archived_at is null
"""

BIRTHDAYS = """-- notifications_birthdays
    select id, full_name, birthday
      from contacts
     where user_id = $1 and birthday is not null and archived_at is null
"""

FADED_INTERESTS = """-- notifications_faded_interests
    select i.id, i.topic, i.last_reinforced_at, c.id as contact_id, c.full_name
      from interests i
      join contacts c on c.user_id = i.user_id and c.id = i.contact_id
     where i.user_id = $1 and c.archived_at is null and i.confidence >= $3
       and i.confidence * power(0.5, extract(epoch from ($2 - i.last_reinforced_at)) / 86400.0 / $4) < $5
"""

MARK = """-- mark_notification
    update notifications
       set status = $3, updated_at = now(), delivered_at = coalesce(delivered_at, now())
     where user_id = $1 and id = $2
    returning *
"""

LOCK_NOTIFICATION = (
    "-- lock_notification\n select * from notifications where user_id = $1 and id = $2 for update"
)

SCHEDULE_FOLLOW_UP = """-- schedule_follow_up
    update contacts
       set follow_up_at = $3, follow_up_note = $4, updated_at = now()
     where user_id = $1 and id = $2
    returning id, full_name, follow_up_at, follow_up_note
"""


def next_birthday(birthday: date, today: date) -> date:
    """The next occurrence on or after `today` (29 February falls on 28 February)."""
    for year in (today.year, today.year + 1):
        try:
            day = birthday.replace(year=year)
        except ValueError:
            day = date(year, 2, 28)
        if day >= today:
            return day
    raise AssertionError("unreachable")


async def gather(
    conn: asyncpg.Connection,
    user_id: UUID,
    cold_contact_ids: Sequence[UUID],
    now: datetime,
    interest_half_life_days: float,
) -> list[Notice]:
    """What is worth a notice now (reads only)."""
    notices: list[Notice] = []
    if cold_contact_ids:
        for row in await conn.fetch(COLD_CONTACTS, user_id, list(cold_contact_ids)):
            last = row["last_interaction_at"]
            lapse = last.isoformat() if last else "never"
            notices.append(
                Notice("going_cold", row["id"], "normal", f"{row['full_name']} is going cold",
                       "Longer than usual since you were last in touch.",
                       f"going_cold:{row['id']}:{lapse}", now)
            )  # fmt: skip
    for row in await conn.fetch(DUE_FOLLOW_UPS, user_id, now):
        notices.append(
            Notice("follow_up", row["id"], "high", f"Follow up with {row['full_name']}",
                   row["follow_up_note"], f"follow_up:{row['id']}:{row['follow_up_at'].isoformat()}",
                   row["follow_up_at"])
        )  # fmt: skip
    today = now.astimezone(UTC).date()
    for row in await conn.fetch(BIRTHDAYS, user_id):
        day = next_birthday(row["birthday"], today)
        if (day - today).days <= BIRTHDAY_DAYS:
            notices.append(
                Notice("birthday", row["id"], "normal", f"{row['full_name']}'s birthday",
                       f"on {day:%A %d %B}", f"birthday:{row['id']}:{day.year}",
                       datetime.combine(day, time(), UTC))
            )  # fmt: skip
    for row in await conn.fetch(
        FADED_INTERESTS, user_id, now, FADED_FROM, interest_half_life_days, FADED_BELOW
    ):
        notices.append(
            Notice("interest_faded", row["contact_id"], "low",
                   f"{row['full_name']}'s interest in {row['topic']} has faded",
                   "Not seen again for a long time; ask whether it still holds.",
                   f"interest_faded:{row['id']}:{row['last_reinforced_at'].isoformat()}", now)
        )  # fmt: skip
    return notices


async def generate(
    conn: asyncpg.Connection,
    user_id: UUID,
    cold_contact_ids: Sequence[UUID],
    now: datetime,
    interest_half_life_days: float,
) -> int:
    """Insert the notices not made before; how many are new (in the caller's transaction).
    Each new one is announced as it commits (`networkAlerts` delivers it)."""
    notices = await gather(conn, user_id, cold_contact_ids, now, interest_half_life_days)
    if not notices:
        return 0
    made = await conn.fetch(
        INSERT_NOTICES, user_id,
        [n.type for n in notices], [n.contact_id for n in notices], [n.priority for n in notices],
        [n.title for n in notices], [n.body for n in notices], [n.dedupe_key for n in notices],
        [n.scheduled_for for n in notices],
    )  # fmt: skip
    announced = [
        events.Event(user_id, "notification", "created", row["id"], _about(row["contact_id"]))
        for row in made
    ]
    await events.emit(conn, announced)
    return len(made)


def _about(contact_id: UUID | None) -> tuple[UUID, ...]:
    return () if contact_id is None else (contact_id,)


async def mark(conn: asyncpg.Connection, actor: Actor, notification_id: UUID, status: str) -> Any:
    status = validation.choice(status, field="status", allowed=STATUSES)
    before = await conn.fetchrow(LOCK_NOTIFICATION, actor.user_id, notification_id)
    if before is None:
        raise NotFound("Notification not found", field="id")
    row = await conn.fetchrow(MARK, actor.user_id, notification_id, status)
    await audit.record(
        conn, actor, "mark_notification", [notification_id],
        {"status": before["status"]}, {"status": status},
    )  # fmt: skip
    return row


async def schedule_follow_up(
    conn: asyncpg.Connection,
    actor: Actor,
    contact_id: UUID,
    at: datetime | None,
    note: str | None,
) -> Any:
    """Set (or, with `at` null, clear) when to follow up with a contact."""
    when = validation.optional_timestamp(at, field="at")
    text = validation.optional_text(note, field="note", max_length=NOTE_MAX)
    if when is None and text is not None:
        raise InvalidInput("a note needs a time (`at`)", field="note")
    row = await conn.fetchrow(SCHEDULE_FOLLOW_UP, actor.user_id, contact_id, when, text)
    if row is None:
        raise NotFound("Contact not found", field="contactId")
    await audit.record(
        conn, actor, "schedule_follow_up", [contact_id], None,
        {"follow_up_at": when, "follow_up_note": text},
    )  # fmt: skip
    return row
