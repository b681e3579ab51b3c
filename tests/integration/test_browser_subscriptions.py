"""A subscription run from GraphiQL in a real browser: its page opens the WebSocket at
the endpoint's URL (graphql-transport-ws, the token from its headers editor), and an
event from a mutation made elsewhere renders in its response pane."""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from graph_api.app import create_app
from graph_api.keys import DEMO_TOKEN, EVENT_HUB
from graph_api.settings import Settings
from tests.conftest import Account
from tests.integration.chromium import chromium, chromium_path, navigate

pytestmark = pytest.mark.skipif(
    chromium_path() is None and not os.environ.get("CI"),
    reason="chromium is not installed (apt-get install chromium; CI installs it)",
)

SUBSCRIPTION = "subscription Watch { contactChanged { kind contact { fullName } } }"
# GraphiQL tells a subscription by the parsed document of its editor: let it parse first
SETTLE = "new Promise(resolve => setTimeout(resolve, 700))"
CREATE = 'mutation { createContact(input: {fullName: "Grace Hopper"}) { errors { code } } }'
RESPONSE = "document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror.getValue()"


async def test_graphiql_runs_a_subscription(
    settings: Settings,
    account: Account,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = create_app(settings)
    app[DEMO_TOKEN] = account.token  # GraphiQL's headers carry it, as with make serve's demo
    client = await aiohttp_client(app)
    async with chromium(tmp_path / "profile") as page:
        await navigate(page, str(client.make_url("/graphql")))
        await page.wait_for("document.querySelector('.graphiql-query-editor .CodeMirror')")
        await page.evaluate(
            "document.querySelector('.graphiql-query-editor .CodeMirror')"
            f".CodeMirror.setValue({json.dumps(SUBSCRIPTION)})"
        )
        await page.evaluate(SETTLE)
        await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
        for _ in range(100):  # until the browser's subscription is registered
            if client.app[EVENT_HUB].subscribers:
                break
            await page.evaluate("new Promise(resolve => setTimeout(resolve, 50))")
        assert client.app[EVENT_HUB].subscribers == 1, (
            await page.evaluate(RESPONSE),
            page.console_errors,
            page.requests[-5:],
        )

        response = await client.post("/graphql", json={"query": CREATE}, headers=account.headers)
        assert (await response.json())["data"]["createContact"]["errors"] == []
        shown = await page.wait_for(f"{RESPONSE}?.includes('Grace Hopper') && {RESPONSE}")
        assert json.loads(shown)["data"]["contactChanged"] == {
            "kind": "CREATED",
            "contact": {"fullName": "Grace Hopper"},
        }
        shot = await page.screenshot(tmp_path / "graphiql-subscription.png")
        with capsys.disabled():
            print(f"\nGraphiQL subscription screenshot: {shot}")
        assert page.console_errors == []
