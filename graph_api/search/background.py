"""Embedding, in the background, the memories and interactions saved while the
provider was down (or imported without an embedding), document chunks (always
written pending: search/chunks.py), and contact profiles that are new or changed.

Woken right after a write that could not embed or that changed a profile, and
otherwise every `retry_seconds`; a failure leaves the work for the next round.
Pending memories are found through a partial index, so every round looks at all of
them, user by user (row-level security shows one tenant at a time; the users table
lists them); profiles are checked for the users whose writes woke the task (every
user's once at startup, and again after the provider failed).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from uuid import UUID

import asyncpg

from graph_api.db.pool import background_task
from graph_api.db.tenant import all_users
from graph_api.search.chunks import embed_pending_chunks
from graph_api.search.embeddings import EmbeddingError, EmbeddingProvider
from graph_api.search.interactions import embed_pending_interactions
from graph_api.search.profiles import embed_profiles
from graph_api.search.reembed import reembed

logger = logging.getLogger("graph_api.search")

INTERACTIONS_PER_ROUND = 64


class PendingEmbedder:
    def __init__(
        self, pool: asyncpg.Pool, provider: EmbeddingProvider, *, retry_seconds: float
    ) -> None:
        self._pool = pool
        self._provider = provider
        self._retry_seconds = retry_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.embedded = 0  # how many pending memories this process has embedded
        self.chunks = 0  # how many document chunks
        self.interactions = 0  # how many interactions
        self.profiles = 0  # how many contact profiles
        # whose work to look at next round; everyone's at startup and after a failure
        self._profiles_of: set[UUID] = set()
        self._all_profiles = True
        self._pending_of: set[UUID] = set()
        self._all_pending = True

    def start(self) -> None:
        self._task = background_task(self._run())

    def wake(self, profiles_of: UUID | None = None, pending_of: UUID | None = None) -> None:
        """A user's memory was saved without its embedding (`pending_of`), or a
        user's contact profiles changed (`profiles_of`): try soon, for that user.
        A wake naming no one looks at everyone's."""
        if profiles_of is not None:
            self._profiles_of.add(profiles_of)
        if pending_of is not None:
            self._pending_of.add(pending_of)
        if profiles_of is None and pending_of is None:
            self._all_pending = self._all_profiles = True
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self._retry_seconds)
            except TimeoutError:
                # every retry period, everyone's: memories written by another process
                # or the CLI wake no one here. O(users) statements, once a period
                self._all_pending = self._all_profiles = True
            self._wake.clear()
            # each on its own: a failure in one leaves the other to run
            await self._embed_pending()
            await self._embed_profiles()

    async def _embed_pending(self) -> None:
        users, self._pending_of = self._pending_of, set()
        everyone, self._all_pending = self._all_pending, False
        try:
            done = chunks = logged = 0
            pool, provider = self._pool, self._provider
            if users:  # the users whose writes woke us first
                done += await reembed(pool, provider, pending_only=True, user_ids=users)
                chunks += await embed_pending_chunks(pool, provider, user_ids=users)
                # a backlog of interactions (an import, a seeded network, a new
                # migration) goes a batch a round, so memories written meanwhile wait
                # for one batch at most, not for the whole backlog
                stored, more = await embed_pending_interactions(
                    pool, provider, user_ids=users, limit=INTERACTIONS_PER_ROUND
                )
                logged += stored
                if more:  # the rest in the next rounds, as everyone's
                    self._all_pending = True
                    self._wake.set()
            if everyone:
                done += await reembed(pool, provider, pending_only=True)
                chunks += await embed_pending_chunks(pool, provider)
                stored, more = await embed_pending_interactions(
                    pool, provider, limit=INTERACTIONS_PER_ROUND
                )
                logged += stored
                if more:
                    self._all_pending = True
                    self._wake.set()
            self.embedded += done
            self.chunks += chunks
            self.interactions += logged
            if done or chunks or logged:
                logger.info(
                    "embedded %d pending memories, %d document chunks and %d interactions",
                    done,
                    chunks,
                    logged,
                )
        except Exception as error:
            if isinstance(error, EmbeddingError):
                logger.warning("pending memories stay pending: %s", error)
            else:
                logger.exception("embedding pending memories failed")
            self._all_pending = True  # what was left: look at everyone next round

    async def _embed_profiles(self) -> None:
        everyone, self._all_profiles = self._all_profiles, False
        try:
            await self._woken_profiles()
            if everyone:
                # user by user, serving anyone whose write wakes us meanwhile first:
                # a pass over every tenant may take long, they are waiting now
                for user_id in await all_users(self._pool):
                    self.profiles += await embed_profiles(
                        self._pool, self._provider, user_id=user_id
                    )
                    await self._woken_profiles()
        except Exception as error:
            if isinstance(error, EmbeddingError):
                logger.warning("contact profiles stay stale: %s", error)
            else:
                logger.exception("embedding contact profiles failed")
            self._all_profiles = True  # whatever was left: look at everyone next round

    async def _woken_profiles(self) -> None:
        while self._profiles_of:
            users, self._profiles_of = self._profiles_of, set()
            for user_id in users:
                self.profiles += await embed_profiles(self._pool, self._provider, user_id=user_id)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
