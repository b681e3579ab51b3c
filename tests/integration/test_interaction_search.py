"""Searchable interactions: logInteraction embeds subject, summary and content with the
real model as it saves, and searchMemories(sources: [INTERACTION]) finds the interaction
a paraphrased question is about (recall@3 on tests/data/interaction_eval.py); hits say
what they are; filters scope them by participant and time; another user sees nothing;
while the provider is down an interaction is saved pending, found by keyword, and
embedded in the background when it is back."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from graph_api.app import SEARCH as SEARCH_SERVICES
from graph_api.app import create_app
from graph_api.search.embeddings import EmbeddingSettings
from graph_api.settings import Settings
from tests.conftest import Account, GraphQL
from tests.data.interaction_eval import INTERACTIONS, PEOPLE, QUESTIONS
from tests.integration.test_search import FlakyEmbeddings

CONTACT = """mutation($n: String!) { createContact(input: {fullName: $n}) { contact { id } } }"""
LOG = """mutation($input: LogInteractionInput!) { logInteraction(input: $input) {
  interaction { id subject embeddingStatus embeddingModel } errors { code field } } }"""
SEARCH = """query($q: String!, $mode: SearchMode!, $sources: [SearchSource!], $filter: MemoryFilter,
               $first: Int = 3) {
  searchMemories(query: $q, mode: $mode, first: $first, sources: $sources, filter: $filter) {
    edges { node { id } }
    hits { source score memory { id } chunk { id }
           interaction { id subject type occurredAt participants { fullName } } } } }"""


async def ok(graphql: GraphQL, account: Account, query: str, **variables: Any) -> Any:
    body = await graphql(query, variables, account=account)
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture
async def logged(graphql: GraphQL, account: Account) -> dict[str, str]:
    """The labelled interactions, logged; contact name -> contact id."""
    people = {}
    for name in PEOPLE:
        people[name] = (await ok(graphql, account, CONTACT, n=name))["createContact"]["contact"][
            "id"
        ]
    for day, (person, kind, subject, summary, content) in enumerate(INTERACTIONS, start=1):
        made = await ok(
            graphql,
            account,
            LOG,
            input={
                "participantIds": [people[person]],
                "type": kind,
                "occurredAt": f"2026-0{1 + day % 9}-{10 + day}T10:00:00Z",
                "subject": subject,
                "summary": summary,
                "content": content,
            },
        )
        interaction = made["logInteraction"]["interaction"]
        assert made["logInteraction"]["errors"] == []
        assert interaction["embeddingStatus"] == "EMBEDDED", "embedded as it is saved"
        assert interaction["embeddingModel"] == "all-MiniLM-L6-v2"
    return people


async def test_paraphrased_questions_find_their_interaction(
    graphql: GraphQL, account: Account, logged: dict[str, str]
) -> None:
    recalls = {}
    for mode in ("SEMANTIC", "HYBRID"):
        found = 0
        for question, answer in QUESTIONS:
            data = await ok(
                graphql, account, SEARCH, q=question, mode=mode, sources=["INTERACTION"]
            )
            hits = data["searchMemories"]["hits"]
            assert all(
                h["source"] == "INTERACTION" and h["memory"] is None and h["chunk"] is None
                for h in hits
            )
            assert data["searchMemories"]["edges"] == []  # edges hold memory hits only
            found += any(h["interaction"]["subject"] == answer for h in hits)
        recalls[mode] = found / len(QUESTIONS)
    print(f"interaction recall@3 on {len(QUESTIONS)} paraphrased questions: {recalls}")
    assert recalls["SEMANTIC"] >= 0.85, recalls
    assert recalls["HYBRID"] >= 0.85, recalls


async def test_hits_say_what_they_are_filters_apply_and_others_see_nothing(
    graphql: GraphQL, account: Account, logged: dict[str, str], make_account: Any
) -> None:
    await ok(
        graphql,
        account,
        'mutation { createMemory(input: {content: "Biscuit the collie loves the beach."}) { errors { code } } }',
    )
    data = await ok(
        graphql,
        account,
        SEARCH,
        q="collie",
        mode="KEYWORD",
        sources=["MEMORY", "INTERACTION"],
        first=10,
    )
    hits = data["searchMemories"]["hits"]
    assert sorted(h["source"] for h in hits) == ["INTERACTION", "MEMORY"]
    [conversation] = [h["interaction"] for h in hits if h["source"] == "INTERACTION"]
    assert conversation["subject"] == "Puppy"
    assert conversation["type"] == "MESSAGE"
    assert conversation["participants"] == [{"fullName": "Lena Okafor"}]

    # scoped to one participant: only their interactions
    data = await ok(
        graphql,
        account,
        SEARCH,
        q="money raised by investors",
        mode="HYBRID",
        sources=["INTERACTION"],
        filter={"contactIds": [logged["Tomás Silva"]]},
        first=10,
    )
    subjects = {h["interaction"]["subject"] for h in data["searchMemories"]["hits"]}
    assert subjects == {"Fund II close", "Sailing trip"}
    # by when it occurred; and tags, which interactions do not carry, find none
    data = await ok(
        graphql,
        account,
        SEARCH,
        q="money raised by investors",
        mode="SEMANTIC",
        sources=["INTERACTION"],
        filter={"contactIds": [logged["Tomás Silva"]], "createdAfter": "2026-09-01T00:00:00Z"},
        first=10,
    )
    assert [h["interaction"]["subject"] for h in data["searchMemories"]["hits"]] == ["Sailing trip"]
    data = await ok(
        graphql,
        account,
        SEARCH,
        q="collie",
        mode="KEYWORD",
        sources=["INTERACTION"],
        filter={"tags": ["dogs"]},
    )
    assert data["searchMemories"]["hits"] == []
    # the default search is memories only, as it always was
    data = await ok(graphql, account, SEARCH, q="collie", mode="KEYWORD")
    assert [h["source"] for h in data["searchMemories"]["hits"]] == ["MEMORY"]

    stranger = await make_account()
    for mode in ("SEMANTIC", "KEYWORD", "HYBRID"):
        data = await ok(
            graphql, stranger, SEARCH, q="collie puppy", mode=mode, sources=["INTERACTION"]
        )
        assert data["searchMemories"]["hits"] == []


async def test_an_interaction_waits_for_the_provider_and_is_embedded_when_it_is_back(
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
            body = dict(await response.json())
            assert "errors" not in body, body
            return body

        person = await graphql(CONTACT, {"n": "Ines Duarte"})
        person_id = person["data"]["createContact"]["contact"]["id"]
        made = await graphql(
            LOG,
            {
                "input": {
                    "participantIds": [person_id],
                    "type": "CALL",
                    "occurredAt": "2026-05-02T09:00:00Z",
                    "subject": "Zanzibar ferry schedule",
                }
            },
        )
        interaction = made["data"]["logInteraction"]["interaction"]
        assert interaction["embeddingStatus"] == "PENDING", "saved although the provider is down"
        silent = await graphql(
            LOG,
            {
                "input": {
                    "participantIds": [person_id],
                    "type": "MEETING",
                    "occurredAt": "2026-05-03T09:00:00Z",
                }
            },
        )
        assert silent["data"]["logInteraction"]["interaction"]["embeddingStatus"] is None
        found = await graphql(
            SEARCH, {"q": "Zanzibar ferry", "mode": "KEYWORD", "sources": ["INTERACTION"]}
        )
        assert [h["interaction"]["id"] for h in found["data"]["searchMemories"]["hits"]] == [
            interaction["id"]
        ]

        flaky.up = True
        assert client.app[SEARCH_SERVICES].pending is not None
        status_query = """query($id: ID!) { node(id: $id) { ... on Interaction {
            embeddingStatus embeddingModel } } }"""
        for _ in range(100):
            status = await graphql(status_query, {"id": interaction["id"]})
            if status["data"]["node"]["embeddingStatus"] == "EMBEDDED":
                break
            await asyncio.sleep(0.1)
        assert status["data"]["node"] == {
            "embeddingStatus": "EMBEDDED",
            "embeddingModel": "openai:stand-in",
        }
    finally:
        await server.close()
