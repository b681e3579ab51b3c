"""Graph intelligence through GraphQL, on networks small enough to reason about by hand."""

from __future__ import annotations

import asyncio
import math
import os
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from graph_api.app import GRAPHS, create_app
from graph_api.db import tenant
from graph_api.graph.cache import GraphCache
from graph_api.graph.load import load_facts
from graph_api.graph.network import Network
from graph_api.seed import seed_network
from graph_api.settings import Settings
from tests.conftest import Account, GraphQL, error_codes

NOW = datetime.now(UTC)


class Net:
    """Builds a network through the API and remembers the ids by name."""

    def __init__(self, graphql: GraphQL, account: Account) -> None:
        self.graphql, self.account, self.ids = graphql, account, {}

    async def run(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self.graphql(query, variables, account=self.account)
        assert "errors" not in body, body
        return body["data"]

    async def contacts(self, *names: str, company: str | None = None) -> None:
        for name in names:
            data = await self.run(
                "mutation($n: String!, $c: String) { createContact(input: {fullName: $n, company: $c}) { contact { id } } }",
                {"n": name, "c": company},
            )
            self.ids[name] = data["createContact"]["contact"]["id"]

    async def tie(
        self, a: str, b: str, strength: float | None = None, type: str = "FRIEND"
    ) -> None:
        data = await self.run(
            "mutation($a: ID!, $b: ID!, $s: Float, $t: RelationshipType!) { createRelationship(input: {contactAId: $a, contactBId: $b, strength: $s, type: $t}) { errors { code } } }",
            {"a": self.ids[a], "b": self.ids[b], "s": strength, "t": type},
        )
        assert data["createRelationship"]["errors"] == []

    async def meet(
        self, *names: str, days_ago: float, type: str = "MEETING", direction: str = "MUTUAL"
    ) -> None:
        when = (NOW - timedelta(days=days_ago)).isoformat()
        data = await self.run(
            "mutation($p: [ID!]!, $t: InteractionType!, $at: DateTime!, $d: Direction!) { logInteraction(input: {participantIds: $p, type: $t, occurredAt: $at, direction: $d}) { errors { code field } } }",
            {"p": [self.ids[n] for n in names], "t": type, "at": when, "d": direction},
        )
        assert data["logInteraction"]["errors"] == []


@pytest.fixture
def net(graphql: GraphQL, account: Account) -> Net:
    return Net(graphql, account)


async def two_cliques(net: Net) -> None:
    """Two groups of four joined by one bridge: Dana knows Erin."""
    await net.contacts("Ada", "Bo", "Cy", "Dana", company="Acme")
    await net.contacts("Erin", "Finn", "Gus", "Hal", company="Globex")
    for group in (("Ada", "Bo", "Cy", "Dana"), ("Erin", "Finn", "Gus", "Hal")):
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                await net.tie(a, b, 0.8)
    await net.tie("Dana", "Erin", 0.6)


async def test_mutual_connections(net: Net) -> None:
    await two_cliques(net)
    data = await net.run(
        "query($a: ID!, $b: ID!) { mutualConnections(a: $a, b: $b) { count jaccard adamicAdar contacts { fullName } } }",
        {"a": net.ids["Ada"], "b": net.ids["Bo"]},
    )
    mutual = data["mutualConnections"]
    # Ada: {Bo, Cy, Dana}; Bo: {Ada, Cy, Dana} -> shared {Cy, Dana}; union without each other {Cy, Dana}
    assert mutual["count"] == 2
    assert {c["fullName"] for c in mutual["contacts"]} == {"Cy", "Dana"}
    assert mutual["jaccard"] == pytest.approx(1.0)
    # Cy has degree 3, Dana 4 (Erin too): 1/ln 3 + 1/ln 4
    assert mutual["adamicAdar"] == pytest.approx(1 / math.log(3) + 1 / math.log(4))
    nested = await net.run(
        "query($a: ID!, $b: ID!) { contact(id: $a) { mutualConnections(with: $b) { count } } }",
        {"a": net.ids["Ada"], "b": net.ids["Bo"]},
    )
    assert nested["contact"]["mutualConnections"]["count"] == 2


async def test_shortest_path_and_introductions(net: Net) -> None:
    await two_cliques(net)
    data = await net.run(
        "query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b) { length weakestLink contacts { fullName } } }",
        {"a": net.ids["Ada"], "b": net.ids["Hal"]},
    )
    path = data["shortestPath"]
    assert path["length"] == 3
    assert [c["fullName"] for c in path["contacts"]] == ["Ada", "Dana", "Erin", "Hal"]
    short = await net.run(
        "query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b, maxHops: 2) { length } }",
        {"a": net.ids["Ada"], "b": net.ids["Hal"]},
    )
    assert short["shortestPath"] is None

    # the user knows Ada well and Dana barely: the best way to Erin starts with Ada
    for _ in range(4):
        await net.meet("Ada", days_ago=3)
    await net.meet("Dana", days_ago=200, type="EMAIL")
    intro = await net.run(
        "query($t: ID!) { introductionPaths(to: $t, maxHops: 3, first: 3) { length weakestLink contacts { fullName } } }",
        {"t": net.ids["Erin"]},
    )
    paths = intro["introductionPaths"]
    assert paths, "someone can introduce the user to Erin"
    assert all(p["contacts"][-1]["fullName"] == "Erin" and p["length"] >= 2 for p in paths)
    assert [p["weakestLink"] for p in paths] == sorted(
        (p["weakestLink"] for p in paths), reverse=True
    )
    assert {p["contacts"][0]["fullName"] for p in paths} <= {"Ada", "Dana"}


async def test_communities_connectors_stats(net: Net) -> None:
    await two_cliques(net)
    await net.contacts("Loner")
    data = await net.run(
        """{ communities { id size modularity label members { fullName } }
             keyConnectors(first: 2) { contact { fullName } betweenness pagerank degree }
             networkStats { contacts relationships density averageClustering communities averageStrength } }"""
    )
    groups = {frozenset(m["fullName"] for m in c["members"]): c for c in data["communities"]}
    assert frozenset({"Ada", "Bo", "Cy", "Dana"}) in groups
    assert groups[frozenset({"Ada", "Bo", "Cy", "Dana"})]["label"] == "Acme"
    assert frozenset({"Erin", "Finn", "Gus", "Hal"}) in groups
    assert data["communities"][0]["modularity"] > 0.3
    assert {c["contact"]["fullName"] for c in data["keyConnectors"]} == {"Dana", "Erin"}
    stats = data["networkStats"]
    assert (stats["contacts"], stats["relationships"]) == (9, 13)
    again = await net.run("{ communities { id members { fullName } } }")
    assert again["communities"] == [
        {"id": c["id"], "members": c["members"]} for c in data["communities"]
    ]
    metrics = await net.run(
        "query($id: ID!) { contact(id: $id) { metrics { degree betweenness communityId computedAt } } }",
        {"id": net.ids["Dana"]},
    )
    assert metrics["contact"]["metrics"]["degree"] == 4


async def test_strength_is_explained_and_orders_contacts(net: Net) -> None:
    await net.contacts("Often", "Once", "Never")
    for days in (2, 9, 16, 23, 30):
        await net.meet("Often", days_ago=days)
    await net.meet("Once", days_ago=300, type="EMAIL", direction="INBOUND")
    data = await net.run(
        """{ contacts(orderBy: STRENGTH_DESC) { edges { node { fullName
              strength { score recency frequency reciprocity interactionCount lastInteractionAt } } } }
             strong: contacts(filter: {minStrength: 0.3}) { totalCount edges { node { fullName } } } }"""
    )
    ranked = [e["node"] for e in data["contacts"]["edges"]]
    assert [n["fullName"] for n in ranked] == ["Often", "Once", "Never"]
    often, once, never = (n["strength"] for n in ranked)
    assert often["interactionCount"] == 5 and once["interactionCount"] == 1
    assert often["recency"] > once["recency"] and often["frequency"] > once["frequency"]
    assert once["reciprocity"] < often["reciprocity"]
    assert never == {
        "score": 0,
        "recency": 0,
        "frequency": 0,
        "reciprocity": 0,
        "interactionCount": 0,
        "lastInteractionAt": None,
    }
    assert [e["node"]["fullName"] for e in data["strong"]["edges"]] == ["Often"]
    assert data["strong"]["totalCount"] == 1


async def test_shared_interactions_strengthen_a_tie_and_infer_one(net: Net) -> None:
    await net.contacts("Ann", "Ben", "Cat")
    await net.meet("Ann", "Ben", "Cat", days_ago=10)
    query = """query($id: ID!) { contact(id: $id) { connections { edges { node { fullName }
                 relationship { source strength sharedInteractionCount } } } } }"""
    first = (await net.run(query, {"id": net.ids["Ann"]}))["contact"]["connections"]["edges"]
    assert {e["node"]["fullName"] for e in first} == {"Ben", "Cat"}
    assert {e["relationship"]["source"] for e in first} == {"INFERRED"}
    await net.meet("Ann", "Ben", days_ago=5)
    second = (await net.run(query, {"id": net.ids["Ann"]}))["contact"]["connections"]["edges"]
    by_name = {e["node"]["fullName"]: e["relationship"] for e in second}
    assert by_name["Ben"]["sharedInteractionCount"] == 2
    assert by_name["Ben"]["strength"] > by_name["Cat"]["strength"], (
        "more shared interactions, stronger tie"
    )
    assert second[0]["node"]["fullName"] == "Ben", "connections come strongest first"
    strong_only = await net.run(
        "query($id: ID!, $m: Float) { contact(id: $id) { connections(minStrength: $m) { totalCount } } }",
        {"id": net.ids["Ann"], "m": by_name["Ben"]["strength"]},
    )
    assert strong_only["contact"]["connections"]["totalCount"] == 1


async def test_going_cold_and_suggestions(net: Net) -> None:
    await net.contacts("Weekly", "Monthly", "Pat", "Quinn", "Rae")
    for week in range(10, 30):  # weekly for 20 weeks, silent for the last 10
        await net.meet("Weekly", days_ago=7 * week, type="CALL")
    for month in range(0, 8):  # monthly, last seen 20 days ago
        await net.meet("Monthly", days_ago=20 + 30 * month, type="CALL")
    await net.tie("Pat", "Quinn")
    await net.tie("Quinn", "Rae")
    data = await net.run(
        """{ goingCold { contact { fullName } daysSinceLastInteraction expectedCadenceDays strength }
             suggestedConnections { a { fullName } b { fullName } score mutualCount } }"""
    )
    cold = {c["contact"]["fullName"]: c for c in data["goingCold"]}
    assert "Weekly" in cold and "Monthly" not in cold
    assert cold["Weekly"]["expectedCadenceDays"] == pytest.approx(7, abs=0.5)
    assert cold["Weekly"]["daysSinceLastInteraction"] == pytest.approx(70, abs=1)
    suggestions = [
        frozenset((s["a"]["fullName"], s["b"]["fullName"])) for s in data["suggestedConnections"]
    ]
    assert frozenset({"Pat", "Rae"}) in suggestions
    assert frozenset({"Pat", "Quinn"}) not in suggestions
    assert data["suggestedConnections"][0]["mutualCount"] == 1


async def test_an_empty_network_answers_everything(graphql: GraphQL, account: Account) -> None:
    body = await graphql(
        """{ communities { id } keyConnectors { degree } goingCold { strength } suggestedConnections { score }
             networkStats { contacts relationships density averageClustering communities averageStrength }
             contacts(orderBy: STRENGTH_DESC) { totalCount } }""",
        account=account,
    )
    assert "errors" not in body, body
    assert body["data"]["networkStats"]["contacts"] == 0
    assert body["data"]["communities"] == []


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("query($a: ID!) { mutualConnections(a: $a, b: $a) { count } }", "BAD_USER_INPUT", "b"),
        ("query($a: ID!) { shortestPath(from: $a, to: $a) { length } }", "BAD_USER_INPUT", "to"),
        (
            "query($a: ID!, $x: ID!) { shortestPath(from: $a, to: $x) { length } }",
            "NOT_FOUND",
            "to",
        ),
        (
            "query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b, maxHops: 0) { length } }",
            "BAD_USER_INPUT",
            "maxHops",
        ),
        (
            "query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b, maxHops: 7) { length } }",
            "BAD_USER_INPUT",
            "maxHops",
        ),
        (
            "query($b: ID!) { introductionPaths(to: $b, maxHops: 1) { length } }",
            "BAD_USER_INPUT",
            "maxHops",
        ),
        ("query($x: ID!) { introductionPaths(to: $x) { length } }", "NOT_FOUND", "to"),
        ("{ keyConnectors(first: 0) { degree } }", "BAD_USER_INPUT", "first"),
        ("{ goingCold(first: 101) { strength } }", "BAD_USER_INPUT", "first"),
        (
            "query($a: ID!, $b: ID!) { mutualConnections(a: $a, b: $b, first: 1000) { count } }",
            "BAD_USER_INPUT",
            "first",
        ),
        (
            "{ contacts(filter: {minStrength: 2}) { totalCount } }",
            "BAD_USER_INPUT",
            "filter.minStrength",
        ),
    ],
)
async def test_bad_arguments_name_the_argument(
    net: Net, make_account: Callable[..., Awaitable[Account]], query: str, code: str, field: str
) -> None:
    await net.contacts("Ada", "Bo")
    stranger = await make_account()
    other = Net(net.graphql, stranger)
    await other.contacts("Theirs")
    variables = {"a": net.ids["Ada"], "b": net.ids["Bo"], "x": other.ids["Theirs"]}
    used = {k: v for k, v in variables.items() if f"${k}" in query}
    body = await net.graphql(query, used, account=net.account)
    assert error_codes(body) == [code]
    assert body["errors"][0]["extensions"]["field"] == field


async def test_the_cache_rebuilds_only_after_a_write(
    net: Net, client: TestClient[Any, Any]
) -> None:
    await two_cliques(net)
    cache = client.app[GRAPHS]
    await net.run("{ networkStats { relationships } }")
    builds = cache.builds
    await net.run("{ networkStats { relationships } communities { id } }")
    assert cache.builds == builds, "a read without a write rebuilt the graph"
    updates = cache.updates
    await net.tie("Ada", "Hal")
    stats = await net.run("{ networkStats { relationships } }")
    assert stats["networkStats"]["relationships"] == 14, "a read after a write saw a stale graph"
    # the write's delta brought the graph up to date: no rebuild
    assert (cache.builds, cache.updates) == (builds, updates + 1)


async def test_a_write_in_one_process_refreshes_the_others(
    net: Net,
    settings: Settings,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
    pool: asyncpg.Pool,
) -> None:
    await two_cliques(net)
    other = await aiohttp_client(create_app(settings))
    other_cache = other.app[GRAPHS]

    async def stats(client: TestClient[Any, Any]) -> int:
        response = await client.post(
            "/graphql",
            json={"query": "{ networkStats { relationships } }"},
            headers=net.account.headers,
        )
        return int((await response.json())["data"]["networkStats"]["relationships"])

    assert await stats(other) == 13
    builds, updates = other_cache.builds, other_cache.updates
    await net.tie("Ada", "Hal")  # written through the first process
    for _ in range(50):  # the notification makes the other process update on its own
        if other_cache.updates > updates:
            break
        await asyncio.sleep(0.1)
    assert (other_cache.builds, other_cache.updates) == (builds, updates + 1)
    assert await stats(other) == 14
    assert other_cache.updates == updates + 1, "the warm update served the read"
    assert other_cache.builds == builds


WRITES = {
    "createContact": 'mutation { createContact(input: {fullName: "Zed"}) { errors { code } } }',
    "updateContact": 'mutation($a: ID!) { updateContact(id: $a, input: {company: "Initech"}) { errors { code } } }',
    "archiveContact": "mutation($a: ID!) { archiveContact(id: $a) { errors { code } } }",
    "deleteContact": "mutation($a: ID!) { deleteContact(id: $a) { errors { code } } }",
    "mergeContacts": "mutation($a: ID!, $b: ID!) { mergeContacts(primaryId: $a, duplicateIds: [$b]) { errors { code } } }",
    "createRelationship": "mutation($a: ID!, $h: ID!) { createRelationship(input: {contactAId: $a, contactBId: $h}) { errors { code } } }",
    "updateRelationship": "mutation($r: ID!) { updateRelationship(id: $r, input: {strength: 0.1}) { errors { code } } }",
    "deleteRelationship": "mutation($r: ID!) { deleteRelationship(id: $r) { errors { code } } }",
    "logInteraction": 'mutation($a: ID!) { logInteraction(input: {participantIds: [$a], type: CALL, occurredAt: "2026-01-01T00:00:00Z"}) { errors { code } } }',
    "addInterest": 'mutation($a: ID!) { addInterest(input: {contactId: $a, category: "x", topic: "y"}) { errors { code } } }',
}


@pytest.mark.parametrize("write", list(WRITES))
async def test_every_kind_of_write_updates_the_cached_graph_to_what_a_rebuild_makes(
    net: Net, client: TestClient[Any, Any], pool: asyncpg.Pool, write: str
) -> None:
    await two_cliques(net)
    cache = client.app[GRAPHS]
    read = "{ networkStats { contacts relationships averageStrength } contact: contacts(first: 1) { edges { node { strength { score } } } } }"
    before = await net.run(read)
    builds, updates = cache.builds, cache.updates
    relationship = await net.run(
        "query($a: ID!) { contact(id: $a) { connections(first: 1) { edges { relationship { id } } } } }",
        {"a": net.ids["Ada"]},
    )
    variables = {
        "a": net.ids["Ada"],
        "b": net.ids["Bo"],
        "h": net.ids["Hal"],
        "r": relationship["contact"]["connections"]["edges"][0]["relationship"]["id"],
    }
    query = WRITES[write]
    data = await net.run(query, {k: v for k, v in variables.items() if f"${k}" in query})
    assert next(iter(data.values()))["errors"] == []
    after = await net.run(read)
    assert cache.updates == updates + 1, "the write's delta was not applied"
    assert cache.builds == builds, "the write rebuilt the whole graph"
    if write not in {"updateContact", "addInterest"}:  # these change no number read here
        assert after != before, "the read after the write answered from the old graph"
    network = await cache.get(net.account.user.id)
    _, facts = await load_facts(pool, net.account.user.id, network.computed_at)
    fresh = Network.build(facts, network.params)
    assert network.parts == fresh.parts, "the updated graph is not the graph of its facts"
    assert network.key_connectors(10) == fresh.key_connectors(10)
    assert network.communities() == fresh.communities()


async def test_metrics_are_warmed_after_a_rebuild_once_someone_uses_them(
    net: Net, client: TestClient[Any, Any]
) -> None:
    await two_cliques(net)
    cache = client.app[GRAPHS]
    await net.run("{ networkStats { contacts } }")
    await net.tie("Ada", "Hal")
    await net.run("{ networkStats { contacts } }")  # rebuilt; nobody asked for metrics yet
    network = await cache.get(net.account.user.id)
    assert not network.metrics_computed
    await net.run("{ keyConnectors(first: 1) { degree } }")
    await net.tie("Bo", "Gus")
    await net.run("{ networkStats { contacts } }")  # rebuilt: metrics warm in the background
    network = await cache.get(net.account.user.id)
    for _ in range(50):
        if network.metrics_computed:
            break
        await asyncio.sleep(0.1)
    assert network.metrics_computed


async def test_the_cache_is_bounded_by_the_graphs_estimated_bytes(
    net: Net, make_account: Callable[[], Awaitable[Account]], pool: asyncpg.Pool
) -> None:
    await two_cliques(net)
    small = await make_account()
    await Net(net.graphql, small).contacts("Solo")
    first = Network.build(
        (await load_facts(pool, net.account.user.id, NOW))[1], Settings().strength
    )
    # room for the two-cliques graph and a little more, not for both graphs
    cache = GraphCache(pool, Settings().strength, max_bytes=first.estimated_bytes + 100)
    await cache.get(net.account.user.id)
    assert cache.cached_version(net.account.user.id) is not None
    await cache.get(small.user.id)  # a thousand estimated bytes: together over the bound
    assert cache.cached_version(net.account.user.id) is None, "the older graph stayed"
    assert cache.cached_version(small.user.id) is not None
    assert cache.held_bytes <= first.estimated_bytes + 100
    roomy = GraphCache(pool, Settings().strength, max_bytes=10 * first.estimated_bytes)
    await roomy.get(net.account.user.id)
    await roomy.get(small.user.id)
    assert roomy.cached_version(net.account.user.id) is not None  # both fit
    lone = GraphCache(pool, Settings().strength, max_bytes=1)
    await lone.get(net.account.user.id)
    assert lone.cached_version(net.account.user.id) is not None, "the newest always stays"
    await cache.close()
    await roomy.close()
    await lone.close()


async def test_betweenness_is_kept_by_topology_for_the_next_process(
    net: Net,
    settings: Settings,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
    pool: asyncpg.Pool,
) -> None:
    await two_cliques(net)
    user = net.account.user.id
    query = "{ keyConnectors(first: 8) { contact { fullName } betweenness pagerank } }"

    async def connectors(client: TestClient[Any, Any]) -> list[Any]:
        response = await client.post("/graphql", json={"query": query}, headers=net.account.headers)
        body = await response.json()
        assert "errors" not in body, body
        return list(body["data"]["keyConnectors"])

    async def stored_topology() -> bytes | None:
        for _ in range(50):  # stored in the background once computed
            found: bytes | None = await tenant.fetchval(
                pool, user, "select topology from graph_betweenness where user_id = $1", user
            )
            if found is not None:
                return found
            await asyncio.sleep(0.1)
        return None

    first = await aiohttp_client(create_app(settings))
    answer = await connectors(first)
    assert answer[0]["contact"]["fullName"] in {"Dana", "Erin"}  # the bridge
    topology = await stored_topology()
    network = await first.app[GRAPHS].get(user)
    assert topology == network.topology
    assert first.app[GRAPHS].betweenness_stored_hits == 0  # it computed them

    # another process (or this one restarted) builds the graph anew and reads them
    second = await aiohttp_client(create_app(settings))
    assert await connectors(second) == answer
    assert second.app[GRAPHS].betweenness_stored_hits == 1

    # a tie that changes the topology: another digest, so computed again, never reused
    await net.tie("Ada", "Hal")
    third = await aiohttp_client(create_app(settings))
    changed = await connectors(third)
    assert third.app[GRAPHS].betweenness_stored_hits == 0
    assert changed != answer
    fresh = Network.build((await load_facts(pool, user, NOW))[1], settings.strength)
    expected = [value for _, c in fresh.key_connectors(8) for value in (c.betweenness, c.pagerank)]
    got = [c[key] for c in changed for key in ("betweenness", "pagerank")]
    assert got == pytest.approx(expected)


async def test_a_big_graphs_sampled_betweenness_is_computed_once_and_unchanged(
    account: Account, pool: asyncpg.Pool, settings: Settings
) -> None:
    # past BETWEENNESS_EXACT_MAX_NODES (1,000 contacts) betweenness is sampled, and
    # computed in a child process (graph/worker.py), never in this one
    async with pool.acquire() as conn:
        await seed_network(conn, account.user.id, 1_100, 5, NOW)
    cache = GraphCache(pool, settings.strength)
    try:
        network = await cache.get(account.user.id)
        assert network.contact_count > 1_000 and not network.betweenness_known
        # two requests at once: one computation
        user = account.user.id
        await asyncio.gather(
            cache.ensure_metrics(user, network), cache.ensure_metrics(user, network)
        )
        assert cache.betweenness_computed == 1 and cache.betweenness_stored_hits == 0
        assert network.betweenness_known and not network.metrics_computed
        assert cache._worker.jobs == 1, "not computed by the child process"
        in_process = Network.build(
            (await load_facts(pool, account.user.id, network.computed_at))[1], settings.strength
        )
        assert network.key_connectors(20) == in_process.key_connectors(20)  # bit for bit
        # a child that died is started again for the next job
        pid = cache._worker.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        await net_tie(pool, account, in_process)
        changed = await cache.get(user)
        await cache.ensure_metrics(user, changed)
        assert cache._worker.jobs == 2 and cache._worker.pid not in (None, pid)
        fresh = Network.build(
            (await load_facts(pool, user, changed.computed_at))[1], settings.strength
        )
        assert changed.key_connectors(20) == fresh.key_connectors(20)
    finally:
        await cache.close()
    assert cache._worker.pid is None


async def net_tie(pool: asyncpg.Pool, account: Account, network: Network) -> None:
    """A new tie between two contacts not yet tied: another topology."""
    nodes = [contact for contact, _ in network.key_connectors(2_000)]
    a, b = next(
        (a, b) for a in nodes for b in reversed(nodes) if a != b and network.edge(a, b) is None
    )
    low, high = sorted((a, b))
    await tenant.fetchval(
        pool,
        account.user.id,
        """insert into relationships (user_id, contact_a_id, contact_b_id, type, source)
           values ($1, $2, $3, 'friend', 'manual') returning id""",
        account.user.id,
        low,
        high,
    )
