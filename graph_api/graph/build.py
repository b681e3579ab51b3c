"""From facts to the graph's parts: the user's ties, contact↔contact edges, cold ties.

Per contact, plain dicts; the edges, arrays (graph/edges.py). Everything is computed
over the facts' columns (graph/facts.py) with numpy, in a canonical order, so the same
facts in any order give the same bits. Nothing is mutated once built: a `Network`
reads its parts from any thread, and an update (graph/delta.py) makes new dicts and
arrays for what changed and shares the rest with the graph it came from.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import combinations
from uuid import UUID

import numpy

from graph_api.db.ties import CROWD_LIMIT
from graph_api.graph import strength as formulas
from graph_api.graph.edges import INT, Edges, nodes_of
from graph_api.graph.facts import (
    ContactFact,
    InterestFact,
    Participations,
    Relationships,
    microseconds,
)
from graph_api.graph.results import ColdTie
from graph_api.graph.strength import StrengthParams, Ties, TieStrength

Topics = list[tuple[str, float]]  # (interest topic, confidence), for community labels
Columns = tuple[numpy.ndarray, ...]  # edge rows as `Edges.make` takes them


@dataclass(frozen=True)
class Parts:
    contacts: dict[UUID, ContactFact]  # active contacts
    edges: Edges  # every active contact a node; strengths with the overlap part
    ties: dict[UUID, TieStrength]  # the user's tie, per contact with interactions
    cold: dict[UUID, ColdTie]  # per active contact whose tie has gone cold
    topics: dict[UUID, Topics]  # per active contact with interests


def build_parts(
    contacts: Iterable[ContactFact],
    relationships: Relationships,
    interactions: Participations,
    interests: Iterable[InterestFact],
    now: datetime,
    params: StrengthParams,
) -> Parts:
    contact_list = list(contacts)
    active = active_contacts(contact_list)
    at_now = microseconds(now)
    known = {contact.id for contact in contact_list}
    # archived contacts keep their tie strength: it explains their history if shown
    ties = tie_strengths_of(interactions, known, at_now, params)
    nodes, position = nodes_of(list(active))
    links = links_of(relationships, interactions, position, at_now, params)
    edges = with_overlap(Edges.make(nodes, position, *links), None, params)
    cold = cold_ties(ties, interactions, active, at_now, params)
    return Parts(
        active, edges, ties_by_contact(ties, interactions), cold, topics_of(active, interests)
    )


def active_contacts(contacts: Iterable[ContactFact]) -> dict[UUID, ContactFact]:
    # ascending ids: the same facts in any order build the same graph, node for node,
    # which is what makes the seeded algorithms repeatable
    return {c.id: c for c in sorted(contacts, key=lambda c: c.id.int) if not c.archived}


def tie_strengths_of(
    facts: Participations, contacts: Collection[UUID], now: int, params: StrengthParams
) -> Ties:
    """The user's ties to these contacts, from their participations."""
    wanted = numpy.fromiter(
        (p in contacts for p in facts.people), dtype=bool, count=len(facts.people)
    )
    keep = wanted[facts.person] if len(facts) else numpy.zeros(0, dtype=bool)
    mine = Participations(
        facts.people,
        facts.person[keep],
        facts.interaction[keep],
        facts.at[keep],
        facts.type[keep],
        facts.direction[keep],
    )
    ties = formulas.tie_strengths(mine, now, params)
    # the order and starts index `mine`: keep them as indices into `facts`
    kept = numpy.flatnonzero(keep)
    return replace(ties, order=kept[ties.order])


def ties_by_contact(ties: Ties, facts: Participations) -> dict[UUID, TieStrength]:
    people = facts.people
    return {people[int(p)]: ties.tie(k) for k, p in enumerate(ties.person)}


def cold_ties(
    ties: Ties,
    facts: Participations,
    active: Mapping[UUID, object],
    now: int,
    params: StrengthParams,
) -> dict[UUID, ColdTie]:
    """The active contacts whose tie is strong and silent for longer than its cadence
    allows. The cheap tests first (how many interactions, how strong), the cadence only
    for the few left."""
    strength = formulas.strengths_without_recency(
        ties.score, ties.frequency, ties.reciprocity, params
    )
    silent = formulas.ages_days(ties.last, now)
    candidates = numpy.flatnonzero(
        (ties.count >= params.cold_min_interactions) & (strength >= params.cold_min_strength)
    )
    at = facts.at
    cold: dict[UUID, ColdTie] = {}
    for k in candidates.tolist():
        contact_id = facts.people[int(ties.person[k])]
        if contact_id not in active:
            continue
        start = int(ties.start[k])
        moments = at[ties.order[start : start + int(ties.count[k])]].tolist()
        rhythm = formulas.cadence_of(moments, params)
        if rhythm.usual_gap_days is None or rhythm.occasions < params.cold_min_interactions:
            continue
        if silent[k] <= params.cold_cadence_multiple * rhythm.usual_gap_days:
            continue
        cold[contact_id] = ColdTie(
            contact_id, float(silent[k]), rhythm.usual_gap_days, float(strength[k])
        )
    return cold


def positions_of(people: Sequence[UUID], position: Mapping[UUID, int]) -> numpy.ndarray:
    """Each person's position among the graph's contacts, -1 where not one of them."""
    return numpy.fromiter(
        (position.get(p, -1) for p in people), dtype=numpy.int64, count=len(people)
    )


def shared_moments(
    facts: Participations, at_position: numpy.ndarray, nodes: int
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(pair keys, moments): one entry per pair of active contacts per interaction of at
    most CROWD_LIMIT people that both took part in. A pair's key is low · nodes + high
    (positions). Work: the participations, plus the pairs the crowds make."""
    if not len(facts):
        return numpy.zeros(0, dtype=numpy.int64), numpy.zeros(0, dtype=numpy.int64)
    order = numpy.lexsort((facts.person, facts.interaction))
    interaction = facts.interaction[order]
    _, start, size = numpy.unique(interaction, return_index=True, return_counts=True)
    keys, moments = [], []
    for people in range(2, CROWD_LIMIT + 1):
        groups = start[size == people]
        if not len(groups):
            continue
        # one row per interaction of that size: its participants' positions
        members = order[groups[:, None] + numpy.arange(people)]
        spot = at_position[facts.person[members]]
        when = facts.at[members[:, 0]]
        for i, j in combinations(range(people), 2):
            a, b = spot[:, i], spot[:, j]
            both = (a >= 0) & (b >= 0)
            low, high = numpy.minimum(a[both], b[both]), numpy.maximum(a[both], b[both])
            keys.append(low * nodes + high)
            moments.append(when[both])
    if not keys:
        return numpy.zeros(0, dtype=numpy.int64), numpy.zeros(0, dtype=numpy.int64)
    return numpy.concatenate(keys), numpy.concatenate(moments)


def links_of(
    relationships: Relationships,
    interactions: Participations,
    position: Mapping[UUID, int],
    now: int,
    params: StrengthParams,
) -> Columns:
    """The edges the relationship rows between active contacts make, as columns (their
    strengths still without the overlap part), strengthened by the shared interactions.

    Shared interactions strengthen stored ties and draw none of their own: the database
    infers a row for every pair they would tie (db/ties.py), and a pair without one is a
    pair the user untied (a suppressed row, never loaded)."""
    nodes = len(position)
    ends = positions_of(relationships.people, position)
    a, b = ends[relationships.a], ends[relationships.b]
    live = numpy.flatnonzero((a >= 0) & (b >= 0) & (a != b))
    low, high = numpy.minimum(a[live], b[live]), numpy.maximum(a[live], b[live])
    keys = low * nodes + high
    # one edge per pair (the table's unique key; were there two, the later row counts)
    _, last = numpy.unique(keys[::-1], return_index=True)
    rows = live[len(live) - 1 - last]
    low, high, keys = (
        low[len(live) - 1 - last],
        high[len(live) - 1 - last],
        keys[len(live) - 1 - last],
    )
    at_position = (
        ends
        if interactions.people is relationships.people
        else positions_of(interactions.people, position)
    )
    pair, moment = shared_moments(interactions, at_position, nodes)
    at = numpy.searchsorted(keys, pair)
    found = at < len(keys)
    found[found] = keys[at[found]] == pair[found]
    tie, moment = at[found], moment[found]
    shared = numpy.bincount(tie, minlength=len(keys)).astype(INT)
    amount = formulas.shared_amounts(tie, moment, len(keys), now, params)
    explicit = formulas.explicit_strengths(
        relationships.manual_strength[rows],
        relationships.type[rows],
        relationships.source[rows],
        params,
    )
    base = formulas.relationship_bases(explicit, amount, params)
    return (
        low.astype(INT),
        high.astype(INT),
        relationships.id[rows],
        relationships.type[rows],
        relationships.source[rows],
        shared,
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
