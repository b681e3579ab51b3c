"""The graph core on small hand-built networks, and once on a generated 2,000-contact one.

Contacts are `UUID(int=n)`, so their order (which breaks ties) is the order of n.
"""

from __future__ import annotations

import math
import random
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import combinations, pairwise
from uuid import UUID

import networkx as nx
import pytest

from graph_api.db.ties import CROWD_LIMIT
from graph_api.graph.facts import (
    ContactFact,
    InteractionFact,
    InterestFact,
    NetworkFacts,
    RelationshipFact,
)
from graph_api.graph.network import (
    BETWEENNESS_EXACT_MAX_NODES,
    PAGERANK_DAMPING,
    Network,
)
from graph_api.graph.strength import ZERO_TIE, StrengthParams
from graph_api.seed import (
    CONTACT_COLUMNS,
    INTERACTION_COLUMNS,
    INTEREST_COLUMNS,
    RELATIONSHIP_COLUMNS,
    generate_network,
)
from graph_api.seed import Network as SeedNetwork

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
PARAMS = StrengthParams()


def cid(n: int) -> UUID:
    return UUID(int=n)


A, B, C, D, E, F, G, H = (cid(n) for n in range(1, 9))
T, X, Y, Z = cid(20), cid(21), cid(22), cid(23)


@dataclass
class Facts:
    """A network written by hand, one call per fact."""

    contacts: list[ContactFact] = field(default_factory=list)
    relationships: list[RelationshipFact] = field(default_factory=list)
    interactions: list[InteractionFact] = field(default_factory=list)
    interests: list[InterestFact] = field(default_factory=list)

    def add(self, *people: UUID, company: str | None = None, archived: bool = False) -> None:
        for person in people:
            self.contacts.append(ContactFact(person, f"Contact {person.int}", company, archived))

    def link(
        self,
        a: UUID,
        b: UUID,
        manual: float | None = None,
        type: str = "friend",
        source: str = "manual",
    ) -> None:
        low, high = sorted((a, b))
        self.relationships.append(RelationshipFact(uuid.uuid4(), low, high, type, source, manual))

    def clique(self, *people: UUID, manual: float | None = None) -> None:
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                self.link(a, b, manual)

    def meet(
        self,
        *people: UUID,
        days_ago: float = 0.0,
        type: str = "meeting",
        direction: str = "mutual",
    ) -> None:
        interaction_id = uuid.uuid4()
        moment = NOW - timedelta(days=days_ago)
        for person in people:
            self.interactions.append(
                InteractionFact(person, interaction_id, moment, type, direction)
            )

    def likes(self, person: UUID, topic: str, confidence: float = 0.8) -> None:
        self.interests.append(InterestFact(person, "hobbies", topic, confidence))

    def facts(self) -> NetworkFacts:
        return NetworkFacts.of(
            list(self.contacts),
            list(self.relationships),
            list(self.interactions),
            list(self.interests),
            NOW,
        )

    def network(self, params: StrengthParams = PARAMS) -> Network:
        return Network.build(self.facts(), params)


def strength(network: Network, a: UUID, b: UUID) -> float:
    value = network.relationship_strength(a, b)
    assert value is not None, f"no edge {a.int}-{b.int}"
    return value


# --------------------------------------------------------------------------- building


def test_relationships_and_contacts_become_the_graph() -> None:
    facts = Facts()
    facts.add(A, B, C)
    facts.link(A, B, manual=0.5, type="colleague")
    network = facts.network()
    assert set(network.graph.nodes) == {A, B, C}  # C is isolated but still a node
    edge = network.graph.edges[A, B]
    assert (edge["type"], edge["source"], edge["shared_count"]) == ("colleague", "manual", 0)
    assert edge["relationship_id"] == facts.relationships[0].id
    # 0.6·0.5, nothing shared, no other neighbours to overlap
    assert edge["strength"] == pytest.approx(0.3)
    assert network.relationship_strength(B, A) == pytest.approx(0.3)
    assert network.relationship_strength(A, C) is None
    assert network.computed_at == NOW


def test_a_shared_meeting_strengthens_stored_ties_and_draws_none() -> None:
    # the database infers a row for every pair a meeting ties (db/ties.py); a pair
    # without one was untied by the user (a deleted relationship is never loaded)
    facts = Facts()
    facts.add(A, B, C)
    facts.link(A, B, manual=0.5)
    facts.link(A, C, type="other", source="inferred")
    facts.meet(A, B, C, days_ago=1)
    network = facts.network()
    inferred = network.graph.edges[A, C]
    assert inferred["source"] == "inferred"
    assert inferred["relationship_id"] == facts.relationships[1].id
    assert inferred["shared_count"] == 1
    assert not network.graph.has_edge(B, C)
    assert network.relationship_strength(B, C) is None
    # the stored relationship keeps its row and gains the shared meeting
    manual = network.graph.edges[A, B]
    assert (manual["source"], manual["shared_count"]) == ("manual", 1)
    assert manual["relationship_id"] == facts.relationships[0].id
    edge = network.edge(C, A)
    assert edge is not None and (edge.a, edge.b, edge.source) == (A, C, "inferred")


def test_a_shared_meeting_strengthens_a_stored_relationship() -> None:
    without = Facts()
    without.add(A, B)
    without.link(A, B, manual=0.5)
    with_meeting = Facts()
    with_meeting.add(A, B)
    with_meeting.link(A, B, manual=0.5)
    with_meeting.meet(A, B, days_ago=3)
    assert strength(with_meeting.network(), A, B) > strength(without.network(), A, B)


def test_inferred_rows_keep_their_id_and_assert_no_strength() -> None:
    facts = Facts()
    facts.add(A, B)
    facts.link(A, B, type="colleague", source="inferred")
    facts.meet(A, B, days_ago=0)
    network = facts.network()
    edge = network.graph.edges[A, B]
    assert (edge["source"], edge["relationship_id"]) == ("inferred", facts.relationships[0].id)
    # only the shared meeting counts: 0.25·(1 - exp(-1/3))
    assert edge["strength"] == pytest.approx(0.25 * (1 - math.exp(-1 / 3)))


def test_meetings_larger_than_the_crowd_limit_add_no_strength() -> None:
    crowd = [cid(100 + n) for n in range(CROWD_LIMIT + 1)]
    facts = Facts()
    facts.add(*crowd)
    facts.link(crowd[0], crowd[1], manual=0.5)
    facts.meet(*crowd)
    facts.meet(*crowd[:CROWD_LIMIT])
    edge = facts.network().graph.edges[crowd[0], crowd[1]]
    assert edge["shared_count"] == 1  # the meeting of exactly the limit counts
    assert facts.network().graph.number_of_edges() == 1


def test_archived_contacts_are_left_out() -> None:
    facts = Facts()
    facts.add(A, B)
    facts.add(X, archived=True)
    facts.link(A, X, manual=0.9)
    facts.link(A, B, source="inferred")
    facts.meet(A, B, X, days_ago=2)
    network = facts.network()
    assert not network.has_contact(X)
    assert set(network.graph.nodes) == {A, B}
    assert list(network.graph.edges) == [(A, B)]  # the meeting still counts for A and B
    assert network.graph.edges[A, B]["shared_count"] == 1
    assert network.metrics(X) is None
    assert network.mutual_connections(A, X, 10).count == 0
    # the user's own history with X is kept: it explains X if X is shown
    assert network.tie(X).interaction_count == 1


def test_the_same_facts_in_any_order_build_the_same_graph() -> None:
    facts = _two_companies()
    first = facts.network()
    rng = random.Random(3)
    for rows in (facts.contacts, facts.relationships, facts.interactions, facts.interests):
        rng.shuffle(rows)
    second = facts.network()
    assert first.parts == second.parts  # bit for bit, arrays and all
    assert list(first.graph.nodes) == list(second.graph.nodes)
    assert list(first.graph.edges(data=True)) == list(second.graph.edges(data=True))
    assert first.communities() == second.communities()


def test_build_needs_a_timezone_aware_now() -> None:
    facts = Facts().facts()
    naive = NetworkFacts.of([], [], [], [], datetime(2026, 5, 1))
    assert Network.build(facts, PARAMS).stats().contacts == 0
    with pytest.raises(ValueError, match="timezone"):
        Network.build(naive, PARAMS)


# --------------------------------------------------------------------------- user ties


def test_tie_is_the_users_strength_to_a_contact() -> None:
    facts = Facts()
    facts.add(A, B)
    facts.meet(A, days_ago=0)
    network = facts.network()
    assert network.tie(A).score == pytest.approx(0.6380650, abs=1e-7)  # see test_strength
    assert network.tie(B) == ZERO_TIE  # no interactions
    assert network.tie(cid(999)) == ZERO_TIE  # unknown


# --------------------------------------------------------------------------- mutual


def _mutual_facts() -> Facts:
    # A and B share C and D; A also knows E, B also knows F; C also knows G.
    facts = Facts()
    facts.add(A, B, C, D, E, F, G)
    facts.link(A, C, manual=0.2)
    facts.link(B, C, manual=0.2)
    facts.link(A, D, manual=0.9)
    facts.link(B, D, manual=0.9)
    facts.link(A, E)
    facts.link(B, F)
    facts.link(C, G)
    return facts


def test_mutual_connections_by_hand() -> None:
    network = _mutual_facts().network()
    mutual = network.mutual_connections(A, B, 50)
    assert mutual.count == 2
    # common {C, D} over union {C, D, E, F}
    assert mutual.jaccard == 0.5
    # 1/ln deg(C) + 1/ln deg(D) = 1/ln 3 + 1/ln 2 = 0.9102392 + 1.4426950
    assert mutual.adamic_adar == pytest.approx(2.3529342, abs=1e-7)
    assert mutual.adamic_adar == pytest.approx(
        next(score for _, _, score in nx.adamic_adar_index(network.graph, [(A, B)]))
    )
    # D is the stronger common friend of both
    assert mutual.contacts == [D, C]
    assert network.mutual_connections(B, A, 1).contacts == [D]
    assert network.mutual_connections(B, A, 1).count == 2


def test_mutual_jaccard_leaves_the_pair_itself_out() -> None:
    facts = _mutual_facts()
    facts.link(A, B)
    assert facts.network().mutual_connections(A, B, 50).jaccard == 0.5


def test_mutual_connections_of_unknown_or_identical_contacts_are_empty() -> None:
    network = _mutual_facts().network()
    for a, b in ((A, cid(999)), (cid(998), cid(999)), (A, A)):
        mutual = network.mutual_connections(a, b, 10)
        assert (mutual.contacts, mutual.count, mutual.jaccard, mutual.adamic_adar) == (
            [],
            0,
            0.0,
            0.0,
        )
    assert network.mutual_connections(A, G, 10).count == 1  # C


# --------------------------------------------------------------------------- shortest path


def _diamond(a_b: float, b_d: float, a_c: float, c_d: float) -> Facts:
    """A→D through B or through C (two hops each), and a strong three-hop detour."""
    facts = Facts()
    facts.add(A, B, C, D, E, F)
    facts.link(A, B, manual=a_b)
    facts.link(B, D, manual=b_d)
    facts.link(A, C, manual=a_c)
    facts.link(C, D, manual=c_d)
    facts.link(A, E, manual=1.0)
    facts.link(E, F, manual=1.0)
    facts.link(F, D, manual=1.0)
    return facts


def test_shortest_path_prefers_the_greater_weakest_link() -> None:
    # no triangles, so every strength is 0.6 × manual
    network = _diamond(a_b=1.0, b_d=0.2, a_c=0.5, c_d=0.5).network()
    path = network.shortest_path(A, D, 6)
    # via B: links 0.6 and 0.12; via C: 0.3 and 0.3 — C's weakest link is stronger
    assert path is not None
    assert (path.contacts, path.length) == ([A, C, D], 2)
    assert path.weakest_link == pytest.approx(0.3)
    assert path.strengths == pytest.approx([0.3, 0.3])


def test_shortest_path_breaks_equal_weakest_links_by_total() -> None:
    network = _diamond(a_b=0.9, b_d=0.5, a_c=0.5, c_d=0.5).network()
    path = network.shortest_path(A, D, 6)
    # both weakest links are 0.3; via B totals 0.84, via C 0.6
    assert path is not None and path.contacts == [A, B, D]
    assert path.weakest_link == pytest.approx(0.3)
    assert path.strengths == pytest.approx([0.54, 0.3])


def test_fewest_hops_come_before_strength() -> None:
    network = _diamond(a_b=0.1, b_d=0.1, a_c=0.1, c_d=0.1).network()
    path = network.shortest_path(D, A, 6)
    assert path is not None and path.length == 2  # not the strong three-hop A-E-F-D


def test_max_hops_cuts_the_search_off() -> None:
    facts = Facts()
    facts.add(A, B, C, D)
    facts.link(A, B)
    facts.link(B, C)
    facts.link(C, D)
    network = facts.network()
    assert network.shortest_path(A, D, 2) is None
    path = network.shortest_path(A, D, 3)
    assert path is not None and (path.contacts, path.length) == ([A, B, C, D], 3)
    assert network.shortest_path(A, D, 0) is None


def test_shortest_path_without_a_route_or_contact_is_none() -> None:
    facts = Facts()
    facts.add(A, B, C)
    facts.link(A, B)
    network = facts.network()
    assert network.shortest_path(A, C, 6) is None
    assert network.shortest_path(A, cid(999), 6) is None
    with pytest.raises(ValueError):
        network.shortest_path(A, A, 6)


@pytest.mark.parametrize("seed", range(8))
def test_shortest_path_matches_brute_force(seed: int) -> None:
    network = _random_network(seed)
    graph = network.graph
    rng = random.Random(seed)
    for _ in range(20):
        a, b = rng.sample(sorted(graph.nodes), 2)
        found = network.shortest_path(a, b, 6)
        if not nx.has_path(graph, a, b) or nx.shortest_path_length(graph, a, b) > 6:
            assert found is None
            continue
        best = max(
            (min(hops), sum(hops))
            for path in nx.all_shortest_paths(graph, a, b)
            for hops in [[strength(network, u, v) for u, v in pairwise(path)]]
        )
        assert found is not None
        assert found.length == nx.shortest_path_length(graph, a, b)
        assert (found.weakest_link, sum(found.strengths)) == pytest.approx(best)


# --------------------------------------------------------------------------- introductions


def _introductions() -> Facts:
    facts = Facts()
    facts.add(A, B, C, T, X)
    for days_ago in range(0, 70, 7):  # A: weekly meetings, a strong tie
        facts.meet(A, days_ago=days_ago)
    facts.meet(B, days_ago=200, type="email", direction="outbound")  # B: one old email
    for days_ago in (1, 2, 3):  # the user already knows the target well
        facts.meet(T, days_ago=days_ago)
    facts.link(A, T, manual=0.3)  # A knows T a little...
    facts.link(A, X, manual=1.0)  # ...and through X, well
    facts.link(X, T, manual=1.0)
    facts.link(B, T, manual=1.0)
    facts.link(C, T, manual=1.0)  # C: no interactions with the user
    return facts


def test_introduction_paths_rank_by_weakest_link_including_the_users_tie() -> None:
    network = _introductions().network()
    tie_a, tie_b = network.tie(A).score, network.tie(B).score
    a_x, x_t, b_t = strength(network, A, X), strength(network, X, T), strength(network, B, T)
    # the contact links decide A's path; B's weak tie caps B's
    assert tie_a > a_x > x_t > b_t > tie_b > 0
    paths = network.introduction_paths(T, 3, 10)
    assert [p.contacts for p in paths] == [[A, X, T], [B, T]]
    first = paths[0]
    assert first.length == 3  # user → A → X → T
    assert first.strengths == [tie_a, a_x, x_t]
    assert first.weakest_link == x_t
    assert paths[1].strengths == [tie_b, b_t]
    assert paths[1].weakest_link == tie_b
    # never the direct tie, never an introducer the user has no tie to (C)
    assert all(p.length >= 2 and p.contacts[-1] == T for p in paths)
    assert all(p.contacts[0] != C for p in paths)


def test_introduction_paths_respect_max_hops() -> None:
    network = _introductions().network()
    paths = network.introduction_paths(T, 2, 10)
    # only user → A → T fits; A's direct link is weak but still beats B's tie
    assert [p.contacts for p in paths] == [[A, T], [B, T]]
    assert paths[0].weakest_link == strength(network, A, T)
    assert network.introduction_paths(T, 1, 10) == []
    assert len(network.introduction_paths(T, 3, 1)) == 1


def test_equal_weakest_links_prefer_fewer_hops() -> None:
    facts = Facts()
    facts.add(D, E, Y, T)
    for person in (D, E):  # identical histories: identical ties, below every link
        facts.meet(person, days_ago=40, type="call")
    facts.link(D, T, manual=1.0)
    facts.link(E, Y, manual=1.0)
    facts.link(Y, T, manual=1.0)
    network = facts.network()
    paths = network.introduction_paths(T, 4, 10)
    assert [p.contacts for p in paths] == [[D, T], [E, Y, T]]
    assert paths[0].weakest_link == paths[1].weakest_link == network.tie(D).score


def test_the_users_tie_caps_so_the_shortest_route_wins() -> None:
    facts = Facts()
    facts.add(A, X, T)
    facts.meet(A, days_ago=90, type="email", direction="inbound")  # a weak tie
    facts.link(A, T, manual=0.9)
    facts.link(A, X, manual=1.0)
    facts.link(X, T, manual=1.0)
    paths = facts.network().introduction_paths(T, 5, 10)
    # A → X → T is stronger, but the weak user→A tie caps both: take the shorter
    assert [p.contacts for p in paths] == [[A, T]]


def test_introduction_paths_to_unknown_targets_are_empty() -> None:
    network = _introductions().network()
    assert network.introduction_paths(cid(999), 3, 3) == []
    assert network.introduction_paths(T, 3, 0) == []


@pytest.mark.parametrize("seed", range(8))
def test_introduction_paths_match_brute_force(seed: int) -> None:
    network = _random_network(seed, with_ties=True)
    graph = network.graph
    rng = random.Random(seed)
    for max_hops in (2, 3, 4):
        target = rng.choice(sorted(graph.nodes))
        expected = []
        for introducer in graph.nodes:
            tie = network.tie(introducer).score
            if introducer == target or tie <= 0:
                continue
            options = [
                (min([tie] + [strength(network, u, v) for u, v in pairwise(path)]), len(path))
                for path in nx.all_simple_paths(graph, introducer, target, cutoff=max_hops - 1)
            ]
            if options:
                expected.append(max(options, key=lambda o: (o[0], -o[1])))
        expected.sort(key=lambda o: (-o[0], o[1]))
        found = network.introduction_paths(target, max_hops, 5)
        # the same floats, taken by min: exact equality holds
        assert [(p.weakest_link, p.length) for p in found] == expected[:5]
        assert len({p.contacts[0] for p in found}) == len(found)  # one path per introducer


# --------------------------------------------------------------------------- communities


def _two_companies() -> Facts:
    """Acme (1-4) and Globex (5-9) cliques, one bridge 4-5, and a loner (10)."""
    facts = Facts()
    acme = [cid(n) for n in range(1, 5)]
    globex = [cid(n) for n in range(5, 10)]
    facts.add(*acme[:3], company="Acme")
    facts.add(acme[3], company="acme ")  # the same company, typed differently
    facts.add(*globex, company="Globex")
    facts.add(cid(10), company="Initech")
    facts.likes(cid(10), "chess")
    facts.clique(*acme)
    facts.clique(*globex)
    facts.link(cid(4), cid(5), manual=0.1)
    return facts


def test_two_cliques_joined_by_a_bridge_are_two_communities() -> None:
    network = _two_companies().network()
    communities = network.communities()
    assert [(c.id, c.members, c.size, c.label) for c in communities] == [
        (0, [cid(n) for n in range(5, 10)], 5, "Globex"),  # the largest first
        (1, [cid(n) for n in range(1, 5)], 4, "Acme"),
        (2, [cid(10)], 1, "chess"),  # a loner: its own community, labelled by interest
    ]
    assert network.community_of(cid(2)) == 1
    assert network.community_of(cid(999)) is None
    assert network.modularity > 0.3
    assert network.communities() == network.communities()
    assert _two_companies().network().communities() == communities


def test_without_a_shared_company_the_label_is_the_common_interest() -> None:
    facts = Facts()
    facts.add(A, company="Acme")
    facts.add(B, company="Globex")
    facts.add(C)
    facts.clique(A, B, C)
    facts.likes(A, "jazz")
    facts.likes(B, "jazz", confidence=0.3)
    facts.likes(C, "chess", confidence=0.9)
    facts.likes(C, "jazz")
    assert [c.label for c in facts.network().communities()] == ["jazz"]
    facts.interests.clear()
    assert [c.label for c in facts.network().communities()] == [None]


# --------------------------------------------------------------------------- centrality


def _barbell() -> Facts:
    """Two cliques (1-4, 6-9) joined only through Z (5)."""
    facts = Facts()
    left, right = [cid(n) for n in range(1, 5)], [cid(n) for n in range(6, 10)]
    facts.add(*left, *right, cid(5))
    facts.clique(*left)
    facts.clique(*right)
    facts.link(cid(4), cid(5))
    facts.link(cid(5), cid(6))
    return facts


def test_the_bridge_is_the_key_connector() -> None:
    network = _barbell().network()
    top = network.key_connectors(3)
    assert top[0][0] == cid(5)
    assert {node for node, _ in top[1:]} == {cid(4), cid(6)}  # 15 of 28 pairs each
    bridge = top[0][1]
    assert bridge.degree == 2
    # 16 of the 28 pairs of other contacts pass through it: 16 / 28
    assert bridge.betweenness == pytest.approx(16 / 28)
    assert network.key_connectors(0) == []
    assert len(network.key_connectors(100)) == 9


def test_metrics_match_networkx_and_the_pagerank_equation() -> None:
    network = _random_network(4)
    graph = network.graph
    assert not network.betweenness_sampled
    expected = nx.betweenness_centrality(graph)
    communities = {m: c.id for c in network.communities() for m in c.members}
    ranks = {}
    for node in graph:
        metrics = network.metrics(node)
        assert metrics is not None
        assert metrics.degree == graph.degree(node)
        assert metrics.betweenness == pytest.approx(expected[node])
        assert metrics.community_id == communities[node]
        ranks[node] = metrics.pagerank
    assert sum(ranks.values()) == pytest.approx(1.0)
    # PageRank's fixed point: (1 - d)/n + d·(dangling rank)/n + d·Σ rank(j)·w(j,i)/W(j)
    weight = {node: graph.degree(node, weight="strength") for node in graph}
    dangling = sum(ranks[n] for n in graph if weight[n] <= 0)
    count = len(graph)
    for node in graph:
        inflow = sum(
            ranks[other] * attrs["strength"] / weight[other]
            for other, attrs in graph[node].items()
            if weight[other] > 0
        )
        fixed_point = (1 - PAGERANK_DAMPING + PAGERANK_DAMPING * dangling) / count
        assert ranks[node] == pytest.approx(fixed_point + PAGERANK_DAMPING * inflow, abs=1e-5)
    assert network.metrics(cid(999)) is None


def test_betweenness_is_sampled_on_large_graphs() -> None:
    facts = Facts()
    size = BETWEENNESS_EXACT_MAX_NODES + 100
    people = [cid(1000 + n) for n in range(size)]
    facts.add(*people)
    for a, b in pairwise(people):  # one long chain: the middle is the key connector
        facts.link(a, b)
    network = facts.network()
    assert network.betweenness_sampled
    top, _ = network.key_connectors(1)[0]
    assert abs(people.index(top) - size // 2) < size // 10
    ends = network.metrics(people[0])
    assert ends is not None and ends.betweenness == 0.0


def test_whole_graph_results_are_computed_once_across_threads() -> None:
    network = _random_network(1, size=150)
    connectors: list[object] = []
    suggestions: list[object] = []
    barrier = threading.Barrier(6)

    def ask() -> None:
        barrier.wait()  # all threads ask at once, before anything is cached
        assert network.key_connectors(5)
        connectors.append(network._ranked())  # what key_connectors read their answer from
        suggestions.append(network.suggested_connections(1)[0])

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(connectors) == len(suggestions) == 6
    # the very same objects: each whole-graph result was computed once
    assert all(found is connectors[0] for found in connectors)
    assert all(found is suggestions[0] for found in suggestions)


# --------------------------------------------------------------------------- going cold


def test_a_weekly_tie_silent_for_sixty_days_is_going_cold() -> None:
    facts = Facts()
    facts.add(A, B, C, D)
    for week in range(20):  # A: weekly meetings that stopped 60 days ago
        facts.meet(A, days_ago=60 + 7 * week)
    for month in range(8):  # B: monthly meetings, last seen 20 days ago
        facts.meet(B, days_ago=20 + 30 * month)
    for days_ago in (40, 47):  # C: strong enough, overdue, but only two occasions
        facts.meet(C, days_ago=days_ago)
    for month in range(3):  # D: overdue, but a weak one-sided tie
        facts.meet(D, days_ago=200 + 30 * month, type="email", direction="outbound")
    cold = facts.network().going_cold(10)
    assert [c.contact_id for c in cold] == [A]
    assert cold[0].days_since_last_interaction == pytest.approx(60)
    assert cold[0].expected_cadence_days == pytest.approx(7)
    # Σ 0.5**((60 + 7k)/180) for k < 20 = 12.4367; frequency 1 - exp(-1.24367) = 0.71168;
    # reciprocity 1; (0.4·0.71168 + 0.2·1) / 0.6 = 0.80778
    assert cold[0].strength == pytest.approx(0.80778, abs=1e-5)


def test_going_cold_ranks_overdue_strong_ties_first() -> None:
    facts = Facts()
    facts.add(A, B)
    for week in range(20):
        facts.meet(A, days_ago=30 + 7 * week)  # ~4 cadences overdue
        facts.meet(B, days_ago=90 + 7 * week)  # ~13 cadences overdue, a little weaker
    facts.add(C, archived=True)
    for week in range(20):
        facts.meet(C, days_ago=90 + 7 * week)
    network = facts.network()
    assert [c.contact_id for c in network.going_cold(10)] == [B, A]  # archived C left out
    assert [c.contact_id for c in network.going_cold(1)] == [B]
    assert network.going_cold(0) == []


def test_an_email_thread_does_not_shrink_the_cadence() -> None:
    facts = Facts()
    facts.add(A)
    for week in range(12):  # three emails within hours, every week; last 10 days ago
        for hours in (0, 1, 5):
            facts.meet(A, days_ago=10 + 7 * week - hours / 24, type="email", direction="mutual")
    assert facts.network().going_cold(10) == []


# --------------------------------------------------------------------------- suggestions


def test_friends_of_friends_are_suggested() -> None:
    facts = Facts()
    facts.add(A, B, C, D, E, F, G)
    facts.link(A, B)
    facts.link(B, C)
    facts.link(B, D)
    facts.link(C, D)
    facts.clique(E, F, G)  # everyone already connected: nothing to suggest
    suggestions = facts.network().suggested_connections(10)
    # A-C and A-D share B (degree 3): 1/ln 3 each; equal scores go by id
    assert [(s.a, s.b, s.mutual_count) for s in suggestions] == [(A, C, 1), (A, D, 1)]
    assert suggestions[0].score == pytest.approx(1 / math.log(3))


@pytest.mark.parametrize("seed", range(4))
def test_suggestions_match_networkx_adamic_adar(seed: int) -> None:
    network = _random_network(seed)
    graph = network.graph
    candidates = {
        (min(u, v), max(u, v))
        for u in graph
        for w in graph[u]
        for v in graph[w]
        if v != u and not graph.has_edge(u, v)
    }
    expected = [(score, u, v) for u, v, score in nx.adamic_adar_index(graph, candidates)]
    found = network.suggested_connections(1000)
    # the same pairs and scores; equal scores may be summed in another order, so the
    # order is checked as "never increasing" rather than pair by pair
    assert {(s.a, s.b): s.score for s in found} == pytest.approx(
        {(u, v): score for score, u, v in expected}
    )
    assert all(later.score <= earlier.score + 1e-12 for earlier, later in pairwise(found))
    assert all(not graph.has_edge(s.a, s.b) and s.a < s.b for s in found)
    for s in found:
        assert s.mutual_count == len(set(graph[s.a]) & set(graph[s.b]))


# --------------------------------------------------------------------------- small graphs


def test_an_empty_network_answers_everything_emptily() -> None:
    network = Facts().network()
    assert network.communities() == []
    assert network.modularity == 0.0
    assert network.community_of(A) is None
    assert network.metrics(A) is None
    assert network.key_connectors(10) == []
    assert network.going_cold(10) == []
    assert network.suggested_connections(10) == []
    assert network.shortest_path(A, B, 6) is None
    assert network.introduction_paths(A, 3, 3) == []
    assert network.mutual_connections(A, B, 10).count == 0
    assert network.tie(A) == ZERO_TIE
    assert network.relationship_strength(A, B) is None
    assert network.edge(A, B) is None
    stats = network.stats()
    assert (stats.contacts, stats.relationships, stats.communities) == (0, 0, 0)
    assert (stats.density, stats.average_clustering, stats.average_strength) == (0.0, 0.0, 0.0)


def test_a_single_contact() -> None:
    facts = Facts()
    facts.add(A, company="Acme")
    facts.meet(A, days_ago=1)
    network = facts.network()
    assert network.has_contact(A)
    assert [(c.members, c.label) for c in network.communities()] == [([A], None)]
    metrics, (top, centrality) = network.metrics(A), network.key_connectors(1)[0]
    assert metrics is not None and top == A
    assert (metrics.degree, metrics.pagerank, metrics.betweenness) == (
        centrality.degree,
        centrality.pagerank,
        centrality.betweenness,
    )
    metrics = network.metrics(A)
    assert metrics is not None
    assert (metrics.degree, metrics.pagerank, metrics.betweenness, metrics.community_id) == (
        0,
        1.0,
        0.0,
        0,
    )
    assert network.introduction_paths(A, 3, 3) == []
    assert network.suggested_connections(3) == []
    assert network.stats().contacts == 1


def test_isolated_contacts_are_singleton_communities() -> None:
    facts = Facts()
    facts.add(C, A, B)
    network = facts.network()
    assert [(c.id, c.members) for c in network.communities()] == [(0, [A]), (1, [B]), (2, [C])]
    assert network.modularity == 0.0
    assert network.stats().density == 0.0
    assert all(m.betweenness == 0.0 for _, m in network.key_connectors(3))
    assert network.shortest_path(A, B, 6) is None


def test_zero_strength_ties_do_not_break_communities() -> None:
    facts = Facts()
    facts.add(A, B)
    facts.link(A, B, manual=0.0)
    network = facts.network()
    assert network.relationship_strength(A, B) == 0.0
    assert [c.members for c in network.communities()] == [[A], [B]]
    assert network.modularity == 0.0
    assert network.metrics(A) is not None


def test_stats_of_a_small_network() -> None:
    network = _barbell().network()
    stats = network.stats()
    assert (stats.contacts, stats.relationships) == (9, 14)
    assert stats.density == pytest.approx(14 / 36)
    assert stats.average_clustering == pytest.approx(nx.average_clustering(network.graph))
    assert stats.communities == len(network.communities())
    strengths = [s for _, _, s in network.graph.edges(data="strength")]
    assert stats.average_strength == pytest.approx(sum(strengths) / 14)


# --------------------------------------------------------------------------- generated network


def facts_from_seed(network: SeedNetwork, now: datetime) -> NetworkFacts:
    """The generator's rows as the database layer would load them."""

    def columns(names: tuple[str, ...], *wanted: str) -> Iterator[int]:
        return (names.index(name) for name in wanted)

    cid_, name, company = columns(CONTACT_COLUMNS, "id", "full_name", "company")
    contacts = [ContactFact(r[cid_], r[name], r[company], False) for r in network.contacts]
    rid, ra, rb, rtype, rsource, rmanual = columns(
        RELATIONSHIP_COLUMNS,
        "id",
        "contact_a_id",
        "contact_b_id",
        "type",
        "source",
        "manual_strength",
    )
    relationships = [
        RelationshipFact(r[rid], r[ra], r[rb], r[rtype], r[rsource], r[rmanual])
        for r in network.relationships
    ]
    # and the rows the seed's tie inference adds (db/ties.py): every pair of a meeting
    # of at most CROWD_LIMIT people that no generated relationship joins
    people: dict[UUID, set[UUID]] = defaultdict(set)
    for _, interaction_id, contact_id in network.participants:
        people[interaction_id].add(contact_id)
    stored = {(row.a, row.b) for row in relationships}
    inferred = {
        pair
        for group in people.values()
        if 2 <= len(group) <= CROWD_LIMIT
        for pair in combinations(sorted(group), 2)
    } - stored
    relationships += [
        RelationshipFact(uuid.uuid4(), a, b, "other", "inferred", None) for a, b in sorted(inferred)
    ]
    iid, itype, direction, occurred = columns(
        INTERACTION_COLUMNS, "id", "type", "direction", "occurred_at"
    )
    by_id = {r[iid]: r for r in network.interactions}
    interactions = [
        InteractionFact(
            contact_id,
            interaction_id,
            by_id[interaction_id][occurred],
            by_id[interaction_id][itype],
            by_id[interaction_id][direction],
        )
        for _, interaction_id, contact_id in network.participants
    ]
    owner, category, topic, confidence = columns(
        INTEREST_COLUMNS, "contact_id", "category", "topic", "confidence"
    )
    interests = [
        InterestFact(r[owner], r[category], r[topic], r[confidence]) for r in network.interests
    ]
    return NetworkFacts.of(contacts, relationships, interactions, interests, now)


@pytest.fixture(scope="module")
def generated() -> tuple[NetworkFacts, Network]:
    facts = facts_from_seed(generate_network(uuid.uuid4(), 2_000, 1, NOW), NOW)
    return facts, Network.build(facts, PARAMS)


def test_a_generated_network_answers_plausibly(generated: tuple[NetworkFacts, Network]) -> None:
    facts, network = generated
    graph = network.graph
    assert graph.number_of_nodes() == 2_000
    assert graph.number_of_edges() == len(facts.relationships)  # inferred rows included
    sources = {source for _, _, source in graph.edges(data="source")}
    assert sources == {"manual", "inferred"}

    communities = network.communities()
    assert network.modularity > 0.3
    assert sum(c.size for c in communities) == 2_000
    assert sum(c.label is not None for c in communities) > len(communities) / 2

    cold = network.going_cold(10)
    assert len(cold) == 10
    for tie in cold:
        assert tie.days_since_last_interaction > 3 * tie.expected_cadence_days
        assert tie.strength >= PARAMS.cold_min_strength

    connectors = network.key_connectors(10)
    assert len(connectors) == 10 and connectors[0][1].betweenness > 0
    assert network.betweenness_sampled

    suggestions = network.suggested_connections(10)
    assert len(suggestions) == 10
    assert all(not graph.has_edge(s.a, s.b) and s.mutual_count >= 1 for s in suggestions)

    hub, _ = connectors[0]
    # the neighbour it shares most people with: a pair whose answer has something in it
    neighbour = max(graph[hub], key=lambda n: (len(set(graph[n]) & set(graph[hub])), str(n)))
    mutual = network.mutual_connections(hub, neighbour, 5)
    common = set(nx.common_neighbors(graph, hub, neighbour))
    assert len(common) > 5
    assert mutual.count == len(common) and set(mutual.contacts) <= common
    assert len(mutual.contacts) == min(5, len(common))
    union = (set(graph[hub]) | set(graph[neighbour])) - {hub, neighbour}
    assert mutual.jaccard == pytest.approx(len(common) / len(union))
    [(_, _, adamic_adar)] = nx.adamic_adar_index(graph, [(hub, neighbour)])
    assert mutual.adamic_adar == pytest.approx(adamic_adar)
    far = max(
        nx.single_source_shortest_path_length(graph, hub, cutoff=4).items(), key=lambda i: i[1]
    )
    path = network.shortest_path(hub, far[0], 6)
    assert path is not None and path.length == far[1]

    target = next(n for n in graph if any(network.tie(m).score > 0 for m in graph[n]))
    paths = network.introduction_paths(target, 3, 3)
    assert paths and all(p.length >= 2 and p.contacts[-1] == target for p in paths)
    assert all(p.strengths[0] == network.tie(p.contacts[0]).score for p in paths)

    stats = network.stats()
    assert stats.contacts == 2_000 and stats.relationships == graph.number_of_edges()
    assert 0 < stats.density < 0.05 and 0.2 < stats.average_clustering < 1
    assert stats.communities == len(communities)
    assert 0 < stats.average_strength < 1


# --------------------------------------------------------------------------- helpers


def _random_network(seed: int, size: int = 14, with_ties: bool = False) -> Network:
    """A small random network with coarse strengths, so exact ties happen."""
    rng = random.Random(seed)
    graph = nx.gnp_random_graph(size, 0.25, seed=seed)
    facts = Facts()
    people = [cid(200 + n) for n in range(size)]
    facts.add(*people)
    for u, v in graph.edges:
        facts.link(people[u], people[v], manual=rng.choice((0.2, 0.5, 0.5, 0.8, 1.0)))
    if with_ties:
        for person in people:
            if rng.random() < 0.7:
                facts.meet(person, days_ago=rng.choice((1, 10, 40, 100)))
    return facts.network()
