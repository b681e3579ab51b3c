"""/explore in a real browser, with no network but loopback: the page draws the ego
network it reads through the public GraphQL API (a node per contact, the user at the
centre, ties weighted), a click on a contact shows its strength's parts, the people
both know and the best introduction path highlighted, the search finds a contact, and
someone without the demo token signs in with theirs. Screenshots are kept."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import asyncpg
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, make_mocked_request

from graph_api.app import SEARCH, create_app
from graph_api.explore import Explorer
from graph_api.keys import DEMO_TOKEN
from graph_api.seed import seed_network
from graph_api.settings import Settings
from tests.conftest import Account
from tests.integration.chromium import Page, chromium, chromium_path, navigate
from tests.integration.test_browser_graphiql import assert_stayed_local

pytestmark = pytest.mark.skipif(
    chromium_path() is None and not os.environ.get("CI"),
    reason="chromium is not installed (apt-get install chromium; CI installs it)",
)

CONTACTS = 60

# what the page must show for a contact, asked of the API directly
EXPECTED = """
query Expected($id: ID!) {
  contact(id: $id) {
    fullName
    strength { score recency frequency reciprocity }
    connections(first: 10) { edges { node { id fullName } } }
  }
  introductionPaths(to: $id, first: 1) { contacts { id } }
}
"""
WEAKEST = """
query Weakest {
  contacts(first: 60, orderBy: STRENGTH_DESC) { totalCount edges { node { id strength { score } } } }
}
"""

RENDERED = """((id) => {
  const cy = window.explore.cy;
  const box = cy.container().getBoundingClientRect();
  const at = cy.getElementById(id).renderedPosition();
  return [box.left + at.x, box.top + at.y];
})(%s)"""


async def api(client: TestClient[Any, Any], account: Account, query: str, **variables: Any) -> Any:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=account.headers
    )
    body = await response.json()
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture
async def network(pool: asyncpg.Pool, account: Account) -> Account:
    async with pool.acquire() as conn:
        await seed_network(
            conn, account.user.id, CONTACTS, 13, datetime.now(UTC) - timedelta(days=1)
        )
    return account


@pytest.fixture
async def served(
    settings: Settings,
    network: Account,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> TestClient[Any, Any]:
    """The app as `make serve` runs it with its demo: this account's token is the demo's."""
    app = create_app(settings)
    app[DEMO_TOKEN] = network.token
    client = await aiohttp_client(app)
    await client.app[SEARCH].ready.wait()
    return client


async def click(page: Page, x: float, y: float) -> None:
    await page.send("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
    for kind in ("mousePressed", "mouseReleased"):
        await page.send(
            "Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1
        )


async def a_contact_with_an_introduction(
    client: TestClient[Any, Any], account: Account
) -> tuple[str, dict[str, Any]]:
    """The weakest tie (not a silent one) that someone can introduce (the API says
    who), and what the page must show for it."""
    listed = await api(client, account, WEAKEST)
    assert listed["contacts"]["totalCount"] == CONTACTS
    edges = [e for e in listed["contacts"]["edges"] if e["node"]["strength"]["score"] > 0.05]
    for edge in reversed(edges):
        expected = await api(client, account, EXPECTED, id=edge["node"]["id"])
        if expected["introductionPaths"] and expected["contact"]["connections"]["edges"]:
            return edge["node"]["id"], expected
    raise AssertionError("the seeded network has no one to be introduced to")


async def test_explore_draws_the_network_and_explains_a_contact(
    served: TestClient[Any, Any],
    network: Account,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target, expected = await a_contact_with_an_introduction(served, network)
    async with chromium(tmp_path / "profile") as page:
        await navigate(page, str(served.make_url("/explore")))
        await page.wait_for("document.body?.dataset.state === 'ready'", seconds=60)

        # a node per contact and one for the user; the user's ties and theirs drawn,
        # sizes by strength, colours by community
        drawn = await page.evaluate(
            """(() => { const cy = window.explore.cy; return {
                nodes: cy.nodes().length,
                ties: cy.edges('.tie').length,
                relationships: cy.edges(':not(.tie)').length,
                sizes: new Set(cy.nodes().map(n => n.data('size'))).size,
                colors: new Set(cy.nodes().map(n => n.data('color'))).size,
                inView: cy.nodes().filter(n => { const p = n.renderedPosition();
                  return p.x >= 0 && p.y >= 0 && p.x <= cy.width() && p.y <= cy.height(); }).length,
            }; })()"""
        )
        assert drawn["nodes"] == CONTACTS + 1
        assert drawn["ties"] == CONTACTS
        assert drawn["relationships"] > 0
        assert drawn["inView"] == CONTACTS + 1
        assert drawn["sizes"] > 5
        assert drawn["colors"] > 1
        status = await page.evaluate("document.getElementById('status').textContent")
        assert f"{CONTACTS} of {CONTACTS} contacts drawn" in status
        overview = await page.screenshot(tmp_path / "explore-network.png")

        # a click where the contact is drawn
        x, y = await page.evaluate(RENDERED % json.dumps(target))
        await click(page, x, y)
        await page.wait_for(f"document.getElementById('details')?.dataset.contact === {target!r}")

        contact = expected["contact"]
        shown = await page.evaluate(
            """(() => ({
              name: document.querySelector('#details h2').textContent,
              parts: Object.fromEntries([...document.querySelectorAll('[data-part]')]
                .map(e => [e.dataset.part, e.textContent])),
              mutual: [...document.querySelectorAll('#mutual a')].map(a => a.dataset.id),
              pathListed: [...document.querySelectorAll('#path li[data-id]')].map(li => li.dataset.id),
              pathNodes: window.explore.cy.nodes('.path').map(n => n.id()),
              pathEdges: window.explore.cy.edges('.path').length,
              focus: window.explore.cy.nodes('.focus').map(n => n.id()),
            }))()"""
        )
        assert shown["name"] == contact["fullName"]
        assert shown["parts"] == {
            part: f"{contact['strength'][part]:.2f}"
            for part in ("recency", "frequency", "reciprocity")
        }
        assert shown["mutual"] == [e["node"]["id"] for e in contact["connections"]["edges"]]
        path = [c["id"] for c in expected["introductionPaths"][0]["contacts"]]
        assert path[-1] == target and len(path) >= 2
        assert shown["pathListed"] == path
        assert sorted(shown["pathNodes"]) == sorted(["ego", *path])
        assert shown["pathEdges"] == len(path)
        assert shown["focus"] == [target]
        shot = await page.screenshot(tmp_path / "explore.png")

        # the search asks the API; Enter picks the first hit and explains it
        other = contact["connections"]["edges"][0]["node"]
        await page.evaluate("document.getElementById('search').focus()")
        await page.send("Input.insertText", text=other["fullName"])
        await page.wait_for("document.querySelector('#results a')")
        hits = await page.evaluate(
            "[...document.querySelectorAll('#results a')].map(a => a.dataset.id)"
        )
        assert other["id"] in hits
        await page.send("Input.dispatchKeyEvent", type="keyDown", key="Enter", code="Enter",
                        windowsVirtualKeyCode=13)  # fmt: skip
        await page.wait_for(f"document.getElementById('details')?.dataset.contact === {hits[0]!r}")
        assert await page.evaluate("window.explore.cy.nodes('.focus').map(n => n.id())") == [
            hits[0]
        ]

        with capsys.disabled():
            print(f"\n/explore screenshots: {overview} {shot}")
        assert_stayed_local(page, served)


async def test_explore_asks_for_a_token_without_the_demo(
    settings: Settings,
    network: Account,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = await aiohttp_client(create_app(settings))
    async with chromium(tmp_path / "profile") as page:
        await navigate(page, str(client.make_url("/explore")))
        # null-safe: the first probes may run before the page's document is parsed
        await page.wait_for("document.getElementById('login')?.hidden === false")

        async def sign_in(token: str) -> None:
            await page.evaluate(f"document.getElementById('token').value = {json.dumps(token)}")
            await page.evaluate("document.querySelector('#login button').click()")

        await sign_in("gapi_not-a-real-token")
        await page.wait_for(
            "!document.getElementById('login').hidden &&"
            " document.getElementById('login-error').textContent"
        )
        assert await page.evaluate("window.explore.cy.nodes().length") == 0

        await sign_in(network.token)
        await page.wait_for("document.body?.dataset.state === 'ready'", seconds=60)
        assert await page.evaluate("window.explore.cy.nodes().length") == CONTACTS + 1
        shot = await page.screenshot(tmp_path / "explore-signed-in.png")
        with capsys.disabled():
            print(f"\n/explore (signed in) screenshot: {shot}")
        assert_stayed_local(page, client)


async def test_explore_assets_are_served_compressed_and_cacheable(
    settings: Settings, aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]]
) -> None:
    client = await aiohttp_client(create_app(settings))
    page = await client.get("/explore")
    assert page.status == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    html = await page.text()
    for tag, attribute in (('<script src="', '"'), ('<link rel="stylesheet" href="', '"')):
        url = html.split(tag)[1].split(attribute)[0]
        response = await client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert "immutable" in response.headers["Cache-Control"]
    missing = await client.get("/explore/assets/secrets.txt")
    assert missing.status == 404
    assert (await missing.json())["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    off = await aiohttp_client(create_app(replace(settings, explore=False)))
    assert (await off.get("/explore")).status == 404


def test_the_demo_token_goes_only_to_this_machine() -> None:
    app = web.Application()
    app[DEMO_TOKEN] = "gapi_demo"
    explorer = Explorer()

    def html_for(address: str) -> str:
        transport = mock.Mock()
        transport.get_extra_info.side_effect = lambda name, default=None: (
            (address, 40000) if name == "peername" else default
        )
        request = make_mocked_request("GET", "/explore", app=app, transport=transport)
        text = asyncio.run(explorer.page(request)).text
        assert text is not None
        return text

    assert '"token":"gapi_demo"' in html_for("127.0.0.1")
    assert '"token":"gapi_demo"' in html_for("::1")
    assert "gapi_demo" not in html_for("203.0.113.9")
