"""Searching memories with the real local model and the real database."""

from __future__ import annotations

import asyncio
import logging
import math
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from graph_api.app import SEARCH as SEARCH_SERVICES
from graph_api.app import create_app
from graph_api.search.embeddings import EmbeddingSettings
from graph_api.settings import Settings
from tests.conftest import Account, GraphQL, error_codes
from tests.data.search_eval import DISTRACTORS, TARGETS

SEARCH = """query($q: String!, $mode: SearchMode!, $first: Int!, $filter: MemoryFilter, $after: String) {
  searchMemories(query: $q, mode: $mode, first: $first, filter: $filter, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor score node { id content type tags embeddingStatus contact { fullName } } } } }"""


class Corpus:
    def __init__(self, graphql: GraphQL, account: Account) -> None:
        self.graphql, self.account = graphql, account
        self.contacts: dict[str, str] = {}
        self.memories: dict[str, str] = {}  # key or content -> id

    async def contact(self, name: str) -> str:
        if name not in self.contacts:
            body = await self.graphql(
                "mutation($n: String!) { createContact(input: {fullName: $n}) { contact { id } } }",
                {"n": name},
                account=self.account,
            )
            self.contacts[name] = body["data"]["createContact"]["contact"]["id"]
        return self.contacts[name]

    async def memory(
        self, key: str, name: str | None, content: str, **extra: Any
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {"content": content, **extra}
        if name is not None:
            fields["contactId"] = await self.contact(name)
        body = await self.graphql(
            "mutation($i: CreateMemoryInput!) { createMemory(input: $i) { memory { id embeddingStatus embeddingModel } errors { code field message } } }",
            {"i": fields},
            account=self.account,
        )
        payload: dict[str, Any] = body["data"]["createMemory"]
        if payload["memory"] is not None:
            self.memories[key] = payload["memory"]["id"]
        return payload

    async def search(
        self, query: str, mode: str = "HYBRID", first: int = 5, **filter: Any
    ) -> list[dict[str, Any]]:
        body = await self.graphql(
            SEARCH,
            {"q": query, "mode": mode, "first": first, "filter": filter or None},
            account=self.account,
        )
        assert "errors" not in body, body
        edges: list[dict[str, Any]] = body["data"]["searchMemories"]["edges"]
        return edges


@pytest.fixture
async def corpus(graphql: GraphQL, account: Account) -> Corpus:
    corpus = Corpus(graphql, account)
    for key, name, content, _, _ in TARGETS:
        assert (await corpus.memory(key, name, content))["errors"] == []
    for index, (name, content) in enumerate(DISTRACTORS):
        await corpus.memory(f"distractor-{index}", name, content)
    return corpus


async def recall_at_5(corpus: Corpus, mode: str, question_index: int) -> float:
    found = 0
    for target in TARGETS:
        hits = await corpus.search(target[question_index], mode)
        found += corpus.memories[target[0]] in [hit["node"]["id"] for hit in hits]
    return found / len(TARGETS)


async def test_recall_by_mode(corpus: Corpus) -> None:
    paraphrased = {
        mode: await recall_at_5(corpus, mode, 3) for mode in ("SEMANTIC", "KEYWORD", "HYBRID")
    }
    exact = {mode: await recall_at_5(corpus, mode, 4) for mode in ("SEMANTIC", "KEYWORD", "HYBRID")}
    print(f"recall@5 paraphrased {paraphrased} exact {exact}")
    assert paraphrased["SEMANTIC"] >= 0.85
    assert paraphrased["HYBRID"] >= 0.85
    assert paraphrased["HYBRID"] > paraphrased["KEYWORD"]
    assert exact["KEYWORD"] == 1.0
    assert exact["HYBRID"] == 1.0


async def test_scores_and_cursor_pages(corpus: Corpus) -> None:
    everything = await corpus.search("friends and their news", "SEMANTIC", first=100)
    assert len(everything) == len(TARGETS) + len(DISTRACTORS)
    scores = [hit["score"] for hit in everything]
    assert scores == sorted(scores, reverse=True)
    walked: list[str] = []
    after = None
    while True:
        body = await corpus.graphql(
            SEARCH,
            {"q": "friends and their news", "mode": "SEMANTIC", "first": 7, "after": after},
            account=corpus.account,
        )
        page = body["data"]["searchMemories"]
        walked += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert walked == [hit["node"]["id"] for hit in everything]


async def test_filters(corpus: Corpus) -> None:
    priya = corpus.contacts["Priya Nair"]
    only_priya = await corpus.search("investors", "HYBRID", first=20, contactIds=[priya])
    assert only_priya and {hit["node"]["contact"]["fullName"] for hit in only_priya} == {
        "Priya Nair"
    }

    await corpus.memory(
        "briefing",
        "Kenji Sato",
        "Briefing: Kenji will ask about the Rust hiring budget.",
        type="BRIEFING",
        tags=["hiring", "q3"],
    )
    briefings = await corpus.search("hiring", "HYBRID", first=20, types=["BRIEFING"])
    assert [hit["node"]["type"] for hit in briefings] == ["BRIEFING"]
    tagged = await corpus.search("budget", "HYBRID", first=20, tags=["hiring", "q3"])
    assert [hit["node"]["id"] for hit in tagged] == [corpus.memories["briefing"]]
    later = await corpus.search(
        "friends", "SEMANTIC", first=100, createdAfter="2999-01-01T00:00:00Z"
    )
    assert later == []


async def test_around_contact_follows_the_graph(corpus: Corpus) -> None:
    names = ("Priya Nair", "Marco Rossi", "Lena Vogel")
    ids = [corpus.contacts[n] for n in names]
    for a, b in ((ids[0], ids[1]), (ids[1], ids[2])):  # Priya - Marco - Lena
        await corpus.graphql(
            "mutation($a: ID!, $b: ID!) { createRelationship(input: {contactAId: $a, contactBId: $b}) { errors { code } } }",
            {"a": a, "b": b},
            account=corpus.account,
        )
    one_hop = await corpus.search(
        "news", "SEMANTIC", first=100, aroundContact={"id": ids[0], "hops": 1}
    )
    assert {hit["node"]["contact"]["fullName"] for hit in one_hop} == {"Priya Nair", "Marco Rossi"}
    two_hops = await corpus.search(
        "news", "SEMANTIC", first=100, aroundContact={"id": ids[0], "hops": 2}
    )
    assert {hit["node"]["contact"]["fullName"] for hit in two_hops} == set(names)


async def test_a_filtered_search_returns_first_when_enough_match(corpus: Corpus) -> None:
    lena = corpus.contacts["Lena Vogel"]
    for i in range(12):
        await corpus.memory(f"lena-{i}", "Lena Vogel", f"Lena note number {i} about her week.")
    hits = await corpus.search("holiday plans", "SEMANTIC", first=10, contactIds=[lena])
    assert len(hits) == 10


async def test_related_memories(corpus: Corpus) -> None:
    body = await corpus.graphql(
        "query($id: ID!) { node(id: $id) { ... on Memory { related(first: 3) { score memory { id content } } } } }",
        {"id": corpus.memories["seed"]},
        account=corpus.account,
    )
    related = body["data"]["node"]["related"]
    assert len(related) == 3
    assert corpus.memories["seed"] not in [r["memory"]["id"] for r in related]
    assert [r["score"] for r in related] == sorted((r["score"] for r in related), reverse=True)


@pytest.mark.parametrize(
    ("variables", "field", "code"),
    [
        ({"q": "   ", "mode": "HYBRID", "first": 5}, "query", "BAD_USER_INPUT"),
        ({"q": "x" * 2001, "mode": "HYBRID", "first": 5}, "query", "BAD_USER_INPUT"),
        ({"q": "ok", "mode": "HYBRID", "first": 101}, "first", "BAD_USER_INPUT"),
        ({"q": "ok", "mode": "HYBRID", "first": 0}, "first", "BAD_USER_INPUT"),
        ({"q": "ok", "mode": "HYBRID", "first": 5, "after": "nope"}, "after", "BAD_USER_INPUT"),
        (
            {
                "q": "ok",
                "mode": "HYBRID",
                "first": 5,
                "filter": {"aroundContact": {"id": "bad", "hops": 1}},
            },
            "filter.aroundContact.id",
            # a malformed id is one that names nobody, as a missing or another user's is
            "NOT_FOUND",
        ),
    ],
)
async def test_bad_search_input(
    graphql: GraphQL, account: Account, variables: dict[str, Any], field: str, code: str
) -> None:
    body = await graphql(SEARCH, variables, account=account)
    assert error_codes(body) == [code]
    assert body["errors"][0]["extensions"]["field"] == field


async def test_a_client_supplied_embedding(graphql: GraphQL, account: Account) -> None:
    corpus = Corpus(graphql, account)
    vector = [0.0] * 384
    vector[7] = 3.0
    made = await corpus.memory("mine", None, "Embedded by the client.", embedding=vector)
    assert (
        made["memory"]["embeddingStatus"] == "EMBEDDED"
        and made["memory"]["embeddingModel"] == "client"
    )
    for bad in ([1.0] * 383, [1.0] * 385, [0.0] * 384):
        refused = await corpus.memory("bad", None, "Bad vector.", embedding=bad)
        assert refused["memory"] is None
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [
            ("BAD_USER_INPUT", "embedding")
        ]
    # NaN is not JSON (nor a GraphQL Float): refused before anything runs
    body = await graphql(
        'mutation($v: [Float!]) { createMemory(input: {content: "x", embedding: $v}) { errors { code } } }',
        {"v": [math.nan] * 384},
        account=account,
    )
    assert error_codes(body) == ["BAD_REQUEST"]
    assert "data" not in body


async def test_search_never_sees_another_users_memories(
    corpus: Corpus, make_account: Any, graphql: GraphQL
) -> None:
    stranger: Account = await make_account()
    for mode in ("SEMANTIC", "KEYWORD", "HYBRID"):
        body = await graphql(
            SEARCH, {"q": "soil-carbon startup", "mode": mode, "first": 10}, account=stranger
        )
        assert body["data"]["searchMemories"]["edges"] == [], mode
    foreign = await graphql(
        "query($id: ID!) { node(id: $id) { ... on Memory { related { score } } } }",
        {"id": corpus.memories["seed"]},
        account=stranger,
    )
    assert error_codes(foreign) == ["NOT_FOUND"]


# --- a provider that goes away and comes back ------------------------------------------


class FlakyEmbeddings:
    """A local OpenAI-compatible /v1/embeddings that can be switched off."""

    def __init__(self) -> None:
        self.up = False
        self.calls = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.calls += 1
        if not self.up:
            return web.json_response({"error": "down"}, status=503)
        payload = await request.json()
        data = []
        for index, text in enumerate(payload["input"]):
            vector = [0.0] * 384
            vector[hash(text) % 384] = 1.0
            data.append({"index": index, "embedding": vector})
        return web.json_response({"data": data})


async def test_nothing_is_lost_while_the_provider_is_down(
    settings: Settings,
    account: Account,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> None:
    flaky = FlakyEmbeddings()
    stand_in = web.Application()
    stand_in.router.add_post("/v1/embeddings", flaky.handle)
    server = TestServer(stand_in, host="127.0.0.1")
    await server.start_server()
    try:
        app_settings = Settings(
            database_url=settings.database_url,
            embed_retry_seconds=0.2,
            embeddings=EmbeddingSettings(
                provider="openai",
                url=str(server.make_url("")),
                model="stand-in",
                max_retries=0,
                timeout_seconds=2,
            ),
        )
        client = await aiohttp_client(create_app(app_settings))

        async def graphql(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
            response = await client.post(
                "/graphql",
                json={"query": query, "variables": variables or {}},
                headers=account.headers,
            )
            return dict(await response.json())

        made = await graphql(
            'mutation { createMemory(input: {content: "Zanzibar sailing trip planned for June"}) { memory { id embeddingStatus } errors { code } } }'
        )
        memory = made["data"]["createMemory"]["memory"]
        assert memory["embeddingStatus"] == "PENDING", "saved although the provider is down"
        found = await graphql(
            '{ searchMemories(query: "Zanzibar sailing", mode: KEYWORD) { edges { node { id } } } }'
        )
        assert [e["node"]["id"] for e in found["data"]["searchMemories"]["edges"]] == [memory["id"]]
        hybrid = await graphql(
            '{ searchMemories(query: "Zanzibar sailing") { edges { node { id } } } }'
        )
        assert [e["node"]["id"] for e in hybrid["data"]["searchMemories"]["edges"]] == [
            memory["id"]
        ]
        semantic = await graphql(
            '{ searchMemories(query: "Zanzibar", mode: SEMANTIC) { edges { node { id } } } }'
        )
        assert error_codes(semantic) == ["SERVICE_UNAVAILABLE"]

        flaky.up = True
        pending = client.app[SEARCH_SERVICES].pending
        assert pending is not None
        for _ in range(600):  # the retry's back-off, bounded (60 s) for a loaded machine
            status = await graphql(
                "query($id: ID!) { node(id: $id) { ... on Memory { embeddingStatus embeddingModel } } }",
                {"id": memory["id"]},
            )
            if status["data"]["node"]["embeddingStatus"] == "EMBEDDED":
                break
            await asyncio.sleep(0.1)
        assert status["data"]["node"] == {
            "embeddingStatus": "EMBEDDED",
            "embeddingModel": "openai:stand-in",
        }
    finally:
        await server.close()


async def test_reembed_command(database_url: str, pool: asyncpg.Pool, corpus: Corpus) -> None:
    await pool.execute(
        "update memories set embedding = null, embedding_model = null where user_id = $1",
        corpus.account.user.id,
    )
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "graph_api", "reembed"],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "DATABASE_URL": database_url},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    left = await pool.fetchval(
        "select count(*) from memories where user_id = $1 and embedding is null",
        corpus.account.user.id,
    )
    assert left == 0
    again = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "graph_api", "reembed"],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "DATABASE_URL": database_url},
    )  # fmt: skip
    assert "embedded 0 memories and 0 contact profiles" in again.stdout


async def test_the_index_path_also_returns_first_when_enough_match(
    corpus: Corpus,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    pool: asyncpg.Pool,
) -> None:
    """The same filtered search as a large tenant runs it: HNSW with iterative scans,
    answered by the index statement alone (no exact scan after it), and that
    statement is one the HNSW index can answer (the exact scan's cannot)."""
    from graph_api.db import tenant
    from graph_api.ids import parse_global_id
    from graph_api.search import memories as search

    monkeypatch.setattr(search, "EXACT_SCAN_LIMIT", 5)
    search._tenant_sizes.clear()
    lena = corpus.contacts["Lena Vogel"]
    for i in range(12):
        await corpus.memory(
            f"lena-index-{i}", "Lena Vogel", f"Lena wrote entry {i} in her training log."
        )
    for mode in ("SEMANTIC", "HYBRID"):
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="graph_api.sql"):
            hits = await corpus.search("holiday plans", mode, first=10, contactIds=[lena])
        assert len(hits) == 10, mode
        assert {hit["node"]["contact"]["fullName"] for hit in hits} == {"Lena Vogel"}
        ran = [r.statement for r in caplog.records if r.name == "graph_api.sql"]  # type: ignore[attr-defined]
        assert ran.count("search_index_settings") == 1, ran
        assert ran.count(f"search_memories_{mode.lower()}") == 1, ran
    search._tenant_sizes.clear()

    user_id = corpus.account.user.id
    parsed = parse_global_id(lena)
    assert parsed is not None
    filters = search.MemoryFilter(contact_ids=(parsed[1],))
    plans = {}
    async with tenant.tenant_transaction(pool, user_id, readonly=True) as conn:
        vector = await conn.fetchval(
            "select embedding from memories where user_id = $1 and embedding is not null limit 1",
            user_id,
        )
        # a tenant too big to scan and sort: the index's order is the only cheap one
        await conn.execute("set local enable_seqscan = off")
        await conn.execute("set local enable_sort = off")
        for exact in (False, True):
            args: list[Any] = [user_id, vector]
            where = search._filters(filters, args)
            statement = f"explain select * from ({search._ranked('SEMANTIC', where, exact)}) r"
            plans[exact] = "\n".join(r[0] for r in await conn.fetch(statement, *args))
    assert "Index Scan using memories_embedding_idx" in plans[False], plans[False][-600:]
    assert "memories_embedding_idx" not in plans[True], plans[True][-600:]
