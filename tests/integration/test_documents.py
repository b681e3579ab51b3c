"""Documents: createDocument splits the text into chunks, the background embedder
embeds them, and searchMemories(sources: [DOCUMENT]) finds the passage that answers a
paraphrased question (recall@5 on tests/data/document_eval.py), saying where in the
document it sits. Bad input is refused with a code and nothing written; the default
search (memories only) is unchanged; another user sees nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from graph_api.domain.documents import CONTENT_MAX, MAX_CHUNKS
from tests.conftest import Account, GraphQL
from tests.data.document_eval import DOCUMENTS, QUESTIONS

CREATE_CONTACT = """mutation($name: String!) {
  createContact(input: {fullName: $name}) { contact { id } } }"""
CREATE = """mutation($input: CreateDocumentInput!) { createDocument(input: $input) {
  document { id title chunkCount embeddingStatus contacts { fullName } }
  errors { code field message } } }"""
STATUS = "query($id: ID!) { node(id: $id) { ... on Document { embeddingStatus } } }"
SEARCH = """query($q: String!, $mode: SearchMode!, $sources: [SearchSource!], $filter: MemoryFilter) {
  searchMemories(query: $q, mode: $mode, first: 5, sources: $sources, filter: $filter) {
    edges { node { id } }
    hits { score source memory { id content }
           chunk { content heading position startOffset endOffset
                   document { title content contacts { fullName } } } }
    pageInfo { hasNextPage endCursor } } }"""


async def contact(graphql: GraphQL, account: Account, name: str) -> str:
    body = await graphql(CREATE_CONTACT, {"name": name}, account=account)
    contact_id: str = body["data"]["createContact"]["contact"]["id"]
    return contact_id


async def create(graphql: GraphQL, account: Account, **input: Any) -> dict[str, Any]:
    body = await graphql(CREATE, {"input": input}, account=account)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["createDocument"]
    return payload


async def embedded(graphql: GraphQL, account: Account, document_id: str) -> None:
    for _ in range(1800):  # a bound for a stuck embedder, not a speed target
        body = await graphql(STATUS, {"id": document_id}, account=account)
        if body["data"]["node"]["embeddingStatus"] == "EMBEDDED":
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the document's chunks were not embedded within 180 s")


async def document_count(pool: asyncpg.Pool, account: Account) -> int:
    count: int = await pool.fetchval(
        "select count(*) from documents where user_id = $1", account.user.id
    )
    return count


@pytest.fixture
async def library(graphql: GraphQL, account: Account) -> dict[str, str]:
    """The labelled documents, embedded; contact name -> contact id."""
    contacts = {}
    for document in DOCUMENTS:
        contacts[document["contact"]] = await contact(graphql, account, document["contact"])
        made = await create(
            graphql,
            account,
            title=document["title"],
            content=document["content"],
            contactIds=[contacts[document["contact"]]],
            type="NOTE",
        )
        assert made["errors"] == [], made
        assert made["document"]["chunkCount"] >= 1
        assert made["document"]["contacts"] == [{"fullName": document["contact"]}]
        await embedded(graphql, account, made["document"]["id"])
    return contacts


async def test_paraphrased_questions_find_their_passage(
    graphql: GraphQL, account: Account, library: dict[str, str]
) -> None:
    recalls = {}
    for mode in ("SEMANTIC", "HYBRID"):
        found = 0
        for question, _, answer in QUESTIONS:
            body = await graphql(
                SEARCH, {"q": question, "mode": mode, "sources": ["DOCUMENT"]}, account=account
            )
            assert "errors" not in body, body
            hits = body["data"]["searchMemories"]["hits"]
            assert all(h["source"] == "DOCUMENT" and h["memory"] is None for h in hits)
            found += any(answer in h["chunk"]["content"] for h in hits)
        recalls[mode] = found / len(QUESTIONS)
    print(f"chunk recall@5 on {len(QUESTIONS)} paraphrased questions: {recalls}")
    assert recalls["SEMANTIC"] >= 0.9, recalls
    assert recalls["HYBRID"] >= 0.9, recalls


async def test_a_hit_says_where_in_the_document_it_sits_and_filters_apply(
    graphql: GraphQL, account: Account, library: dict[str, str]
) -> None:
    body = await graphql(
        SEARCH,
        {
            "q": "scheduling software for idle scanners",
            "mode": "HYBRID",
            "sources": ["DOCUMENT", "MEMORY"],
            "filter": {"contactIds": [library["Marcus Webb"]]},
        },
        account=account,
    )
    hits = body["data"]["searchMemories"]["hits"]
    assert hits, body
    top = hits[0]["chunk"]
    assert top["heading"] == "Pain points"
    assert top["document"]["title"] == "Marcus Webb — notes from our calls"
    assert top["document"]["content"][top["startOffset"] : top["endOffset"]] == top["content"]
    # scoped to Marcus: no other contact's document
    assert {h["chunk"]["document"]["contacts"][0]["fullName"] for h in hits} == {"Marcus Webb"}
    # the default search is memories only, as it always was
    await graphql(
        'mutation { createMemory(input: {content: "Marcus wants scanner scheduling."}) { errors { code } } }',
        account=account,
    )
    body = await graphql(SEARCH, {"q": "scanner scheduling", "mode": "KEYWORD"}, account=account)
    result = body["data"]["searchMemories"]
    assert [h["source"] for h in result["hits"]] == ["MEMORY"]
    assert len(result["edges"]) == 1
    # both sources together, ranked together: the memory's edge is in `edges` too
    body = await graphql(
        SEARCH,
        {"q": "scanner scheduling", "mode": "KEYWORD", "sources": ["MEMORY", "DOCUMENT"]},
        account=account,
    )
    result = body["data"]["searchMemories"]
    assert {h["source"] for h in result["hits"]} == {"MEMORY", "DOCUMENT"}
    assert len(result["edges"]) == 1


async def test_chunks_page_in_reading_order(graphql: GraphQL, account: Account) -> None:
    text = " ".join(f"Point {i} of the plan is worth a sentence of its own." for i in range(80))
    made = await create(graphql, account, title="A long plan", content=text)
    document_id = made["document"]["id"]
    assert made["document"]["chunkCount"] > 4
    query = """query($id: ID!, $after: String) { node(id: $id) { ... on Document {
      chunks(first: 2, after: $after) { totalCount edges { node { position content } }
                                         pageInfo { hasNextPage endCursor } } } } }"""
    positions: list[int] = []
    after = None
    while True:
        body = await graphql(query, {"id": document_id, "after": after}, account=account)
        page = body["data"]["node"]["chunks"]
        assert page["totalCount"] == made["document"]["chunkCount"]
        positions += [e["node"]["position"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert positions == list(range(made["document"]["chunkCount"]))


async def test_bad_documents_are_refused_and_nothing_is_written(
    graphql: GraphQL, account: Account, make_account: Any, pool: asyncpg.Pool
) -> None:
    def codes(payload: dict[str, Any]) -> list[tuple[str, str]]:
        return [(e["code"], e["field"]) for e in payload["errors"]]

    assert codes(await create(graphql, account, title="Empty", content="  \n ")) == [
        ("BAD_USER_INPUT", "content")
    ]
    oversized = await create(graphql, account, title="Big", content="a" * (CONTENT_MAX + 1))
    assert codes(oversized) == [("BAD_USER_INPUT", "content")]
    assert str(CONTENT_MAX) in oversized["errors"][0]["message"].replace(",", "")
    # many tiny sections: under the size cap, over the chunk cap
    sections = "".join(f"# {i}\nx.\n" for i in range(MAX_CHUNKS + 1))
    assert codes(await create(graphql, account, title="Sections", content=sections)) == [
        ("BAD_USER_INPUT", "content")
    ]
    assert codes(await create(graphql, account, title=" ", content="Some text.")) == [
        ("BAD_USER_INPUT", "title")
    ]
    other = await make_account()
    foreign = await contact(graphql, other, "Someone Else")
    assert codes(
        await create(graphql, account, title="Foreign", content="Text.", contactIds=[foreign])
    ) == [("NOT_FOUND", "contactIds")]
    assert await document_count(pool, account) == 0

    made = await create(graphql, account, title="Mine", content="A private note about Sam.")
    document_id = made["document"]["id"]
    # another user cannot read it, find it, or delete it
    body = await graphql(STATUS, {"id": document_id}, account=other)
    assert body["data"]["node"] is None
    body = await graphql(
        SEARCH, {"q": "private note Sam", "mode": "KEYWORD", "sources": ["DOCUMENT"]}, account=other
    )
    assert body["data"]["searchMemories"]["hits"] == []
    delete = "mutation($id: ID!) { deleteDocument(id: $id) { deletedId errors { code } } }"
    body = await graphql(delete, {"id": document_id}, account=other)
    assert [e["code"] for e in body["data"]["deleteDocument"]["errors"]] == ["NOT_FOUND"]
    body = await graphql(delete, {"id": document_id}, account=account)
    assert body["data"]["deleteDocument"]["deletedId"] == document_id
    assert await document_count(pool, account) == 0
    chunks = await pool.fetchval(
        "select count(*) from document_chunks where user_id = $1", account.user.id
    )
    assert chunks == 0


def test_import_document_from_the_command_line(
    database_url: str, tmp_path: Any, account: Account
) -> None:
    import os
    import subprocess
    import sys

    notes = tmp_path / "priya.md"
    notes.write_text(DOCUMENTS[0]["content"], encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "graph_api", "import-document", *args],
            capture_output=True, text=True, timeout=300, check=False,
            env={**os.environ, "DATABASE_URL": database_url, "GRAPH_API_LOG_LEVEL": "WARNING"},
        )  # fmt: skip

    result = run(account.user.email, str(notes), "--tag", "background")
    assert result.returncode == 0, result.stderr
    assert "imported" in result.stdout and "'Career'" in result.stdout, result.stdout
    assert "embedded 4 chunks" in result.stdout, result.stdout
    for args, fragment in (
        ((account.user.email, str(tmp_path / "missing.md")), "cannot read"),
        ((account.user.email, str(notes), "--contact", "nobody@example.com"), "nobody@example.com"),
        (("nobody@example.com", str(notes)), "nobody@example.com"),
    ):
        result = run(*args)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert fragment in result.stderr, result.stderr
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    result = run(account.user.email, str(tmp_path / "empty.txt"))
    assert result.returncode == 1 and "content must not be empty" in result.stderr, result.stderr
