"""Browser pages' built files, served from the package (`graph_api/static/<dir>/`):
read once, gzipped once, addressed by a content hash so a versioned URL caches for
good, and a strict page policy for the HTML that loads them (the pages may hold a
token: never cached, never framed, no script but ours, no connection but the API's).
"""

from __future__ import annotations

import gzip
import hashlib
import ipaddress
from dataclasses import dataclass
from importlib.resources import files

from aiohttp import web

from graph_api.http_errors import json_error


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    content_type: str
    version: str


class StaticAssets:
    """The files of one `graph_api/static/<directory>/`, by name, from a fixed list."""

    def __init__(self, directory: str, types: dict[str, str]) -> None:
        self.root = files("graph_api") / "static" / directory
        self.types = types
        self._assets: dict[str, Asset] = {}

    def get(self, name: str) -> Asset:
        found = self._assets.get(name)
        if found is None:
            body = (self.root / name).read_bytes()
            found = Asset(
                body,
                gzip.compress(body, compresslevel=6, mtime=0),
                self.types[name],
                hashlib.sha256(body).hexdigest()[:16],
            )
            self._assets[name] = found
        return found

    def url(self, prefix: str, name: str) -> str:
        """`prefix/name?v=<hash>`: cached for good, replaced by the next build's URL."""
        return f"{prefix}/{name}?v={self.get(name).version}"

    async def handle(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.types:
            return json_error(404, "no such file", "NOT_FOUND")
        asset = self.get(name)
        etag = f'"{asset.version}"'
        versioned = request.query.get("v") == asset.version
        headers = {
            "ETag": etag,
            "Cache-Control": "public, max-age=31536000, immutable" if versioned else "no-cache",
            "X-Content-Type-Options": "nosniff",
            "Vary": "Accept-Encoding",
        }
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers=headers)
        body = asset.body
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            body, headers["Content-Encoding"] = asset.gzipped, "gzip"
        return web.Response(
            body=body, content_type=asset.content_type, charset="utf-8", headers=headers
        )


def page_headers(request: web.Request) -> dict[str, str]:
    """For a page that may hold a token: scripts and styles only from this server,
    connections only to it (HTTP and its WebSocket)."""
    sockets = f"ws://{request.host} wss://{request.host}"
    return {
        "Cache-Control": "no-store",
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"font-src 'self' data:; img-src 'self' data:; connect-src 'self' {sockets}; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


def is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
