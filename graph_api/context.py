"""The per-request context: who is asking, with which pool and loaders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias
from uuid import UUID

import asyncpg
import strawberry
from aiohttp import web

from graph_api.accounts import Viewer
from graph_api.errors import ServiceUnavailable, Unauthenticated
from graph_api.graph.cache import GraphCache
from graph_api.graph.network import Network
from graph_api.live import LiveSession
from graph_api.search.background import PendingEmbedder
from graph_api.search.embeddings import EmbeddingProvider
from loaders import Loaders


@dataclass
class Context:
    request: web.Request
    pool: asyncpg.Pool
    request_id: str
    viewer: Viewer | None
    # why `viewer` is None: no header, a bad token, or the database being down
    auth_failure: Unauthenticated | ServiceUnavailable | None
    loaders: Loaders
    graphs: GraphCache
    embedder: EmbeddingProvider | None = None
    # the local model is still loading (the server answers meanwhile)
    embedder_loading: bool = False
    pending_embedder: PendingEmbedder | None = None
    introspection: bool = True
    # a subscription's (over the WebSocket): the feeds it reads from
    live: LiveSession | None = None

    @property
    def user(self) -> Viewer:
        """The authenticated user; every resolver that touches data starts here."""
        if self.viewer is None:
            raise self.auth_failure or Unauthenticated("a bearer token is required")
        return self.viewer

    @property
    def user_id(self) -> UUID:
        return self.user.id

    def after_write(self) -> None:
        """A mutation committed: later fields of the operation read afresh (a new
        graph version, rows that changed), never what this request cached before."""
        self.loaders = self.new_loaders()

    def new_loaders(self) -> Loaders:
        """Loaders with nothing cached, for the same user."""
        return Loaders(pool=self.pool, user_id=self.loaders.user_id, graphs=self.graphs)

    async def graph(self) -> Network:
        """The user's graph at its current version (checked once per request, and
        again after a write): the loaders' look, which every resolver shares."""
        self.user  # noqa: B018 - the caller's missing token, before any graph work
        return await self.loaders.graph()

    async def graph_with_metrics(self) -> Network:
        """The user's graph with its centrality ready to read (betweenness computed,
        or taken over from a graph of the same topology: GraphCache.ensure_metrics)."""
        network = await self.graph()
        await self.graphs.ensure_metrics(self.user_id, network)
        return network


Info: TypeAlias = strawberry.Info[Context, None]
