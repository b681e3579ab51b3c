"""The app's embedding provider and background embedder, as one cleanup context.

Beside the app factory, not in `search/`: it reads the app's keys, and the search
layer below knows nothing of aiohttp apps.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg
from aiohttp import web

from graph_api.keys import LISTENER, POOL, SEARCH, SETTINGS
from graph_api.search.background import PendingEmbedder
from graph_api.search.embeddings import EmbeddingProvider
from graph_api.search.profiles import PROFILES_STALE
from graph_api.search.shared import local_provider_loaded, provider_for

logger = logging.getLogger("graph_api.search")


@dataclass
class SearchServices:
    """The embedding provider and the background embedder, once they are up.

    The local model takes seconds to load: the server answers meanwhile, saving
    memories as pending (embedded right after) and answering semantic searches with
    SERVICE_UNAVAILABLE. `ready` is set once loading has finished (or failed).
    """

    configured: bool
    embedder: EmbeddingProvider | None = None
    pending: PendingEmbedder | None = None
    owned: bool = False
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def start(
        self, provider: EmbeddingProvider | None, owned: bool, pool: asyncpg.Pool, retry: float
    ) -> None:
        self.embedder, self.owned = provider, owned
        if provider is not None:
            self.pending = PendingEmbedder(pool, provider, retry_seconds=retry)
            self.pending.start()
            self.pending.wake()  # whatever an earlier run left pending
        self.ready.set()

    async def stop(self) -> None:
        if self.pending is not None:
            await self.pending.stop()
        if self.embedder is not None and self.owned:
            await self.embedder.close()

    def on_profiles_stale(self, connection: object, pid: int, channel: str, payload: str) -> None:
        """Another process (the seed or import command) wrote a user's contacts."""
        try:
            user_id = UUID(payload)
        except ValueError:
            return
        if self.pending is not None:  # not yet: its first round looks at everyone
            self.pending.wake(profiles_of=user_id)

    def on_reconnect(self) -> None:
        """What was announced while the listener was away is lost: look at everyone."""
        if self.pending is not None:
            self.pending.wake()


async def search_ctx(app: web.Application) -> AsyncIterator[None]:
    """The embedding provider, and the task that embeds memories left pending.

    A remote provider is opened (and its dimensions checked) before serving, so a
    misconfiguration stops startup with one clear line; the local model loads in
    the background, so the server answers at once.
    """
    settings = app[SETTINGS]
    services = SearchServices(configured=settings.embeddings.provider != "none")
    app[SEARCH] = services
    await app[LISTENER].listen(PROFILES_STALE, services.on_profiles_stale)
    app[LISTENER].on_reconnect(services.on_reconnect)
    retry = settings.embed_retry_seconds
    loading: asyncio.Task[None] | None = None
    if settings.embeddings.provider == "local" and not local_provider_loaded():

        async def load() -> None:
            try:
                provider, owned = await provider_for(settings.embeddings)
            except Exception:
                logger.exception("the local embedding model did not load: keyword search only")
                services.ready.set()
                return
            services.start(provider, owned, app[POOL], retry)

        loading = asyncio.create_task(load())
    else:
        provider, owned = await provider_for(settings.embeddings)
        services.start(provider, owned, app[POOL], retry)
    try:
        yield
    finally:
        if loading is not None:
            loading.cancel()
            with suppress(asyncio.CancelledError):
                await loading
        await services.stop()
