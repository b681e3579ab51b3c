"""GraphiQL in a real browser, with no network but loopback: the page and its assets
come from the API, the README's operations are its tabs, the demo token is in its
headers, and a query run from it renders its answer. A screenshot is kept."""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, make_mocked_request

from graph_api.app import SEARCH, create_app
from graph_api.graphiql import STATIC, GraphiQL
from graph_api.keys import DEMO_TOKEN
from graph_api.settings import Settings
from tests.conftest import Account
from tests.integration.chromium import Page, chromium, chromium_path, navigate

pytestmark = pytest.mark.skipif(
    chromium_path() is None and not os.environ.get("CI"),
    reason="chromium is not installed (apt-get install chromium; CI installs it)",
)

CREATE = """
mutation { createContact(input: {fullName: "Ada Lovelace", company: "Analytical Engines"}) {
  contact { id } errors { code } } }
"""
QUERY = "query Names { contacts(first: 5) { totalCount edges { node { fullName company } } } }"

EDITOR_VALUES = "[...document.querySelectorAll('.CodeMirror')].map(e => e.CodeMirror.getValue())"


@pytest.fixture
async def served(
    settings: Settings,
    account: Account,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> TestClient[Any, Any]:
    """The app as `make serve` runs it with its demo: this account's token is the demo's."""
    app = create_app(settings)
    app[DEMO_TOKEN] = account.token
    client = await aiohttp_client(app)
    await client.app[SEARCH].ready.wait()
    response = await client.post("/graphql", json={"query": CREATE}, headers=account.headers)
    assert (await response.json())["data"]["createContact"]["errors"] == []
    return client


async def test_graphiql_runs_a_query_offline(
    served: TestClient[Any, Any],
    account: Account,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    examples = json.loads((STATIC / "examples.json").read_text())
    async with chromium(tmp_path / "profile") as page:
        await navigate(page, str(served.make_url("/graphql")))
        await page.wait_for("document.querySelector('.graphiql-query-editor .CodeMirror')")

        # the README's operations are the tabs, the demo token in the headers
        tabs = await page.evaluate(
            "document.querySelectorAll('[id^=graphiql-session-tab-]').length"
        )
        assert tabs == len(examples)
        assert any(
            f"Bearer {account.token}" in value for value in await page.evaluate(EDITOR_VALUES)
        )

        # run a query from the editor with the play button
        await page.evaluate(
            "document.querySelector('.graphiql-query-editor .CodeMirror')"
            f".CodeMirror.setValue({json.dumps(QUERY)})"
        )
        # GraphiQL reads the operation's name from the editor 100 ms after an edit (its
        # debounce): run before that and it sends the previous tab's name
        await page.wait_for(
            "document.querySelector('.graphiql-query-editor .CodeMirror')"
            ".CodeMirror.operationName === 'Names'"
        )
        await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
        answer = await page.wait_for(
            "document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror.getValue()"
            " .includes('Analytical Engines') &&"
            " document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"
        )
        assert json.loads(answer)["data"]["contacts"]["edges"] == [
            {"node": {"fullName": "Ada Lovelace", "company": "Analytical Engines"}}
        ]

        # the explorer plugin, built from the schema GraphiQL introspected
        await page.evaluate(
            "document.querySelector('[aria-label=\"Show GraphiQL Explorer\"]').click()"
        )
        await page.wait_for(
            "document.querySelector('.graphiql-explorer-root')?.textContent.includes('contacts')"
        )

        shot = await page.screenshot(tmp_path / "graphiql.png")
        with capsys.disabled():
            print(f"\nGraphiQL screenshot: {shot}")
        assert_stayed_local(page, served)


def assert_stayed_local(page: Page, client: TestClient[Any, Any]) -> None:
    hosts = {urlsplit(url).hostname for url in page.requests if not url.startswith("data:")}
    assert hosts == {client.host}, page.requests
    # a script the CSP blocked, a failed load or an exception would show here
    assert page.console_errors == []


async def test_graphiql_assets_are_served_compressed_and_cacheable(
    served: TestClient[Any, Any],
) -> None:
    page = await served.get("/graphql", headers={"Accept": "text/html"})
    assert page.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    html = await page.text()
    script = html.split('<script src="')[1].split('"')[0]
    response = await served.get(script, headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]
    assert len(await response.read()) > 100_000
    again = await served.get(script, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status == 304
    missing = await served.get("/graphiql/secrets.txt")
    assert missing.status == 404
    assert (await missing.json())["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_the_demo_token_goes_only_to_this_machine() -> None:
    app = web.Application()
    app[DEMO_TOKEN] = "gapi_demo"
    page = GraphiQL()

    def html_for(address: str) -> str:
        transport = mock.Mock()
        transport.get_extra_info.side_effect = lambda name, default=None: (
            (address, 40000) if name == "peername" else default
        )
        request = make_mocked_request(
            "GET", "/graphql", headers={"Accept": "text/html"}, app=app, transport=transport
        )
        text = page.page(request).text
        assert text is not None
        return text

    assert "Bearer gapi_demo" in html_for("127.0.0.1")
    assert "Bearer gapi_demo" in html_for("::1")
    assert "gapi_demo" not in html_for("203.0.113.9")
    assert "gapi_demo" not in html_for("192.168.1.20")
