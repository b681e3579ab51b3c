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

from graph_api.graph import strength as formulas
from graph_api.graph.build import (
    LinkRow,
    Pair,
    Parts,
    cold_tie,
    columns_of,
    interactions_by_contact,
    links_of,
    shared_occurrences,
    topics_of,
    with_overlap,
)
from graph_api.graph.edges import INT, Edges, nodes_of
from graph_api.graph.facts import ContactFact, DeltaFacts
from graph_api.graph.network import Network


def apply_delta(network: Network, delta: DeltaFacts) -> Network:
    if delta.empty:
        return network
    parts, now, params = network.parts, network.computed_at, network.params
    touched = delta.touched
    existing = {contact.id: contact for contact in delta.contacts}

    contacts = dict(parts.contacts)
    for contact_id in touched:
        contacts.pop(contact_id, None)
    for contact in delta.contacts:
        if not contact.archived:
            contacts[contact.id] = contact

    mine = [fact for fact in delta.interactions if fact.contact_id in touched]
    by_contact = interactions_by_contact(mine, set(existing))
    ties = dict(parts.ties)
    cold = dict(parts.cold)
    topics = dict(parts.topics)
    for contact_id in touched:
        ties.pop(contact_id, None)
        cold.pop(contact_id, None)
        topics.pop(contact_id, None)
    for contact_id, facts in by_contact.items():
        ties[contact_id] = formulas.tie_strength(facts, now, params)
        if contact_id in contacts:
            found = cold_tie(facts, ties[contact_id], now, params)
            if found is not None:
                cold[contact_id] = found
    touched_active = {c: None for c in touched if c in contacts}
    topics.update(topics_of(touched_active, delta.interests))

    old = parts.edges
    touched_at = [old.position[c] for c in touched if c in old.position]
    removed = old.at(touched_at)  # every edge at a touched contact, made again below
    shared = shared_occurrences(delta.interactions, contacts)
    added = links_of(delta.relationships, shared, contacts, now, params)

    same_nodes = contacts.keys() == parts.contacts.keys()
    removed_pairs = [
        (old.nodes[a], old.nodes[b])
        for a, b in zip(old.low[removed].tolist(), old.high[removed].tolist(), strict=True)
    ]
    same_topology = (
        same_nodes and len(removed_pairs) == len(added) and added.keys() >= set(removed_pairs)
    )
    if same_topology:
        # the same rows in the same places: only their values change
        in_place = {pair: added[pair] for pair in removed_pairs}
        edges = old.with_rows(removed, columns_of(in_place, old.position))
    else:
        edges = _remade(old, removed, added, contacts, same_nodes)

    # the contacts whose neighbour sets may have changed: the overlap part of every
    # edge at one of them is computed again
    region = (
        set(touched)
        | {c for pair in removed_pairs for c in pair}
        | {c for pair in added for c in pair}
    )
    at = [edges.position[c] for c in region if c in edges.position]
    edges = with_overlap(edges, edges.at(at), params)

    updated = Network(Parts(contacts, edges, ties, cold, topics), now, params)
    if same_topology:
        # betweenness counts hops: the same nodes and edges give the same values
        updated.inherit_topology(network)
    updated.inherit_tie_scores(network, touched)
    return updated


def _remade(
    old: Edges,
    removed: numpy.ndarray,
    added: dict[Pair, LinkRow],
    contacts: dict[UUID, ContactFact],
    same_nodes: bool,
) -> Edges:
    """The edges without the removed rows, with the added ones, over the contacts now:
    O(edges) array work (a copy and a sort, milliseconds at 50,000), no Python per edge
    kept."""
    if same_nodes:
        nodes, position = old.nodes, old.position
    else:
        nodes, position = nodes_of(list(contacts))
    kept = numpy.ones(len(old), dtype=bool)
    kept[removed] = False
    low, high = old.low[kept], old.high[kept]
    if not same_nodes:
        # a contact that went is touched, so none of its edges is kept
        moved = numpy.fromiter(
            (position.get(node, -1) for node in old.nodes), dtype=INT, count=len(old.nodes)
        )
        low, high = moved[low], moved[high]
    fresh = columns_of(added, position)
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
    joined = [numpy.concatenate(pair) for pair in zip(kept_columns, fresh, strict=True)]
    return Edges.make(nodes, position, *joined)
