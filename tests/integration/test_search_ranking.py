"""searchMemories(minScore:, boost:): a labelled set where importance and recency are
meant to reorder hits of similar match, and a threshold that no boost can get past."""

from __future__ import annotations

from typing import Any

import asyncpg

from graph_api.ids import parse_global_id
from tests.conftest import Account, GraphQL

CREATE = """mutation($input: CreateMemoryInput!) {
  createMemory(input: $input) { memory { id embeddingStatus } errors { code } } }"""
SEARCH = """query($q: String!, $min: Float, $boost: SearchBoost, $sources: [SearchSource!]) {
  searchMemories(query: $q, mode: SEMANTIC, first: 10, minScore: $min, boost: $boost,
                 sources: $sources) {
    edges { score matchScore node { id importance } }
    hits { score matchScore source memory { id } } } }"""
QUERY = "Did Priya raise seed money for her battery company?"
# label: (content, importance); the first two answer the question about equally well,
# the third is a distractor, the last is about something else entirely
MEMORIES = {
    "closest": ("Priya raised a seed round for her battery storage company.", 0.1),
    "important": ("Priya's battery startup closed its seed funding in spring.", 1.0),
    "distractor": ("Priya is thinking about buying an electric car battery.", 0.5),
    "unrelated": ("The harbour restaurant serves excellent grilled sardines.", 1.0),
}


async def search(graphql: GraphQL, account: Account, **variables: Any) -> list[dict[str, Any]]:
    body = await graphql(SEARCH, {"q": QUERY, **variables}, account=account)
    assert "errors" not in body, body
    edges: list[dict[str, Any]] = body["data"]["searchMemories"]["edges"]
    return edges


async def labelled(graphql: GraphQL, account: Account) -> dict[str, str]:
    ids = {}
    for label, (content, importance) in MEMORIES.items():
        body = await graphql(
            CREATE, {"input": {"content": content, "importance": importance}}, account=account
        )
        memory = body["data"]["createMemory"]["memory"]
        assert memory["embeddingStatus"] == "EMBEDDED"
        ids[memory["id"]] = label
    return ids


async def test_importance_boost_reorders_close_hits_as_intended(
    graphql: GraphQL, account: Account
) -> None:
    ids = await labelled(graphql, account)
    plain = await search(graphql, account)
    plain_order = [ids[e["node"]["id"]] for e in plain]
    assert plain_order[:2] == ["closest", "important"], plain_order
    assert all(e["score"] == e["matchScore"] for e in plain)

    boosted = await search(graphql, account, boost={"importanceWeight": 1.0})
    boosted_order = [ids[e["node"]["id"]] for e in boosted]
    # the intended change: the important note overtakes the marginally closer one
    assert boosted_order[:2] == ["important", "closest"], boosted_order
    # and the order is exactly the documented formula over the unboosted scores
    match = {ids[e["node"]["id"]]: e["matchScore"] for e in plain}
    expected = sorted(match, key=lambda label: -match[label] * (1 + MEMORIES[label][1]))
    assert boosted_order == expected
    for edge in boosted:
        label = ids[edge["node"]["id"]]
        assert abs(edge["score"] - match[label] * (1 + MEMORIES[label][1])) < 1e-6


async def test_no_boost_surfaces_a_hit_below_the_threshold(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    ids = await labelled(graphql, account)
    plain = await search(graphql, account)
    match = {ids[e["node"]["id"]]: e["matchScore"] for e in plain}
    assert match["unrelated"] < match["distractor"]
    threshold = (match["unrelated"] + min(match["closest"], match["important"])) / 2
    # the unrelated note is the newest and the most important: every boost favours it
    await pool.execute(
        "update memories set created_at = now() - interval '400 days' where user_id = $1",
        account.user.id,
    )
    unrelated = next(memory_id for memory_id, label in ids.items() if label == "unrelated")
    await pool.execute(
        "update memories set created_at = now() where user_id = $1 and id = $2",
        account.user.id,
        parse_global_id(unrelated)[1],  # type: ignore[index]
    )
    for boost in (None, {"importanceWeight": 1.0, "recencyWeight": 1.0, "recencyHalfLifeDays": 1}):
        kept = await search(graphql, account, min=threshold, boost=boost)
        labels = [ids[e["node"]["id"]] for e in kept]
        assert "unrelated" not in labels, (boost, labels)
        assert {"closest", "important"} <= set(labels)
        assert all(e["matchScore"] >= threshold for e in kept)
    # without the threshold it is there, with every boost in its favour (importance 1,
    # written now: a factor of ~3); the threshold is what keeps it out
    lifted = await search(
        graphql,
        account,
        boost={"importanceWeight": 1.0, "recencyWeight": 1.0, "recencyHalfLifeDays": 1},
    )
    edge = next(e for e in lifted if ids[e["node"]["id"]] == "unrelated")
    assert 2.9 <= edge["score"] / edge["matchScore"] <= 3.0, edge
    # the same holds with documents searched too
    body = await graphql(
        SEARCH,
        {"q": QUERY, "min": threshold, "sources": ["MEMORY", "DOCUMENT"],
         "boost": {"importanceWeight": 1.0, "recencyWeight": 1.0}},
        account=account,
    )  # fmt: skip
    hits = body["data"]["searchMemories"]["hits"]
    assert unrelated not in [h["memory"]["id"] for h in hits]
    assert all(h["matchScore"] >= threshold for h in hits)


async def test_bad_ranking_arguments_are_refused(graphql: GraphQL, account: Account) -> None:
    for variables, field in (
        ({"boost": {"importanceWeight": 2}}, "boost.importanceWeight"),
        ({"boost": {"recencyWeight": -0.5}}, "boost.recencyWeight"),
        ({"boost": {"recencyWeight": 1, "recencyHalfLifeDays": 0}}, "boost.recencyHalfLifeDays"),
    ):
        body = await graphql(SEARCH, {"q": QUERY, **variables}, account=account)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], body
        assert body["errors"][0]["extensions"].get("field") == field, body
