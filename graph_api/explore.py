"""`/explore`: the user's ego network in the browser, drawn with cytoscape.js from
files the package ships (`graph_api/static/explore/`, bundled from
`frontend/explore/`). The page reads everything through the public GraphQL API with
the user's token, as any other client would: it holds no data of its own.

Like GraphiQL's, the page carries its settings as JSON: the endpoint, how many
contacts to draw, and, for `make serve`'s demo opened from this machine, the demo
token; anyone else pastes a token into the page.
"""

from __future__ import annotations

import html
from typing import Any

import orjson
from aiohttp import web

from graph_api.assets import StaticAssets, is_loopback, page_headers
from graph_api.keys import DEMO_TOKEN

ASSETS_PATH = "/explore/assets"
ASSET_TYPES = {"explore.js": "text/javascript", "explore.css": "text/css"}

# the strongest ties first, in pages of 100 (the API's page size); more than a few
# hundred nodes is a hairball, not a picture
MAX_CONTACTS = 300
# each contact's strongest ties: both ends list an edge, so few are lost
CONNECTIONS_PER_CONTACT = 25


class Explorer:
    """The page and its two assets."""

    def __init__(self, endpoint: str = "/graphql", *, max_contacts: int = MAX_CONTACTS) -> None:
        self.endpoint = endpoint
        self.max_contacts = max_contacts
        self.assets = StaticAssets("explore", ASSET_TYPES)

    async def page(self, request: web.Request) -> web.Response:
        config: dict[str, Any] = {
            "endpoint": self.endpoint,
            "maxContacts": self.max_contacts,
            "connectionsPerContact": CONNECTIONS_PER_CONTACT,
        }
        token = request.app.get(DEMO_TOKEN)
        if token is not None and is_loopback(request.remote):
            # the demo's own token, only to a browser on this machine
            config["token"] = token
        # JSON inside <script>: no "</script>" can close it early
        data = orjson.dumps(config).replace(b"<", b"\\u003c").decode()
        body = PAGE.format(
            config=data,
            js=html.escape(self.assets.url(ASSETS_PATH, "explore.js")),
            css=html.escape(self.assets.url(ASSETS_PATH, "explore.css")),
        )
        return web.Response(text=body, content_type="text/html", headers=page_headers(request))

    async def asset(self, request: web.Request) -> web.Response:
        return await self.assets.handle(request)


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>graph-api · explore</title>
<link rel="stylesheet" href="{css}">
</head>
<body>
<header>
  <strong>graph-api · explore</strong>
  <div class="search">
    <input id="search" type="search" placeholder="Search a contact…" autocomplete="off"
           aria-label="Search a contact" disabled>
    <ul id="results" role="listbox" hidden></ul>
  </div>
  <span id="status" role="status">Loading…</span>
</header>
<main>
  <div id="graph" aria-label="The ego network"></div>
  <aside id="panel">
    <form id="login" hidden>
      <label for="token">Bearer token</label>
      <input id="token" type="password" autocomplete="off" placeholder="gapi_…">
      <button type="submit">Open my network</button>
      <p id="login-error" class="error" role="alert"></p>
    </form>
    <section id="details" hidden></section>
    <section id="legend"></section>
  </aside>
</main>
<script id="explore-config" type="application/json">{config}</script>
<script src="{js}"></script>
</body>
</html>
"""
