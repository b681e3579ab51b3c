"""generate_network, without a database: shape, ranges and determinism of the demo network."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import networkx as nx
import pytest

from graph_api.seed import (
    CONTACT_COLUMNS,
    INTERACTION_COLUMNS,
    INTEREST_COLUMNS,
    MEMORY_COLUMNS,
    MEMORY_SOURCE_COLUMNS,
    PARTICIPANT_COLUMNS,
    RELATIONSHIP_COLUMNS,
    Network,
    generate_network,
)
from graph_api.seed.vocabulary import TAG_VOCABULARY

USER_ID = uuid.UUID("5b0c4a52-1a7e-4c55-9a43-0e6f1d1c2b3a")
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
CONTACTS = 2_000

RELATIONSHIP_TYPES = {
    "colleague", "friend", "family", "client", "vendor", "mentor", "acquaintance", "other",
}  # fmt: skip
INTERACTION_TYPES = {"email", "meeting", "call", "message", "other"}
DIRECTIONS = {"inbound", "outbound", "mutual"}
MEMORY_TYPES = {"note", "summary", "insight", "briefing", "talking_point"}


def column(name: str, columns: tuple[str, ...]) -> int:
    return columns.index(name)


@pytest.fixture(scope="module")
def network() -> Network:
    return generate_network(USER_ID, CONTACTS, seed=7, now=NOW)


@pytest.fixture(scope="module")
def contact_ids(network: Network) -> set[uuid.UUID]:
    return {row[column("id", CONTACT_COLUMNS)] for row in network.contacts}


@pytest.fixture(scope="module")
def participants_by_interaction(network: Network) -> dict[uuid.UUID, list[uuid.UUID]]:
    by_interaction: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for _, interaction_id, contact_id in network.participants:
        by_interaction[interaction_id].append(contact_id)
    return by_interaction


# ----- determinism


def test_same_arguments_give_identical_networks() -> None:
    first = generate_network(USER_ID, 300, seed=11, now=NOW)
    second = generate_network(USER_ID, 300, seed=11, now=NOW)
    assert first == second


def test_a_different_seed_gives_a_different_network() -> None:
    first = generate_network(USER_ID, 300, seed=11, now=NOW)
    second = generate_network(USER_ID, 300, seed=12, now=NOW)
    assert first.contacts != second.contacts
    assert first.relationships != second.relationships


def test_output_does_not_depend_on_string_hash_randomisation() -> None:
    """Same arguments in two interpreters with different PYTHONHASHSEEDs: same rows."""
    script = (
        "import hashlib, uuid; from datetime import datetime, UTC;"
        "from graph_api.seed import generate_network;"
        f"n = generate_network(uuid.UUID('{USER_ID}'), 200, 3, datetime(2026, 5, 1, tzinfo=UTC));"
        "print(hashlib.sha256(repr(n).encode()).hexdigest())"
    )
    root = Path(__file__).resolve().parents[2]
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(root)}
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        digests.add(result.stdout.strip())
    assert len(digests) == 1
    local = generate_network(USER_ID, 200, 3, datetime(2026, 5, 1, tzinfo=UTC))
    assert digests == {hashlib.sha256(repr(local).encode()).hexdigest()}


# ----- edge cases and arguments


def test_zero_contacts_gives_an_empty_network() -> None:
    network = generate_network(USER_ID, 0, seed=1, now=NOW)
    assert all(rows == [] for _, _, rows in network.tables())


def test_one_contact_has_no_relationships_and_only_solo_interactions() -> None:
    network = generate_network(USER_ID, 1, seed=1, now=NOW)
    assert len(network.contacts) == 1
    assert network.relationships == []
    (contact_id,) = {row[1] for row in network.contacts}
    assert {row[2] for row in network.participants} <= {contact_id}
    assert len(network.participants) == len(network.interactions)
    assert 1 <= len(network.interests) <= 4


def test_one_contact_works_for_many_seeds() -> None:
    # a lone contact may draw any profile (including "never"); none of them may fail
    for seed in range(30):
        network = generate_network(USER_ID, 1, seed=seed, now=NOW)
        assert len(network.contacts) == 1


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        generate_network(USER_ID, 10, seed=1, now=datetime(2026, 5, 1))


def test_negative_contacts_is_rejected() -> None:
    with pytest.raises(ValueError):
        generate_network(USER_ID, -1, seed=1, now=NOW)


def test_records_match_their_copy_columns(network: Network) -> None:
    widths = {
        "contacts": len(CONTACT_COLUMNS),
        "relationships": len(RELATIONSHIP_COLUMNS),
        "interactions": len(INTERACTION_COLUMNS),
        "interaction_participants": len(PARTICIPANT_COLUMNS),
        "interests": len(INTEREST_COLUMNS),
        "memories": len(MEMORY_COLUMNS),
        "memory_sources": len(MEMORY_SOURCE_COLUMNS),
    }
    for table, columns, rows in network.tables():
        assert "search_vector" not in columns and "embedding" not in columns
        assert {len(row) for row in rows} == {widths[table]}, table
        assert {row[0] for row in rows} == {USER_ID}, table


# ----- contacts


def test_contacts_count_and_fields(network: Network) -> None:
    assert len(network.contacts) == CONTACTS
    names = [row[column("full_name", CONTACT_COLUMNS)] for row in network.contacts]
    assert all(1 <= len(name) <= 200 and " " in name for name in names)
    emails = [row[column("email", CONTACT_COLUMNS)] for row in network.contacts]
    assert len(set(emails)) == len(emails)
    assert all("@" in email and email == email.lower() for email in emails)
    for row in network.contacts:
        assert row[column("source", CONTACT_COLUMNS)] == "seed"
        assert set(row[column("tags", CONTACT_COLUMNS)]) <= set(TAG_VOCABULARY)
        assert row[column("company", CONTACT_COLUMNS)]
        assert row[column("location", CONTACT_COLUMNS)]
        assert row[column("bio", CONTACT_COLUMNS)].endswith(".")
        created = row[column("created_at", CONTACT_COLUMNS)]
        assert created.tzinfo is not None and created <= NOW


def test_contacts_are_created_before_their_first_interaction(network: Network) -> None:
    occurred = {
        row[1]: row[column("occurred_at", INTERACTION_COLUMNS)] for row in network.interactions
    }
    first_seen: dict[uuid.UUID, datetime] = {}
    for _, interaction_id, contact_id in network.participants:
        when = occurred[interaction_id]
        first_seen[contact_id] = min(when, first_seen.get(contact_id, when))
    for row in network.contacts:
        if row[1] in first_seen:
            assert row[column("created_at", CONTACT_COLUMNS)] <= first_seen[row[1]]


def test_last_interaction_at_is_the_latest_participation(network: Network) -> None:
    occurred = {
        row[1]: row[column("occurred_at", INTERACTION_COLUMNS)] for row in network.interactions
    }
    latest: dict[uuid.UUID, datetime] = {}
    for _, interaction_id, contact_id in network.participants:
        when = occurred[interaction_id]
        latest[contact_id] = max(when, latest.get(contact_id, when))
    for row in network.contacts:
        assert row[column("last_interaction_at", CONTACT_COLUMNS)] == latest.get(row[1])


def test_ties_include_active_gone_cold_and_never_contacted(network: Network) -> None:
    """The going-cold and strength features need every kind of tie to be present."""
    last = [row[column("last_interaction_at", CONTACT_COLUMNS)] for row in network.contacts]
    never = sum(when is None for when in last)
    recent = sum(when is not None and NOW - when <= timedelta(days=30) for when in last)
    lapsed = sum(
        when is not None and timedelta(days=90) <= NOW - when <= timedelta(days=365)
        for when in last
    )
    assert 0.1 < never / CONTACTS < 0.35
    assert recent / CONTACTS > 0.15
    assert lapsed / CONTACTS > 0.15


# ----- relationships


def test_relationship_pairs_are_ordered_unique_and_known(
    network: Network, contact_ids: set[uuid.UUID]
) -> None:
    a_index = column("contact_a_id", RELATIONSHIP_COLUMNS)
    b_index = column("contact_b_id", RELATIONSHIP_COLUMNS)
    pairs = [(row[a_index], row[b_index]) for row in network.relationships]
    assert all(a < b for a, b in pairs)  # also rules out self-loops
    assert len(set(pairs)) == len(pairs)
    assert {contact for pair in pairs for contact in pair} <= contact_ids


def test_relationship_values_are_in_range(network: Network) -> None:
    for row in network.relationships:
        assert row[column("type", RELATIONSHIP_COLUMNS)] in RELATIONSHIP_TYPES
        assert row[column("source", RELATIONSHIP_COLUMNS)] == "manual"
        strength = row[column("manual_strength", RELATIONSHIP_COLUMNS)]
        assert strength is None or 0 <= strength <= 1
        assert row[column("detected_at", RELATIONSHIP_COLUMNS)] <= NOW
    strengths = [
        row[column("manual_strength", RELATIONSHIP_COLUMNS)] for row in network.relationships
    ]
    assert any(s is None for s in strengths) and any(s is not None for s in strengths)


def test_three_to_six_relationships_per_contact(network: Network) -> None:
    assert 3 <= len(network.relationships) / CONTACTS <= 6


def test_relationship_graph_has_clear_communities(network: Network) -> None:
    graph = nx.Graph((row[2], row[3]) for row in network.relationships)
    communities = nx.community.louvain_communities(graph, seed=1)
    assert nx.community.modularity(graph, communities) > 0.6
    # a few bridges join communities: the graph is not shattered into islands
    largest = max(nx.connected_components(graph), key=len)
    assert len(largest) > 0.5 * graph.number_of_nodes()


# ----- interactions


def test_about_ten_interactions_per_contact(network: Network) -> None:
    assert 8 <= len(network.interactions) / CONTACTS <= 12


def test_interaction_values_are_in_range(network: Network) -> None:
    for row in network.interactions:
        kind = row[column("type", INTERACTION_COLUMNS)]
        assert kind in INTERACTION_TYPES
        assert row[column("direction", INTERACTION_COLUMNS)] in DIRECTIONS
        assert -1 <= row[column("sentiment", INTERACTION_COLUMNS)] <= 1
        occurred = row[column("occurred_at", INTERACTION_COLUMNS)]
        assert NOW - timedelta(days=730) <= occurred <= NOW
        duration = row[column("duration_minutes", INTERACTION_COLUMNS)]
        assert (duration is not None and duration > 0) == (kind in {"meeting", "call"})
        subject = row[column("subject", INTERACTION_COLUMNS)]
        assert subject and "{" not in subject
    assert {row[2] for row in network.interactions} == INTERACTION_TYPES


def test_every_interaction_has_known_participants(
    network: Network,
    contact_ids: set[uuid.UUID],
    participants_by_interaction: dict[uuid.UUID, list[uuid.UUID]],
) -> None:
    interaction_ids = {row[1] for row in network.interactions}
    assert set(participants_by_interaction) == interaction_ids
    assert {row[2] for row in network.participants} <= contact_ids
    assert len(set(network.participants)) == len(network.participants)


def test_some_meetings_are_group_meetings(
    network: Network, participants_by_interaction: dict[uuid.UUID, list[uuid.UUID]]
) -> None:
    kinds = {row[1]: row[2] for row in network.interactions}
    groups = [i for i, people in participants_by_interaction.items() if len(people) > 1]
    meetings = sum(kind == "meeting" for kind in kinds.values())
    assert all(kinds[i] == "meeting" for i in groups)
    assert all(len(participants_by_interaction[i]) <= 6 for i in groups)
    assert 0.04 < len(groups) / meetings < 0.15


# ----- interests


def test_interests_are_unique_and_in_range(network: Network, contact_ids: set[uuid.UUID]) -> None:
    keys = [(row[2], row[3], row[4]) for row in network.interests]
    assert len(set(keys)) == len(keys)
    per_contact = Counter(row[2] for row in network.interests)
    assert set(per_contact) == contact_ids
    assert set(per_contact.values()) <= {1, 2, 3, 4}
    for row in network.interests:
        assert 0 <= row[column("confidence", INTEREST_COLUMNS)] <= 1
        assert row[column("evidence_count", INTEREST_COLUMNS)] >= 1
        first = row[column("first_detected_at", INTEREST_COLUMNS)]
        assert first <= row[column("last_reinforced_at", INTEREST_COLUMNS)] <= NOW


# ----- memories


def test_memories_are_meaningful_and_in_range(
    network: Network, contact_ids: set[uuid.UUID]
) -> None:
    assert 0.35 <= len(network.memories) / CONTACTS <= 0.65
    names = {row[1]: row[2].split()[0] for row in network.contacts}
    for row in network.memories:
        contact_id = row[column("contact_id", MEMORY_COLUMNS)]
        content = row[column("content", MEMORY_COLUMNS)]
        assert row[column("type", MEMORY_COLUMNS)] in MEMORY_TYPES
        assert 0 <= row[column("importance", MEMORY_COLUMNS)] <= 1
        assert 0 <= row[column("confidence", MEMORY_COLUMNS)] <= 1
        assert 20 <= len(content) <= 20_000 and "{" not in content
        assert "{" not in row[column("title", MEMORY_COLUMNS)]
        assert row[column("created_at", MEMORY_COLUMNS)] <= NOW
        if contact_id is not None:
            assert contact_id in contact_ids
            assert names[contact_id] in content  # written about this person
    assert len({row[column("type", MEMORY_COLUMNS)] for row in network.memories}) == 5


def test_memory_sources_point_at_an_interaction_with_that_contact(
    network: Network, participants_by_interaction: dict[uuid.UUID, list[uuid.UUID]]
) -> None:
    memory_contact = {row[1]: row[2] for row in network.memories}
    assert network.memory_sources
    for _, memory_id, interaction_id in network.memory_sources:
        assert memory_contact[memory_id] in participants_by_interaction[interaction_id]
    assert len({row[1] for row in network.memory_sources}) == len(network.memory_sources)
