"""From facts to the graph's parts: the user's ties, contact↔contact edges, cold ties.

Per contact, plain dicts; the edges, arrays (graph/edges.py). Nothing is mutated once
built: a `Network` reads its parts from any thread, and an update (graph/delta.py)
makes new dicts and arrays for what changed and shares the rest with the graph it came
from.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import combinations
from typing import NamedTuple
from uuid import UUID

import numpy

from graph_api.db.ties import CROWD_LIMIT
from graph_api.graph import strength as formulas
from graph_api.graph.edges import INT, SOURCE_CODE, TYPE_CODE, Edges, id_bytes, nodes_of
from graph_api.graph.facts import ContactFact, InteractionFact, InterestFact, RelationshipFact
from graph_api.graph.results import ColdTie
from graph_api.graph.strength import StrengthParams, TieStrength

Pair = tuple[UUID, UUID]  # (low, high), ids compared as integers
Topics = list[tuple[str, float]]  # (interest topic, confidence), for community labels


class LinkRow(NamedTuple):
    """A contact↔contact edge as stored, while a graph is being made: its row, and the
    part of its strength its own facts decide (the overlap part is added from the ends'
    neighbours)."""

    relationship_id: UUID
    type: str
    source: str
    shared_count: int
    base: float


@dataclass(frozen=True)
class Parts:
    contacts: dict[UUID, ContactFact]  # active contacts
    edges: Edges  # every active contact a node; strengths with the overlap part
    ties: dict[UUID, TieStrength]  # the user's tie, per contact with interactions
    cold: dict[UUID, ColdTie]  # per active contact whose tie has gone cold
    topics: dict[UUID, Topics]  # per active contact with interests


def pair_of(a: UUID, b: UUID) -> Pair:
    return (a, b) if a.int < b.int else (b, a)


def build_parts(
    contacts: Iterable[ContactFact],
    relationships: Iterable[RelationshipFact],
    interactions: Sequence[InteractionFact],
    interests: Iterable[InterestFact],
    now: datetime,
    params: StrengthParams,
) -> Parts:
    contact_list = list(contacts)
    known = {contact.id for contact in contact_list}
    active = active_contacts(contact_list)
    by_contact = interactions_by_contact(interactions, known)
    ties = {
        contact_id: formulas.tie_strength(facts, now, params)
        for contact_id, facts in by_contact.items()
    }
    shared = shared_occurrences(interactions, active)
    links = links_of(relationships, shared, active, now, params)
    nodes, position = nodes_of(list(active))
    edges = with_overlap(Edges.make(nodes, position, *columns_of(links, position)), None, params)
    cold = {
        contact_id: found
        for contact_id in active
        if (found := cold_tie(by_contact.get(contact_id), ties.get(contact_id), now, params))
    }
    return Parts(active, edges, ties, cold, topics_of(active, interests))


def active_contacts(contacts: Iterable[ContactFact]) -> dict[UUID, ContactFact]:
    # ascending ids: the same facts in any order build the same graph, node for node,
    # which is what makes the seeded algorithms repeatable
    return {c.id: c for c in sorted(contacts, key=lambda c: c.id.int) if not c.archived}


def interactions_by_contact(
    interactions: Iterable[InteractionFact], known: set[UUID]
) -> dict[UUID, list[InteractionFact]]:
    # archived contacts keep their tie strength: it explains their history if shown
    grouped: dict[UUID, list[InteractionFact]] = defaultdict(list)
    for fact in interactions:
        if fact.contact_id in known:
            grouped[fact.contact_id].append(fact)
    return dict(grouped)


def shared_occurrences(
    interactions: Iterable[InteractionFact], active: Mapping[UUID, object]
) -> dict[Pair, list[datetime]]:
    """When each pair of active contacts took part in the same interaction (of at most
    CROWD_LIMIT people)."""
    # Most interactions have one participant: remember only the first, and open a set
    # when a second appears (a set per interaction would cost more than the rest).
    first: dict[UUID | str, UUID] = {}
    groups: dict[UUID | str, tuple[set[UUID], datetime]] = {}
    for fact in interactions:
        seen = first.setdefault(fact.interaction_id, fact.contact_id)
        if seen is not fact.contact_id:  # identity is only a shortcut: the set dedupes
            group = groups.get(fact.interaction_id)
            if group is None:
                groups[fact.interaction_id] = ({seen, fact.contact_id}, fact.occurred_at)
            else:
                group[0].add(fact.contact_id)
    shared: dict[Pair, list[datetime]] = defaultdict(list)
    for people, occurred_at in groups.values():
        if 2 <= len(people) <= CROWD_LIMIT:
            present = sorted((p for p in people if p in active), key=lambda p: p.int)
            for pair in combinations(present, 2):
                shared[pair].append(occurred_at)
    return dict(shared)


def links_of(
    relationships: Iterable[RelationshipFact],
    shared: Mapping[Pair, Sequence[datetime]],
    active: Mapping[UUID, object],
    now: datetime,
    params: StrengthParams,
) -> dict[Pair, LinkRow]:
    # Shared interactions strengthen stored ties and draw none of their own: the
    # database infers a row for every pair they would tie (db/ties.py), and a pair
    # without one is a pair the user untied (a suppressed row, never loaded).
    links: dict[Pair, LinkRow] = {}
    for row in relationships:
        if row.a == row.b or row.a not in active or row.b not in active:
            continue
        pair = pair_of(row.a, row.b)
        explicit = formulas.explicit_strength(row.manual_strength, row.type, row.source, params)
        moments = shared.get(pair, ())
        base = formulas.relationship_base(explicit, moments, now, params)
        links[pair] = LinkRow(row.id, row.type, row.source, len(moments), base)
    return links


def columns_of(
    links: Mapping[Pair, LinkRow], position: Mapping[UUID, int]
) -> tuple[numpy.ndarray, ...]:
    """Edge rows as `Edges.make` takes them (strengths still without the overlap)."""
    count = len(links)
    rows = links.values()
    base = numpy.fromiter((link.base for link in rows), dtype=numpy.float64, count=count)
    return (
        numpy.fromiter((position[a] for a, _ in links), dtype=INT, count=count),
        numpy.fromiter((position[b] for _, b in links), dtype=INT, count=count),
        id_bytes([link.relationship_id for link in rows]),
        numpy.fromiter((TYPE_CODE[link.type] for link in rows), dtype=numpy.uint8, count=count),
        numpy.fromiter((SOURCE_CODE[link.source] for link in rows), dtype=numpy.uint8, count=count),
        numpy.fromiter((link.shared_count for link in rows), dtype=INT, count=count),
        base,
        base.copy(),
    )


def with_overlap(edges: Edges, rows: numpy.ndarray | None, params: StrengthParams) -> Edges:
    """The edges with these rows' strengths (all when None) made again from their base
    and the ends' overlap (formulas.with_overlap, elementwise: the same operations on
    the same floats, so the same bits)."""
    if rows is None:
        rows = numpy.arange(len(edges))
    if not len(rows):
        return edges
    overlap = numpy.clip(edges.jaccard(rows), 0.0, 1.0)
    strength = edges.strength.copy()
    strength[rows] = numpy.clip(edges.base[rows] + params.weight_overlap * overlap, 0.0, 1.0)
    return replace(edges, strength=strength)


def cold_tie(
    interactions: Sequence[InteractionFact] | None,
    tie: TieStrength | None,
    now: datetime,
    params: StrengthParams,
) -> ColdTie | None:
    """The contact's tie if it is strong and silent for longer than its cadence allows."""
    if not interactions or tie is None:
        return None
    rhythm = formulas.cadence([fact.occurred_at for fact in interactions], params)
    if rhythm.usual_gap_days is None or rhythm.occasions < params.cold_min_interactions:
        return None
    strength = formulas.strength_without_recency(tie, params)
    assert tie.last_interaction_at is not None  # there are interactions
    silent = formulas.age_days(tie.last_interaction_at, now)
    if strength < params.cold_min_strength:
        return None
    if silent <= params.cold_cadence_multiple * rhythm.usual_gap_days:
        return None
    contact_id = interactions[0].contact_id
    return ColdTie(contact_id, silent, rhythm.usual_gap_days, strength)


def rank_cold(cold: Mapping[UUID, ColdTie]) -> list[ColdTie]:
    """Most overdue strong ties first: strength × log(1 + silence / cadence)."""
    ranked = sorted(
        cold.values(),
        key=lambda tie: (
            -tie.strength * math.log1p(tie.days_since_last_interaction / tie.expected_cadence_days),
            tie.contact_id,
        ),
    )
    return ranked


def topics_of(
    active: Mapping[UUID, object], interests: Iterable[InterestFact]
) -> dict[UUID, Topics]:
    topics: dict[UUID, dict[str, float]] = defaultdict(dict)
    for interest in interests:
        if interest.contact_id in active:
            # a topic listed under two categories still counts once for its contact
            held = topics[interest.contact_id]
            held[interest.topic] = max(held.get(interest.topic, 0.0), interest.confidence)
    return {contact_id: list(held.items()) for contact_id, held in topics.items()}
