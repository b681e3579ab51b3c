"""Fuzzing the one way in: operations generated from the schema, and hostile HTTP
requests, get JSON answers whose errors carry documented codes; never a 500, never
a stack trace.

Hypothesis draws the cases in a worker thread and each one is sent on the test's
event loop (`run_coroutine_threadsafe`), so the real app answers it as it would any
client. Nothing is raised inside hypothesis: every case is checked and the failures
collected, the shortest case of each kind kept, so one run reports every kind of
failure it met and the time budget can end a run early. `derandomize` makes CI's
cases the same every run.

A long run: `FUZZ_EXAMPLES=5000 FUZZ_SECONDS=1800 pytest tests/integration/test_fuzz.py -s`
(cases per test, and each test's time budget; the figures are printed).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field, replace
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient
from graphql import (
    DocumentNode,
    FieldNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
    print_ast,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from graph_api.app import SEARCH, create_app
from graph_api.schema import build_schema
from graph_api.settings import Settings
from tests.conftest import Account

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
SECONDS = float(os.environ.get("FUZZ_SECONDS", "40"))
# one request's answer; a slower one is a failure of its own
REQUEST_SECONDS = 30.0

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
# README "Errors": what a GraphQL request may be answered with. INTERNAL_SERVER_ERROR
# is left out on purpose: the fuzz counts it as a bug.
GRAPHQL_CODES = frozenset(
    {
        "BAD_USER_INPUT", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT",
        "QUERY_TOO_COMPLEX", "RATE_LIMITED", "TIMEOUT", "SERVICE_UNAVAILABLE", "BAD_REQUEST",
    }
)  # fmt: skip
# and the HTTP-level refusals, for requests that are not well-formed GraphQL POSTs
HTTP_CODES = GRAPHQL_CODES | {
    "METHOD_NOT_ALLOWED",
    "UNSUPPORTED_MEDIA_TYPE",
    "PAYLOAD_TOO_LARGE",
    "HEADERS_TOO_LARGE",
    "URI_TOO_LONG",
}
# a mutation payload's `errors { code }` (schema: UserError.code)
USER_ERROR_CODES = frozenset({"BAD_USER_INPUT", "NOT_FOUND", "CONFLICT"})


# -- checking one answer ---------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def problems(answer: Answer, allowed: frozenset[str]) -> tuple[list[str], list[str], list[str]]:
    """What is wrong with an answer, its errors' codes, and its payloads' codes."""
    found: list[str] = []
    text = answer.body.decode("utf-8", errors="replace")
    if "Traceback" in text:
        found.append("a stack trace in the body")
    if answer.status >= 500 and answer.status not in {503, 504}:
        found.append(f"HTTP {answer.status}")
    if answer.content_type not in {JSON, GRAPHQL_RESPONSE}:
        found.append(f"content type {answer.content_type!r}")
    try:
        body = orjson.loads(answer.body)
    except orjson.JSONDecodeError:
        return [*found, "the body is not JSON"], [], []
    if not isinstance(body, dict):
        return [*found, "the body is not a JSON object"], [], []
    errors = body.get("errors", [])
    if not isinstance(errors, list):
        return [*found, "errors is not a list"], [], []
    codes = [
        (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
        for error in errors
    ]
    for code in codes:
        if code not in allowed:
            found.append(f"error code {code!r}")
    if answer.status >= 400 and not errors:
        found.append(f"HTTP {answer.status} without errors")
    if answer.status == 503 and "SERVICE_UNAVAILABLE" not in codes:
        found.append("HTTP 503 without SERVICE_UNAVAILABLE")
    if answer.status == 504 and "TIMEOUT" not in codes:
        found.append("HTTP 504 without TIMEOUT")
    if "data" not in body and not errors:
        found.append("neither data nor errors")
    payload_codes = list(_user_error_codes(body.get("data")))
    for code in payload_codes:
        if code not in USER_ERROR_CODES:
            found.append(f"payload error code {code!r}")
    return found, [str(c) for c in codes], payload_codes


def _user_error_codes(value: Any) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "code" and isinstance(item, str):
                yield item
            else:
                yield from _user_error_codes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _user_error_codes(item)


@pytest.mark.parametrize(
    ("status", "content_type", "body", "problem"),
    [
        (500, JSON, b'{"errors": [{"message": "x", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}',
         "error code 'INTERNAL_SERVER_ERROR'"),
        (500, JSON, b'{"errors": [{"message": "x", "extensions": {"code": "BAD_REQUEST"}}]}',
         "HTTP 500"),
        (200, "text/plain", b"Internal Server Error", "the body is not JSON"),
        (200, JSON, b'{"errors": [{"message": "Traceback (most recent call last):"}]}',
         "a stack trace in the body"),
        (503, JSON, b'{"errors": [{"message": "busy"}]}', "HTTP 503 without SERVICE_UNAVAILABLE"),
        (200, JSON, b'{"data": {"createContact": {"errors": [{"code": "OOPS"}]}}}',
         "payload error code 'OOPS'"),
    ],
)  # fmt: skip
def test_the_checks_catch_what_they_look_for(
    status: int, content_type: str, body: bytes, problem: str
) -> None:
    found, _, _ = problems(Answer(status, content_type, body), GRAPHQL_CODES)
    assert problem in found
    assert not problems(Answer(200, JSON, b'{"data": {"me": null}}'), GRAPHQL_CODES)[0]


@dataclass
class Tally:
    """What a fuzz run saw: statuses, codes, and the shortest case of each failure."""

    name: str
    sent: int = 0
    skipped: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    payload_codes: Counter[str] = field(default_factory=Counter)
    # what kind of cases were sent, as the test labels them
    labels: Counter[str] = field(default_factory=Counter)
    failures: dict[tuple[str, ...], tuple[str, Answer | None]] = field(default_factory=dict)
    failure_counts: Counter[str] = field(default_factory=Counter)

    def record(self, case: str, answer: Answer, allowed: frozenset[str]) -> None:
        self.sent += 1
        self.statuses[answer.status] += 1
        found, codes, payload_codes = problems(answer, allowed)
        self.codes.update(codes)
        self.payload_codes.update(payload_codes)
        if answer.status == 200 and not codes and not payload_codes:
            self.labels["answered without any error"] += 1
        if found:
            self.fail(tuple(found), case, answer)

    def fail(self, kind: tuple[str, ...], case: str, answer: Answer | None) -> None:
        self.failure_counts["; ".join(kind)] += 1
        kept = self.failures.get(kind)
        if kept is None or len(case) < len(kept[0]):
            self.failures[kind] = (case, answer)

    def summary(self, seconds: float) -> str:
        return (
            f"{self.name}: {self.sent:,} cases answered in {seconds:.1f} s"
            + (f" ({self.skipped:,} drawn after the time budget, not sent)" if self.skipped else "")
            + f"; statuses {dict(sorted(self.statuses.items()))}"
            + f"; error codes {dict(self.codes.most_common())}"
            + f"; payload codes {dict(self.payload_codes.most_common())}"
            + f"; {dict(self.labels.most_common())}"
            + f"; failures {dict(self.failure_counts.most_common()) or 'none'}"
        )

    def report(self) -> str:
        lines = []
        for kind, (case, answer) in self.failures.items():
            seen = (
                f"HTTP {answer.status} {answer.body[:600].decode('utf-8', 'replace')}"
                if answer is not None
                else "no answer"
            )
            lines.append(f"- {'; '.join(kind)}\n  request: {case[:1500]}\n  answer: {seen}")
        return "\n".join(lines)


async def fuzz(
    tally: Tally,
    strategy: st.SearchStrategy[Any],
    send: Callable[[Any], Coroutine[Any, Any, tuple[str, Answer]]],
    allowed: frozenset[str],
    examples: int = EXAMPLES,
) -> None:
    """Draw `examples` cases in a worker thread, send each on this loop, check each."""
    loop = asyncio.get_running_loop()
    started = time.monotonic()

    @settings(
        max_examples=examples,
        database=None,
        derandomize=True,
        deadline=None,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def one(case: Any) -> None:
        if time.monotonic() - started > SECONDS:
            tally.skipped += 1
            return
        future = asyncio.run_coroutine_threadsafe(send(case), loop)
        try:
            described, answer = future.result(timeout=REQUEST_SECONDS)
        except TimeoutError:
            future.cancel()
            tally.fail((f"no answer within {REQUEST_SECONDS:g} s",), repr(case), None)
            return
        except Exception as error:  # the connection dropped, or an answer that is not HTTP
            tally.fail((f"no answer: {type(error).__name__}",), f"{case!r}: {error}", None)
            return
        tally.record(described, answer, allowed)

    await asyncio.to_thread(one)
    print(f"\n{tally.summary(time.monotonic() - started)}")
    assert not tally.failures, f"{tally.name} found:\n{tally.report()}"
    # a run cut short by the time budget still has to have tested something
    assert tally.sent >= min(examples, 20)


# -- the app, without a rate limit (thousands of cases from one token) -------------------


@pytest.fixture
async def fuzz_client(settings: Settings, aiohttp_client: ClientFactory) -> TestClient[Any, Any]:
    client = await aiohttp_client(
        create_app(replace(settings, rate_limit_per_minute=0, log_statements=False))
    )
    await client.app[SEARCH].ready.wait()
    return client


@pytest.fixture
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Any:
    """An error the server logs is one a client never saw: count it as a failure."""
    yield
    logged = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert not logged, "the server logged errors:\n" + "\n".join(logged[:20])


async def post(
    client: TestClient[Any, Any], body: bytes, headers: dict[str, str], method: str = "POST"
) -> Answer:
    async with client.request(method, "/graphql", data=body, headers=headers) as response:
        return Answer(response.status, response.content_type, await response.read())


# -- 1. operations generated from the schema -------------------------------------------

SETUP = """
mutation Setup {
  ada: createContact(input: {fullName: "Ada Lovelace", email: "ada@example.com", tags: ["math"]}) {
    contact { id }
  }
  grace: createContact(input: {fullName: "Grace Hopper", company: "Navy"}) { contact { id } }
  alan: createContact(input: {fullName: "Alan Turing"}) { contact { id } }
}
"""
SETUP_LINKS = """
mutation Links($ada: ID!, $grace: ID!, $alan: ID!) {
  tie: createRelationship(input: {contactAId: $ada, contactBId: $grace, type: COLLEAGUE}) {
    relationship { id }
  }
  met: logInteraction(input: {participantIds: [$ada, $grace, $alan], type: MEETING,
                              occurredAt: "2026-11-20T15:00:00Z", subject: "Compilers"}) {
    interaction { id }
  }
  likes: addInterest(input: {contactId: $ada, category: "tech", topic: "compilers"}) {
    interest { id }
  }
  note: createMemory(input: {contactId: $grace, type: NOTE, content: "Wrote the first compiler."}) {
    memory { id }
  }
}
"""
CURSORS = "{ contacts(first: 1) { pageInfo { endCursor } } }"


async def existing_ids(
    client: TestClient[Any, Any], account: Account
) -> tuple[list[str], list[str]]:
    """A few real objects of the account's, so generated operations reach past NOT_FOUND."""

    async def run(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=account.headers
        )
        body: dict[str, Any] = await response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    contacts = await run(SETUP)
    people = {name: payload["contact"]["id"] for name, payload in contacts.items()}
    links = await run(SETUP_LINKS, people)
    ids = [*people.values(), *(next(iter(payload.values()))["id"] for payload in links.values())]
    cursor = (await run(CURSORS))["contacts"]["pageInfo"]["endCursor"]
    return ids, [cursor]


def scalars(ids: list[str], cursors: list[str]) -> dict[str, st.SearchStrategy[Any]]:
    """IDs and strings that are mostly real, sometimes anything; DateTimes valid or not."""
    text = st.text(max_size=40)
    return {
        "ID": st.one_of(st.sampled_from(ids), st.sampled_from(ids), text).map(nodes.String),
        "String": st.one_of(text, st.sampled_from(cursors + ids)).map(nodes.String),
        "DateTime": st.one_of(
            st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
            st.datetimes().map(lambda moment: moment.isoformat()),
            text,
        ).map(nodes.String),
    }


# every mutation payload has `errors { code }`: select it, so its codes are checked too
PAYLOAD_ERRORS = parse("{ errors { code field } }").definitions[0].selection_set.selections[0]  # type: ignore[attr-defined]


def with_payload_errors(document: DocumentNode) -> str:
    """The document printed, each mutation field selecting its payload's errors."""
    # the nodes are frozen (and hypothesis-graphql shares them between cases): new ones
    definitions = []
    for definition in document.definitions:
        if (
            isinstance(definition, OperationDefinitionNode)
            and definition.operation is OperationType.MUTATION
        ):
            fields = [
                replace(selection, selection_set=SelectionSetNode(
                    selections=(*selection.selection_set.selections, PAYLOAD_ERRORS)
                ))
                if isinstance(selection, FieldNode) and selection.selection_set is not None
                else selection
                for selection in definition.selection_set.selections
            ]  # fmt: skip
            definition = replace(
                definition, selection_set=SelectionSetNode(selections=tuple(fields))
            )
        definitions.append(definition)
    return print_ast(DocumentNode(definitions=tuple(definitions)))


async def test_generated_operations_get_documented_codes(
    fuzz_client: TestClient[Any, Any], account: Account, no_errors_logged: None
) -> None:
    ids, cursors = await existing_ids(fuzz_client, account)
    schema = build_schema()._schema
    custom = scalars(ids, cursors)
    operations = st.tuples(
        st.one_of(
            from_schema(schema, custom_scalars=custom, print_ast=with_payload_errors),
            from_schema(
                schema, custom_scalars=custom, print_ast=with_payload_errors, mode=Mode.NEGATIVE
            ),
        ),
        st.sampled_from([JSON, GRAPHQL_RESPONSE]),
    )

    tally = Tally("generated operations")

    async def send(case: tuple[str, str]) -> tuple[str, Answer]:
        query, accept = case
        tally.labels[query.split(maxsplit=1)[0].strip("{") or "query"] += 1
        headers = {"Content-Type": JSON, "Accept": accept, **account.headers}
        answer = await post(fuzz_client, orjson.dumps({"query": query}), headers)
        return f"Accept: {accept}\n{query}", answer

    await fuzz(tally, operations, send, GRAPHQL_CODES)


# a field error beside a field awaiting the user's graph: graphql-core cancels the
# pending sibling, the cancellation reaches the graph future the request shares, and
# every other field awaiting it gets CancelledError (found by the long fuzz run)
GRAPH_BESIDE_AN_ERROR = """
{
  node(id: "$id") { ... on Contact { mutualConnections(with: "$id", first: 0) { count } } }
  contact(id: "$id") { strength { score } interactions(after: "", before: "") { totalCount } }
}
"""


async def test_a_field_error_beside_graph_fields_is_answered(
    fuzz_client: TestClient[Any, Any], account: Account
) -> None:
    ids, _ = await existing_ids(fuzz_client, account)
    query = GRAPH_BESIDE_AN_ERROR.replace("$id", ids[0])
    answer = await post(
        fuzz_client, orjson.dumps({"query": query}), {"Content-Type": JSON, **account.headers}
    )
    found, codes, _ = problems(answer, GRAPHQL_CODES)
    assert answer.status == 200 and not found
    assert set(codes) == {"BAD_USER_INPUT"}


# -- 2. hostile bodies: not JSON, JSON of any shape, parameters of the wrong types ----

DOCUMENTS = [
    "{ me { email } }",
    "query Page($first: Int, $after: String) { contacts(first: $first, after: $after) "
    "{ totalCount edges { node { id fullName } } } }",
    "query One($id: ID!) { contact(id: $id) { fullName connections(first: 3) { totalCount } } }",
    "query Path($a: ID!, $b: ID!, $hops: Int!) { shortestPath(from: $a, to: $b, maxHops: $hops) "
    "{ strengths } }",
    "query Search($q: String!, $mode: SearchMode!, $f: MemoryFilter) "
    "{ searchMemories(query: $q, mode: $mode, filter: $f) { edges { score } } }",
    "mutation Add($input: CreateContactInput!) { createContact(input: $input) "
    "{ contact { id } errors { code field } } }",
    "mutation Log($input: LogInteractionInput!) { logInteraction(input: $input) "
    "{ interaction { id } errors { code field } } }",
    "query A { me { id } } query B { me { email } }",
    "{ me { nope } }",
    "{ me { email ",
    "",
    "   ",
    "subscription { me { id } }",
]
VARIABLE_NAMES = ["first", "after", "id", "a", "b", "hops", "q", "mode", "f", "input"]
OPERATION_NAMES = ["Page", "One", "Path", "Search", "Add", "Log", "A", "B", "", "Nope"]
CONTENT_TYPES = [
    *[JSON] * 12, GRAPHQL_RESPONSE, "application/json; charset=latin-1", "text/plain",
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/graphql",
]  # fmt: skip
ACCEPTS = [
    JSON, GRAPHQL_RESPONSE, "*/*", "", "text/html",
    f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", f"{JSON}, {GRAPHQL_RESPONSE}", "application/xml",
]  # fmt: skip

scalar_json = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=30),
)


def _json_containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=10), children, max_size=5),
    )


any_json = st.recursive(scalar_json, _json_containers, max_leaves=25)


def _serialized(value: Any) -> bytes:
    # the stdlib writes big integers and NaN (not JSON), as a careless client would
    return json.dumps(value).encode()


def hostile_requests(ids: list[str]) -> st.SearchStrategy[tuple[str, bytes, str, str, bool]]:
    """(method, body, content type, accept, with the token?): mostly a POST of JSON."""
    # what a variable is given: a real ID, a plausible value of its type, or anything
    variable_values = st.one_of(
        any_json,
        st.sampled_from(ids),
        st.integers(-(2**31), 2**31),
        st.sampled_from(["HYBRID", "SEMANTIC", "KEYWORD", "nope"]),
        st.fixed_dictionaries(
            {"fullName": st.text(max_size=30)},
            optional={
                "email": st.text(max_size=30),
                "tags": st.lists(st.text(max_size=10), max_size=5),
                "participantIds": st.lists(st.sampled_from(ids) | st.text(max_size=30), max_size=5),
                "type": st.sampled_from(["MEETING", "CALL", "nope", ""]),
                "occurredAt": st.text(max_size=30),
                "aroundContact": st.fixed_dictionaries(
                    {"id": st.sampled_from(ids), "hops": any_json}
                ),
            },
        ),
    )
    variables = st.dictionaries(st.sampled_from(VARIABLE_NAMES), variable_values, max_size=4)
    # a GraphQL request whose variables and operation name are anything
    well_formed = st.fixed_dictionaries(
        {"query": st.sampled_from(DOCUMENTS), "variables": variables},
        optional={"operationName": st.sampled_from(OPERATION_NAMES) | st.none()},
    )
    # any parameter of any type, or missing
    any_parameters = st.fixed_dictionaries(
        {},
        optional={
            "query": st.one_of(st.sampled_from(DOCUMENTS), any_json),
            "variables": st.one_of(variables, any_json),
            "operationName": st.one_of(st.sampled_from(OPERATION_NAMES), any_json),
            "extensions": any_json,
        },
    )
    bodies = st.one_of(
        well_formed.map(_serialized),
        well_formed.map(_serialized),
        well_formed.map(_serialized),
        any_parameters.map(_serialized),
        any_parameters.map(_serialized).flatmap(
            lambda raw: st.integers(0, len(raw)).map(lambda n: raw[:n])
        ),
        any_json.map(_serialized),
        st.binary(max_size=200),
        st.text(max_size=200).map(str.encode),
        st.integers(1, 6000).map(lambda depth: b'{"query": ' + b"[" * depth + b"]" * depth + b"}"),
    )
    return st.tuples(
        st.sampled_from(["POST"] * 16 + ["GET"] * 3 + ["PUT", "PATCH", "DELETE"]),
        bodies,
        st.sampled_from(CONTENT_TYPES),
        st.sampled_from(ACCEPTS),
        st.sampled_from([True, True, True, False]),  # with the account's token
    )


async def test_hostile_bodies_get_json_errors(
    fuzz_client: TestClient[Any, Any], account: Account, no_errors_logged: None
) -> None:
    tally = Tally("hostile bodies")

    async def send(case: tuple[str, bytes, str, str, bool]) -> tuple[str, Answer]:
        method, body, content_type, accept, authenticated = case
        tally.labels[f"{method} {'with' if authenticated else 'without'} token"] += 1
        headers = {"Content-Type": content_type, "Accept": accept}
        if authenticated:
            headers.update(account.headers)
        if method == "GET":
            # the same parameters as a query string, each value as text
            try:
                given = json.loads(body)
            except (ValueError, RecursionError):
                given = {"query": body.decode("utf-8", "replace")}
            if not isinstance(given, dict):
                given = {"query": json.dumps(given)}
            if "query" not in given and "text/html" in accept:
                accept = headers["Accept"] = JSON  # a browser's GET is GraphiQL's page, HTML
            query = {
                key: value if isinstance(value, str) else json.dumps(value)
                for key, value in given.items()
            }
            async with fuzz_client.get("/graphql", params=query, headers=headers) as response:
                answer = Answer(response.status, response.content_type, await response.read())
        else:
            answer = await post(fuzz_client, body, headers, method)
        described = f"{method} Content-Type: {content_type!r} Accept: {accept!r} token: {authenticated}\n{body!r}"
        return described, answer

    ids, _ = await existing_ids(fuzz_client, account)
    await fuzz(tally, hostile_requests(ids), send, HTTP_CODES)


# -- 3. hostile Authorization headers, any bytes, on a raw connection ------------------

ME = b'{"query": "{ me { email } }"}'


def header_values(token: str) -> st.SearchStrategy[bytes]:
    # CR and LF end the header line: any other byte may appear in a value
    anything = st.binary(max_size=300).map(lambda raw: raw.replace(b"\r", b"").replace(b"\n", b""))
    prefix = st.sampled_from(
        [b"", b"Bearer ", b"bearer ", b"BEARER\t", b"Basic ", b"Bearer gapi_", token.encode()]
    )
    return st.one_of(
        st.tuples(prefix, anything).map(b"".join),
        st.tuples(st.just(f"Bearer {token}".encode()), anything).map(b"".join),
        st.text(max_size=60).map(lambda text: b"Bearer " + text.encode()),
        st.integers(200, 9000).map(lambda n: b"Bearer gapi_" + b"x" * n),
    )


async def raw_post(host: str, port: int, headers: list[tuple[bytes, bytes]]) -> Answer:
    """POST /graphql with exactly these header bytes; the answer as the server wrote it."""
    lines = [
        b"POST /graphql HTTP/1.1",
        b"Host: " + host.encode(),
        b"Content-Type: application/json",
        b"Content-Length: " + str(len(ME)).encode(),
        b"Connection: close",
        *(name + b": " + value for name, value in headers),
    ]
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(b"\r\n".join(lines) + b"\r\n\r\n" + ME)
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.split(b"\r\n")
    fields = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(b":") for line in header_lines)
    }
    if fields.get(b"transfer-encoding") == b"chunked":
        body = _unchunked(body)
    elif b"content-length" in fields:
        body = body[: int(fields[b"content-length"])]
    content_type = fields.get(b"content-type", b"").split(b";")[0].decode("latin-1")
    return Answer(int(status_line.split()[1]), content_type, body)


def _unchunked(raw: bytes) -> bytes:
    out = b""
    while raw:
        size_line, _, raw = raw.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, raw = out + raw[:size], raw[size + 2 :]
    return out


async def test_hostile_authorization_headers_get_json_errors(
    fuzz_client: TestClient[Any, Any], account: Account, no_errors_logged: None
) -> None:
    host, port = fuzz_client.server.host, fuzz_client.server.port
    assert port is not None
    names = st.sampled_from([b"Authorization", b"authorization", b"AUTHORIZATION"])
    values = header_values(account.token)
    headers = st.lists(st.tuples(names, values), min_size=1, max_size=2)

    async def send(case: list[tuple[bytes, bytes]]) -> tuple[str, Answer]:
        return repr(case), await raw_post(host, port, case)

    await fuzz(Tally("hostile Authorization headers"), headers, send, HTTP_CODES, EXAMPLES // 2)
