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
at 10,000: cheaper than any structure shared piecewise would be to read).
"""

from __future__ import annotations

from uuid import UUID

from graph_api.graph import strength as formulas
from graph_api.graph.build import (
    Pair,
    Parts,
    cold_tie,
    interactions_by_contact,
    jaccard_without_each_other,
    links_of,
    pair_of,
    shared_occurrences,
    topics_of,
)
from graph_api.graph.facts import DeltaFacts
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

    old = parts.adjacency
    removed: set[Pair] = {
        pair_of(contact_id, other) for contact_id in touched for other in old.get(contact_id, ())
    }
    shared = shared_occurrences(delta.interactions, contacts)
    added = links_of(delta.relationships, shared, contacts, now, params)
    links = dict(parts.links)
    for pair in removed:
        del links[pair]
    links.update(added)

    # the contacts whose neighbour sets may have changed, and those sets now
    region = set(touched)
    for a, b in removed | added.keys():
        region.add(a)
        region.add(b)
    neighbours: dict[UUID, set[UUID]] = {
        node: set(old.get(node, ())) for node in region if node in contacts
    }
    for a, b in removed:
        neighbours.get(a, set()).discard(b)
        neighbours.get(b, set()).discard(a)
    for a, b in added:
        neighbours[a].add(b)
        neighbours[b].add(a)

    def neighbour_set(node: UUID) -> set[UUID]:
        found = neighbours.get(node)
        if found is None:
            found = neighbours[node] = set(old[node])
        return found

    adjacency = dict(old)
    for contact_id in touched:
        if contact_id not in contacts:
            adjacency.pop(contact_id, None)
    changed_sets = {node for node in region if node in contacts}
    rebuild = set(changed_sets)
    for node in changed_sets:
        rebuild |= neighbours[node]
    for node in rebuild:
        around = neighbour_set(node)
        inner: dict[UUID, float] = {}
        for other in sorted(around, key=lambda o: o.int):
            if node in changed_sets or other in changed_sets:
                inner[other] = formulas.with_overlap(
                    links[pair_of(node, other)].base,
                    jaccard_without_each_other(around, neighbour_set(other), node, other),
                    params,
                )
            else:
                inner[other] = old[node][other]
        adjacency[node] = inner

    same_topology = removed == added.keys() and contacts.keys() == parts.contacts.keys()
    updated = Network(Parts(contacts, adjacency, links, ties, cold, topics), now, params)
    if same_topology:
        # betweenness counts hops: the same nodes and edges give the same values
        updated.inherit_topology(network)
    updated.inherit_tie_scores(network, touched)
    return updated
