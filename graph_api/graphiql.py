"""GraphiQL from files the package ships: no CDN, so it works offline and a page that
holds a user's token runs only code we built (`graph_api/static/graphiql/`, bundled by
`make assets` from `frontend/graphiql/`: GraphiQL 4 with the explorer plugin).

The page carries its settings as JSON: the endpoint, the README's operations as tabs
(`examples.json`, written from the README by `make assets`; a test keeps the two
equal), and, for `make serve`'s demo opened from this machine, the demo token.
"""

from __future__ import annotations

import html
import re
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from graph_api.assets import StaticAssets, is_loopback, page_headers
from graph_api.keys import DEMO_TOKEN

STATIC = files("graph_api") / "static" / "graphiql"
ASSET_TYPES = {"graphiql.js": "text/javascript", "graphiql.css": "text/css"}
EXAMPLES = "examples.json"
ASSETS_PATH = "/graphiql"

# the README's examples: a bold "**N. Title.**" (or the heading) before each block
_BLOCK = re.compile(r"```graphql\n(.*?)```", re.S)
_TITLE = re.compile(r"^(?:\*\*(?P<bold>.+?)\*\*|#+ (?P<heading>.+)$)", re.M)


def readme_examples(readme: str) -> list[dict[str, str]]:
    """The README's GraphQL operations, each with the title it appears under."""
    examples = []
    for block in _BLOCK.finditer(readme):
        titles = list(_TITLE.finditer(readme, 0, block.start()))
        title = (titles[-1].group("bold") or titles[-1].group("heading")) if titles else ""
        examples.append({"title": title.strip().rstrip(".:"), "query": block.group(1).rstrip()})
    return examples


class GraphiQL:
    """The page at the GraphQL endpoint (GET, Accept: text/html) and its two assets."""

    def __init__(self, endpoint: str = "/graphql") -> None:
        self.endpoint = endpoint
        self.assets = StaticAssets("graphiql", ASSET_TYPES)
        self._examples: list[dict[str, str]] | None = None

    def examples(self) -> list[dict[str, str]]:
        if self._examples is None:
            self._examples = orjson.loads((STATIC / EXAMPLES).read_bytes())
        return self._examples

    def page(self, request: web.Request) -> web.Response:
        config: dict[str, Any] = {"endpoint": self.endpoint, "examples": self.examples()}
        token = request.app.get(DEMO_TOKEN)
        if token is not None and is_loopback(request.remote):
            # the demo's own token, only to a browser on this machine
            config["headers"] = {"Authorization": f"Bearer {token}"}
        # JSON inside <script>: no "</script>" can close it early
        data = orjson.dumps(config).replace(b"<", b"\\u003c").decode()
        body = PAGE.format(
            config=data,
            js=html.escape(self.assets.url(ASSETS_PATH, "graphiql.js")),
            css=html.escape(self.assets.url(ASSETS_PATH, "graphiql.css")),
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
<title>graph-api · GraphiQL</title>
<link rel="stylesheet" href="{css}">
<style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
<div id="graphiql"></div>
<script id="graphiql-config" type="application/json">{config}</script>
<script src="{js}"></script>
</body>
</html>
"""


def main(argv: list[str] | None = None) -> int:
    """`python -m graph_api.graphiql README.md`: write examples.json from the README."""
    args = sys.argv[1:] if argv is None else argv
    readme = Path(args[0] if args else "README.md").read_text(encoding="utf-8")
    target = Path(str(STATIC)) / EXAMPLES
    target.write_bytes(orjson.dumps(readme_examples(readme), option=orjson.OPT_INDENT_2) + b"\n")
    print(f"wrote {len(readme_examples(readme))} examples to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
