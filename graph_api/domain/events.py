"""What changed, announced to every API process: `pg_notify` on `graph_events`, inside
the write's own transaction, so an event goes out exactly when its write commits
(PostgreSQL delivers notifications at commit and drops them on rollback).

A payload is small on purpose (a notification holds at most 8000 bytes): the user,
what kind of row, what happened to it and the ids a subscriber filters on. Whoever
receives it loads what it selects through the ordinary resolvers, as that user.
Every write announces its changes with `emit`: contact imports (a contact created or
filled in, a "connected on" interaction), documents, merges (the ties moved onto the
primary or gone with a duplicate), the ties a logged meeting reveals. A kind the
subscriptions do not know is ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

import asyncpg
import orjson

CHANNEL = "graph_events"

Topic = Literal["contact", "relationship", "interaction", "memory", "document", "notification"]
# contact: created updated archived restored deleted merged; relationship: created
# updated deleted; interaction: logged; memory: added; document: added; notification:
# created (delivered on networkAlerts)
Action = str

# one statement for any number of events; the user's id leads every payload
EMIT_EVENTS = """-- emit_events
    select pg_notify('graph_events', payload)
      from unnest($2::text[]) as payload
     where $1::uuid is not null  -- user_id: every payload names its user
"""


@dataclass(frozen=True)
class Event:
    user_id: UUID
    topic: Topic
    action: Action
    id: UUID
    # the contacts the row concerns (a relationship's two ends, an interaction's
    # participants, a memory's contact): what subscribers filter by
    contact_ids: tuple[UUID, ...] = ()

    def encode(self) -> str:
        # str(): asyncpg's own UUID type is not one orjson knows
        body: dict[str, object] = {
            "u": str(self.user_id),
            "t": self.topic,
            "a": self.action,
            "id": str(self.id),
        }
        if self.contact_ids:
            body["c"] = [str(c) for c in self.contact_ids]
        return orjson.dumps(body).decode()

    @classmethod
    def decode(cls, payload: str) -> Event | None:
        """The event a payload carries, or None for one this version cannot read."""
        try:
            body = orjson.loads(payload)
            return cls(
                UUID(body["u"]),
                body["t"],
                body["a"],
                UUID(body["id"]),
                tuple(UUID(c) for c in body.get("c", ())),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            return None


async def emit(conn: asyncpg.Connection, events: Sequence[Event]) -> None:
    """Announce `events` when `conn`'s transaction commits (never if it rolls back)."""
    if not events:
        return
    (user_id,) = {event.user_id for event in events}  # one tenant per write
    await conn.execute(EMIT_EVENTS, user_id, [event.encode() for event in events])


def contact(user_id: UUID, action: Action, contact_id: UUID) -> Event:
    return Event(user_id, "contact", action, contact_id, (contact_id,))


def relationship(user_id: UUID, action: Action, row: asyncpg.Record) -> Event:
    return Event(
        user_id, "relationship", action, row["id"], (row["contact_a_id"], row["contact_b_id"])
    )
