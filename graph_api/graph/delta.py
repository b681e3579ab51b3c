"""A write's effect applied to a built graph: the touched contacts' facts replace theirs.

What a contact's facts decide: the user's tie to it, whether its tie has gone cold, its
interests, and the base strength of its edges; what its neighbours decide: the overlap
part of every edge at a contact whose neighbours changed. So an update recomputes
- the user's ties, cold ties and topics of the touched contacts;
- the edges at the touched contacts, from their relationship rows and shared meetings;
- the strength of every edge at a contact whose neighbour set changed (the overlap).
Everything else is shared with the graph it came from, which stays valid for requests
still reading it. Strengths are as of the old graph's `computed_at`, as a rebuild at
that moment would make them (the cache rebuilds when the day changes), so an updated
graph equals the graph built from all the facts at once (tests/unit/test_delta.py).

Cost: proportional to the touched contacts' interactions and to the degrees around
them, plus one shallow copy of the per-contact dicts (O(contacts), a few milliseconds
at 10,000: cheaper than any structure shared piecewise would be to read). The edge
arrays are copied too: in place when no edge came or went (the same rows, new values),
else filtered, joined and sorted again (O(edges log edges) in numpy, no Python per
edge: ~10 ms at 50,000 edges).
"""

from __future__ import annotations

from uuid import UUID

import numpy

from graph_api.graph.build import (
    Columns,
    Parts,
    cold_ties,
    links_of,
    tie_strengths_of,
    ties_by_contact,
    topics_of,
    with_overlap,
)
from graph_api.graph.edges import INT, Edges, nodes_of
from graph_api.graph.facts import DeltaFacts, microseconds
from graph_api.graph.network import Network


def apply_delta(network: Network, delta: DeltaFacts) -> Network:
    if delta.empty:
        return network
    parts, now, params = network.parts, network.computed_at, network.params
    at_now = microseconds(now)
    touched = delta.touched
    existing = {contact.id for contact in delta.contacts}

    contacts = dict(parts.contacts)
    for contact_id in touched:
        contacts.pop(contact_id, None)
    for contact in delta.contacts:
        if not contact.archived:
            contacts[contact.id] = contact

    # the touched contacts' own ties (an archived contact keeps its tie), cold ties, topics
    mine = tie_strengths_of(delta.interactions, existing & touched, at_now, params)
    ties = dict(parts.ties)
    cold = dict(parts.cold)
    topics = dict(parts.topics)
    for contact_id in touched:
        ties.pop(contact_id, None)
        cold.pop(contact_id, None)
        topics.pop(contact_id, None)
    ties.update(ties_by_contact(mine, delta.interactions))
    cold.update(cold_ties(mine, delta.interactions, contacts, at_now, params))
    touched_active = {c: None for c in touched if c in contacts}
    topics.update(topics_of(touched_active, delta.interests))

    old = parts.edges
    same_nodes = contacts.keys() == parts.contacts.keys()
    nodes, position = (old.nodes, old.position) if same_nodes else nodes_of(list(contacts))
    removed = old.at([old.position[c] for c in touched if c in old.position])
    # every edge at a touched contact is made again from the delta's rows
    added = links_of(delta.relationships, delta.interactions, position, at_now, params)
    same_topology = (
        same_nodes
        and len(added[0]) == len(removed)
        and numpy.array_equal(added[0], old.low[removed])
        and numpy.array_equal(added[1], old.high[removed])
    )
    if same_topology:
        # the same rows in the same places (both in (low, high) order): new values only
        edges = old.with_rows(removed, added)
    else:
        edges = _remade(old, removed, added, nodes, position, same_nodes)

    # the contacts whose neighbour sets may have changed: the overlap part of every
    # edge at one of them is computed again
    region = numpy.zeros(len(nodes), dtype=bool)
    region[[position[c] for c in touched if c in position]] = True
    for ends in (added[0], added[1]):
        region[ends] = True
    if not same_nodes:
        moved = _moved(old, position)
        for ends in (old.low[removed], old.high[removed]):
            kept = moved[ends]
            region[kept[kept >= 0]] = True
    else:
        region[old.low[removed]] = True
        region[old.high[removed]] = True
    edges = with_overlap(edges, edges.at(numpy.flatnonzero(region)), params)

    updated = Network(Parts(contacts, edges, ties, cold, topics), now, params)
    if same_topology:
        # betweenness counts hops: the same nodes and edges give the same values
        updated.inherit_topology(network)
    updated.inherit_tie_scores(network, touched)
    return updated


def _moved(old: Edges, position: dict[UUID, int]) -> numpy.ndarray:
    """Each old position's new one (-1 for a contact no longer in the graph)."""
    return numpy.fromiter(
        (position.get(node, -1) for node in old.nodes), dtype=numpy.int64, count=len(old.nodes)
    )


def _remade(
    old: Edges,
    removed: numpy.ndarray,
    added: Columns,
    nodes: list[UUID],
    position: dict[UUID, int],
    same_nodes: bool,
) -> Edges:
    """The edges without the removed rows, with the added ones, over the contacts now:
    O(edges) array work (a copy and a sort, milliseconds at 50,000), no Python per edge
    kept."""
    kept = numpy.ones(len(old), dtype=bool)
    kept[removed] = False
    low, high = old.low[kept], old.high[kept]
    if not same_nodes:
        # a contact that went is touched, so none of its edges is kept
        moved = _moved(old, position)
        low, high = moved[low].astype(INT), moved[high].astype(INT)
    kept_columns = (
        low,
        high,
        old.relationship[kept],
        old.type[kept],
        old.source[kept],
        old.shared[kept],
        old.base[kept],
        old.strength[kept],
    )
    joined = [numpy.concatenate(pair) for pair in zip(kept_columns, added, strict=True)]
    return Edges.make(nodes, position, *joined)
