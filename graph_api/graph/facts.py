"""What the graph is built from: immutable rows and columns, loaded by the database layer.

Contacts and interests are rows. Relationships and interactions' participants, the
many facts, are columns (numpy arrays over an ascending list of the contact ids they
name): the loader reads them as arrays, and the builder computes over them without a
Python object per row. Rows of them (`RelationshipFact`, `InteractionFact`) are what
tests and small deltas write; `Relationships.of` and `Participations.of` turn them
into columns.

Nothing here knows about SQL or networkx, so the graph core is tested with facts built
by hand and the loader can change without touching an algorithm.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import numpy

# the vocabularies' codes in the columns (a byte each); the database's CHECK
# constraints hold the same sets (tests/integration/test_vocabularies.py)
RELATIONSHIP_TYPES = (
    "acquaintance", "client", "colleague", "family", "friend", "mentor", "other", "vendor",
)  # fmt: skip
RELATIONSHIP_SOURCES = ("inferred", "manual")
INTERACTION_TYPES = ("call", "email", "meeting", "message", "other")
DIRECTIONS = ("inbound", "mutual", "outbound")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ID_BYTES = 16


def microseconds(moment: datetime) -> int:
    """A timezone-aware moment as whole microseconds since the epoch (exact)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def moment_of(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def id_bytes(ids: Sequence[UUID]) -> numpy.ndarray:
    """UUIDs as a (len, 16) uint8 array."""
    raw = b"".join(u.bytes for u in ids)
    return numpy.frombuffer(raw, dtype=numpy.uint8).reshape(len(ids), ID_BYTES).copy()


def _indexer(people: Sequence[UUID]) -> dict[UUID, int]:
    return {person: i for i, person in enumerate(people)}


def people_of(ids: Iterable[UUID]) -> list[UUID]:
    """Distinct ids in ascending order: what columns index into."""
    return sorted(set(ids), key=lambda person: person.int)


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


@dataclass(frozen=True, eq=False)
class Relationships:
    """Live relationship rows as columns; `a` and `b` index `people` (a < b as ids)."""

    people: list[UUID]
    id: numpy.ndarray  # uint8, (rows, 16)
    a: numpy.ndarray  # int32
    b: numpy.ndarray  # int32
    type: numpy.ndarray  # uint8, into RELATIONSHIP_TYPES
    source: numpy.ndarray  # uint8, into RELATIONSHIP_SOURCES
    manual_strength: numpy.ndarray  # float64, NaN where none was entered

    def __len__(self) -> int:
        return len(self.a)

    @classmethod
    def of(cls, rows: Sequence[RelationshipFact], people: Sequence[UUID]) -> Relationships:
        index = _indexer(people)
        count = len(rows)
        return cls(
            list(people),
            id_bytes([row.id for row in rows]),
            numpy.fromiter((index[row.a] for row in rows), dtype=numpy.int32, count=count),
            numpy.fromiter((index[row.b] for row in rows), dtype=numpy.int32, count=count),
            numpy.fromiter(
                (RELATIONSHIP_TYPES.index(row.type) for row in rows), dtype=numpy.uint8, count=count
            ),
            numpy.fromiter(
                (RELATIONSHIP_SOURCES.index(row.source) for row in rows),
                dtype=numpy.uint8,
                count=count,
            ),
            numpy.fromiter(
                (numpy.nan if row.manual_strength is None else row.manual_strength for row in rows),
                dtype=numpy.float64,
                count=count,
            ),
        )


@dataclass(frozen=True, eq=False)
class Participations:
    """Interactions' participants as columns: one entry per (interaction, contact).

    `person` indexes `people`; `interaction` numbers the interactions (equal for the
    participants of one, nothing more); `at` is when it happened, in microseconds since
    the epoch. Each (interaction, person) appears once (the table's primary key).
    """

    people: list[UUID]
    person: numpy.ndarray  # int32
    interaction: numpy.ndarray  # int64
    at: numpy.ndarray  # int64
    type: numpy.ndarray  # uint8, into INTERACTION_TYPES
    direction: numpy.ndarray  # uint8, into DIRECTIONS

    def __len__(self) -> int:
        return len(self.person)

    @classmethod
    def of(cls, rows: Iterable[InteractionFact], people: Sequence[UUID]) -> Participations:
        """Columns of participant rows (a repeated (interaction, contact) counts once)."""
        index = _indexer(people)
        numbers: dict[UUID | str, int] = {}
        unique = list({(row.interaction_id, row.contact_id): row for row in rows}.values())
        count = len(unique)
        return cls(
            list(people),
            numpy.fromiter(
                (index[row.contact_id] for row in unique), dtype=numpy.int32, count=count
            ),
            numpy.fromiter(
                (numbers.setdefault(row.interaction_id, len(numbers)) for row in unique),
                dtype=numpy.int64,
                count=count,
            ),
            numpy.fromiter(
                (microseconds(row.occurred_at) for row in unique), dtype=numpy.int64, count=count
            ),
            numpy.fromiter((type_code(row.type) for row in unique), dtype=numpy.uint8, count=count),
            numpy.fromiter(
                (DIRECTIONS.index(row.direction) for row in unique), dtype=numpy.uint8, count=count
            ),
        )


def type_code(interaction_type: str) -> int:
    # an unknown type counts like "other" rather than vanishing
    known = interaction_type in INTERACTION_TYPES
    return INTERACTION_TYPES.index(interaction_type if known else "other")


@dataclass(frozen=True)
class NetworkFacts:
    """Everything one user's graph is built from, as of `now` (timezone-aware)."""

    contacts: list[ContactFact]
    relationships: Relationships
    interactions: Participations
    interests: list[InterestFact]
    now: datetime

    @classmethod
    def of(
        cls,
        contacts: list[ContactFact],
        relationships: Sequence[RelationshipFact],
        interactions: Sequence[InteractionFact],
        interests: list[InterestFact],
        now: datetime,
    ) -> NetworkFacts:
        """Facts from rows (tests; the loader reads columns)."""
        people = people_of(_named(contacts, relationships, interactions))
        return cls(
            contacts,
            Relationships.of(relationships, people),
            Participations.of(interactions, people),
            interests,
            now,
        )


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
    relationships: Relationships
    interactions: Participations
    interests: list[InterestFact]

    @property
    def empty(self) -> bool:
        return not self.touched

    @classmethod
    def of(
        cls,
        touched: frozenset[UUID],
        contacts: list[ContactFact],
        relationships: Sequence[RelationshipFact],
        interactions: Sequence[InteractionFact],
        interests: list[InterestFact],
    ) -> DeltaFacts:
        """A delta from rows (the loader's and the tests': a delta is small)."""
        people = people_of(_named(contacts, relationships, interactions) + list(touched))
        return cls(
            touched,
            contacts,
            Relationships.of(relationships, people),
            Participations.of(interactions, people),
            interests,
        )


def _named(
    contacts: Iterable[ContactFact],
    relationships: Iterable[RelationshipFact],
    interactions: Iterable[InteractionFact],
) -> list[UUID]:
    named = [contact.id for contact in contacts]
    for row in relationships:
        named += (row.a, row.b)
    named += [row.contact_id for row in interactions]
    return named
