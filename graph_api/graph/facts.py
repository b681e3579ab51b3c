"""What the graph is built from: plain, immutable rows, loaded by the database layer.

Nothing here knows about SQL or networkx, so the graph core is tested with facts built
by hand and the loader can change without touching an algorithm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class ContactFact:
    id: UUID
    full_name: str
    company: str | None
    archived: bool


@dataclass(frozen=True, slots=True)
class RelationshipFact:
    """A stored, live contact↔contact row; `a < b` as in the database.

    The graph's edges are exactly these rows (between active contacts): a tie inferred
    from shared interactions is a row the database wrote (db/ties.py), and a deleted
    relationship a suppressed row the loader leaves out.
    """

    id: UUID
    a: UUID
    b: UUID
    type: str  # colleague friend family client vendor mentor acquaintance other
    source: str  # manual | inferred
    manual_strength: float | None


@dataclass(frozen=True, slots=True)
class InteractionFact:
    """One participant of one interaction: a meeting with three people is three facts.

    Co-participation (two contacts in the same interaction, at most
    `db.ties.CROWD_LIMIT` people) is derived from these rows by `interaction_id`, so the
    loader needs no separate query for it; it strengthens a stored tie, never adds one.
    """

    contact_id: UUID
    # only ever compared: the loader passes the id's text form, which is cheaper to
    # decode than a UUID (about 1.4 µs each for 100k+ rows)
    interaction_id: UUID | str
    occurred_at: datetime
    type: str  # email meeting call message other
    direction: str  # inbound outbound mutual


@dataclass(frozen=True, slots=True)
class InterestFact:
    contact_id: UUID
    category: str
    topic: str
    confidence: float


@dataclass(frozen=True)
class NetworkFacts:
    """Everything one user's graph is built from, as of `now` (timezone-aware)."""

    contacts: list[ContactFact]
    relationships: list[RelationshipFact]
    interactions: list[InteractionFact]
    interests: list[InterestFact]
    now: datetime


@dataclass(frozen=True)
class DeltaFacts:
    """What changed between two versions of a graph: the facts of the touched contacts.

    `contacts` are the touched contacts that still exist (a deleted one is absent);
    `relationships` the live rows with an end among them; `interactions` every
    participant of every interaction one of them took part in (so crowds and shared
    meetings are whole); `interests` theirs.
    """

    touched: frozenset[UUID]
    contacts: list[ContactFact]
    relationships: list[RelationshipFact]
    interactions: list[InteractionFact]
    interests: list[InterestFact]

    @property
    def empty(self) -> bool:
        return not self.touched
