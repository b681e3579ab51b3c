"""A graph updated by deltas equals the graph built from all the facts at once.

A small in-memory store stands for the database: each write changes its rows as the
API's mutations do (inferred ties for meetings, suppressed rows for deleted ties, a
merge re-pointing rows) and names the contacts it touched as migration 0050's trigger
does. After every write of a random sequence, the updated graph is compared with a
fresh build, part by part and answer by answer.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import combinations
from uuid import UUID

import pytest

from graph_api.db.ties import CROWD_LIMIT
from graph_api.graph.delta import apply_delta
from graph_api.graph.facts import (
    ContactFact,
    DeltaFacts,
    InteractionFact,
    InterestFact,
    NetworkFacts,
    RelationshipFact,
)
from graph_api.graph.network import Network
from graph_api.graph.strength import StrengthParams

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
PARAMS = StrengthParams()


@dataclass
class Relationship:
    id: UUID
    type: str
    source: str
    manual: float | None
    suppressed: bool = False


@dataclass
class Interaction:
    at: datetime
    type: str
    direction: str
    people: list[UUID]


@dataclass
class Store:
    rng: random.Random
    contacts: dict[UUID, ContactFact] = field(default_factory=dict)
    relationships: dict[tuple[UUID, UUID], Relationship] = field(default_factory=dict)
    interactions: dict[UUID, Interaction] = field(default_factory=dict)
    interests: dict[tuple[UUID, str], InterestFact] = field(default_factory=dict)

    # ----- the facts, as the loader reads them

    def facts(self) -> NetworkFacts:
        return NetworkFacts.of(
            list(self.contacts.values()),
            self._relationship_facts(lambda pair: True),
            self._interaction_facts(lambda people: True),
            list(self.interests.values()),
            NOW,
        )

    def delta(self, touched: set[UUID]) -> DeltaFacts:
        return DeltaFacts.of(
            frozenset(touched),
            [c for c in self.contacts.values() if c.id in touched],
            self._relationship_facts(lambda pair: bool(touched & set(pair))),
            self._interaction_facts(lambda people: bool(touched & set(people))),
            [i for i in self.interests.values() if i.contact_id in touched],
        )

    def _relationship_facts(self, wanted: object) -> list[RelationshipFact]:
        return [
            RelationshipFact(row.id, a, b, row.type, row.source, row.manual)
            for (a, b), row in self.relationships.items()
            if not row.suppressed and wanted((a, b))  # type: ignore[operator]
        ]

    def _interaction_facts(self, wanted: object) -> list[InteractionFact]:
        return [
            InteractionFact(person, str(interaction_id), n.at, n.type, n.direction)
            for interaction_id, n in self.interactions.items()
            if wanted(n.people)  # type: ignore[operator]
            for person in n.people
        ]

    # ----- writes: each returns the contacts it touched (migration 0050's rules)

    def create_contact(self) -> set[UUID]:
        contact = ContactFact(uuid.UUID(int=self.rng.getrandbits(128)), "X", None, False)
        self.contacts[contact.id] = contact
        return {contact.id}

    def update_contact(self, contact_id: UUID) -> set[UUID]:
        old = self.contacts[contact_id]
        company = self.rng.choice(["Acme", "Initech", None])
        self.contacts[contact_id] = ContactFact(old.id, old.full_name, company, old.archived)
        return {contact_id}

    def archive_contact(self, contact_id: UUID) -> set[UUID]:
        old = self.contacts[contact_id]
        self.contacts[contact_id] = ContactFact(
            old.id, old.full_name, old.company, not old.archived
        )
        return {contact_id}

    def delete_contact(self, contact_id: UUID) -> set[UUID]:
        touched = {contact_id}
        for pair in [p for p in self.relationships if contact_id in p]:
            del self.relationships[pair]
            touched |= set(pair)
        for interaction_id, n in list(self.interactions.items()):
            if contact_id in n.people:
                touched |= set(n.people)
                n.people.remove(contact_id)
                if not n.people:
                    del self.interactions[interaction_id]
        for key in [k for k in self.interests if k[0] == contact_id]:
            del self.interests[key]
        del self.contacts[contact_id]
        return touched

    def create_relationship(self, a: UUID, b: UUID) -> set[UUID]:
        pair = (a, b) if a < b else (b, a)
        manual = self.rng.choice([None, 0.3, 0.9])
        type_ = self.rng.choice(["friend", "colleague", "other"])
        self.relationships[pair] = Relationship(uuid.uuid4(), type_, "manual", manual)
        return {a, b}

    def update_relationship(self, pair: tuple[UUID, UUID]) -> set[UUID]:
        self.relationships[pair].manual = self.rng.choice([None, 0.1, 0.5, 1.0])
        self.relationships[pair].type = self.rng.choice(["friend", "family", "client"])
        return set(pair)

    def delete_relationship(self, pair: tuple[UUID, UUID]) -> set[UUID]:
        self.relationships[pair].suppressed = True
        return set(pair)

    def log_interaction(self, people: list[UUID]) -> set[UUID]:
        at = NOW - timedelta(days=self.rng.uniform(0, 400))
        type_ = self.rng.choice(["email", "meeting", "call"])
        direction = self.rng.choice(["inbound", "outbound", "mutual"])
        self.interactions[uuid.uuid4()] = Interaction(at, type_, direction, list(people))
        touched = set(people)
        if 2 <= len(people) <= CROWD_LIMIT:  # db/ties.py: on conflict do nothing
            for a, b in combinations(sorted(people), 2):
                if (a, b) not in self.relationships:
                    self.relationships[(a, b)] = Relationship(
                        uuid.uuid4(), "other", "inferred", None
                    )
        return touched

    def add_interest(self, contact_id: UUID) -> set[UUID]:
        topic = self.rng.choice(["golf", "rust", "jazz", "Golf "])
        confidence = self.rng.random()
        self.interests[(contact_id, topic)] = InterestFact(contact_id, "hobbies", topic, confidence)
        return {contact_id}

    def merge(self, primary: UUID, duplicate: UUID) -> set[UUID]:
        touched = {primary, duplicate}
        for n in self.interactions.values():
            if duplicate in n.people:
                touched |= set(n.people)
                n.people = [primary if p == duplicate else p for p in n.people]
                n.people = list(dict.fromkeys(n.people))
        for pair in [p for p in self.relationships if duplicate in p]:
            row = self.relationships.pop(pair)
            other = pair[0] if pair[1] == duplicate else pair[1]
            touched.add(other)
            if other != primary:
                moved = (primary, other) if primary < other else (other, primary)
                self.relationships.setdefault(moved, row)
        touched |= self.delete_contact(duplicate)
        return touched


def random_write(store: Store) -> set[UUID]:
    rng = store.rng
    people = sorted(store.contacts)
    live = [pair for pair, row in store.relationships.items() if not row.suppressed]
    choice = rng.random()
    if choice < 0.08 or len(people) < 3:
        return store.create_contact()
    if choice < 0.14:
        return store.update_contact(rng.choice(people))
    if choice < 0.19:
        return store.archive_contact(rng.choice(people))
    if choice < 0.23:
        return store.delete_contact(rng.choice(people))
    if choice < 0.27:
        a, b = rng.sample(people, 2)
        return store.merge(a, b)
    if choice < 0.40:
        a, b = rng.sample(people, 2)
        return store.create_relationship(a, b)
    if choice < 0.48 and live:
        return store.update_relationship(rng.choice(live))
    if choice < 0.56 and live:
        return store.delete_relationship(rng.choice(live))
    if choice < 0.62:
        return store.add_interest(rng.choice(people))
    size = rng.choice([1, 1, 2, 3, 5, min(len(people), CROWD_LIMIT + 2)])
    return store.log_interaction(rng.sample(people, min(size, len(people))))


def seeded_store(seed: int, contacts: int) -> Store:
    store = Store(random.Random(seed))
    for _ in range(contacts):
        store.create_contact()
    for _ in range(contacts * 3):
        random_write(store)
    return store


def assert_same(updated: Network, fresh: Network) -> None:
    assert updated.parts.contacts == fresh.parts.contacts
    # nodes, edge rows, CSR and strengths, array for array and bit for bit
    assert updated.parts.edges == fresh.parts.edges
    assert updated.parts.ties == fresh.parts.ties
    assert updated.parts.cold == fresh.parts.cold
    assert {k: sorted(v) for k, v in updated.parts.topics.items()} == {
        k: sorted(v) for k, v in fresh.parts.topics.items()
    }


@pytest.mark.parametrize("seed", range(6))
def test_an_updated_graph_equals_a_rebuild_after_every_write(seed: int) -> None:
    store = seeded_store(seed, 30)
    network = Network.build(store.facts(), PARAMS)
    for step in range(60):
        touched = random_write(store)
        network = apply_delta(network, store.delta(touched))
        fresh = Network.build(store.facts(), PARAMS)
        assert_same(network, fresh)
        # taken over from the graph before when they can be: compared every step
        assert network.tie_scores() == fresh.tie_scores()
        assert network.key_connectors(50) == fresh.key_connectors(50)
        if step % 20 == 19:  # the other answers too, now and then (they cost more)
            assert network.communities() == fresh.communities()
            assert network.going_cold(50) == fresh.going_cold(50)
            assert network.suggested_connections(50) == fresh.suggested_connections(50)
            assert network.stats() == fresh.stats()


def test_a_strength_only_write_keeps_the_betweenness_it_had() -> None:
    store = seeded_store(11, 40)
    network = Network.build(store.facts(), PARAMS)
    before = dict(network.key_connectors(100))
    pair = next(p for p, row in store.relationships.items() if not row.suppressed)
    updated = apply_delta(network, store.delta(store.update_relationship(pair)))
    assert updated._same_topology is not None  # taken over, not recomputed
    fresh = Network.build(store.facts(), PARAMS)
    assert updated.key_connectors(100) == fresh.key_connectors(100)
    after = dict(updated.key_connectors(100))
    assert {n: c.betweenness for n, c in after.items()} == {
        n: c.betweenness for n, c in before.items()
    }


def test_a_new_tie_recomputes_betweenness() -> None:
    store = seeded_store(12, 40)
    network = Network.build(store.facts(), PARAMS)
    network.key_connectors(1)
    a, b = next(
        (a, b)
        for a, b in combinations(sorted(store.contacts), 2)
        if (a, b) not in store.relationships
        and not store.contacts[a].archived
        and not store.contacts[b].archived
    )
    updated = apply_delta(network, store.delta(store.create_relationship(a, b)))
    assert updated._same_topology is None
    assert updated.key_connectors(100) == Network.build(store.facts(), PARAMS).key_connectors(100)


def test_an_empty_delta_is_the_same_graph() -> None:
    network = Network.build(seeded_store(3, 10).facts(), PARAMS)
    assert apply_delta(network, DeltaFacts.of(frozenset(), [], [], [], [])) is network


def test_interest_facts_are_whole_per_contact() -> None:
    # a delta carries every interest of a touched contact, so its topics are replaced whole
    store = seeded_store(5, 10)
    person = sorted(store.contacts)[0]
    network = Network.build(store.facts(), PARAMS)
    touched = store.add_interest(person) | store.add_interest(person)
    updated = apply_delta(network, store.delta(touched))
    assert_same(updated, Network.build(store.facts(), PARAMS))
