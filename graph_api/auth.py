"""Who is asking: the bearer token of a request, checked against the database and
remembered for a few seconds.

A token's answer (its user, or "no such live token") is cached per process for
`TOKEN_CACHE_SECONDS`, so a busy client costs one lookup per window instead of one
per request. Revocation reaches every process at once through the `token_revoked`
notification (a trigger on `api_tokens`); the window bounds how long a revoked
token can live if that notification is lost (a listener reconnecting, say).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import asyncpg

from graph_api import accounts
from graph_api.db.errors import CONNECTION_ERRORS
from graph_api.errors import ServiceUnavailable, Unauthenticated

logger = logging.getLogger("graph_api")

TOKEN_CACHE_SECONDS = 5.0
TOKEN_CACHE_SIZE = 10_000
REVOKED_CHANNEL = "token_revoked"
MAX_HEADER_LENGTH = 256
UNREACHABLE_LOG_SECONDS = 10.0


@dataclass(frozen=True)
class Credentials:
    """What the Authorization header says, before any database work.

    `kind` is "none" (no header), "malformed" (not `Bearer <token>` of printable
    ASCII, or not one of our tokens' shapes) or "token".
    """

    kind: Literal["none", "malformed", "token"]
    token_hash: bytes = b""

    @classmethod
    def of(cls, header: str | None) -> Credentials:
        if not header:
            return cls("none")
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if (
            len(header) > MAX_HEADER_LENGTH
            or scheme.lower() != "bearer"
            or not token
            or not token.isascii()
            or not token.isprintable()
            or not token.startswith(accounts.TOKEN_PREFIX)
        ):
            return cls("malformed")
        return cls("token", accounts.hash_token(token))


MISSING = Unauthenticated("a bearer token is required: Authorization: Bearer <token>")
MALFORMED = Unauthenticated("the Authorization header must be 'Bearer <token>'")
INVALID = Unauthenticated("the bearer token is invalid or revoked")


class Authenticator:
    """Token → viewer, with a short per-process cache invalidated by NOTIFY."""

    def __init__(self, pool: asyncpg.Pool, ttl_seconds: float = TOKEN_CACHE_SECONDS) -> None:
        self._pool = pool
        self._ttl = ttl_seconds
        # token hash -> (viewer or None for "no live token", expiry on the monotonic clock)
        self._cache: OrderedDict[bytes, tuple[accounts.Viewer | None, float]] = OrderedDict()
        self.lookups = 0  # database lookups made (tests)
        self._generation = 0  # bumped by every revocation heard
        self._warned_at = -UNREACHABLE_LOG_SECONDS
        self._refused = 0
        # told of every token dropped (None: all of them), e.g. open WebSockets
        self._watchers: set[Callable[[bytes | None], None]] = set()

    def cached(self, credentials: Credentials) -> tuple[bool, accounts.Viewer | None]:
        """(known, viewer) from the cache alone: known is False when only the database can tell."""
        if credentials.kind != "token":
            return True, None
        hit = self._cache.get(credentials.token_hash)
        if hit is None or hit[1] < time.monotonic():
            return False, None
        return True, hit[0]

    async def viewer(
        self, credentials: Credentials
    ) -> tuple[accounts.Viewer | None, Unauthenticated | ServiceUnavailable | None]:
        if credentials.kind == "none":
            return None, MISSING
        if credentials.kind == "malformed":
            return None, MALFORMED
        known, viewer = self.cached(credentials)
        if not known:
            generation, started = self._generation, time.monotonic()
            try:
                self.lookups += 1
                viewer = await accounts.authenticate_hash(self._pool, credentials.token_hash)
            except CONNECTION_ERRORS:
                self._warn_unreachable()
                return None, ServiceUnavailable("the database is unavailable; try again shortly")
            except asyncpg.PostgresError:  # e.g. a statement timeout: never a 500
                logger.exception("authentication failed")
                return None, ServiceUnavailable("authentication is unavailable; try again shortly")
            # a revocation heard while we looked may predate what we read: keep nothing
            if generation == self._generation:
                self._remember(credentials.token_hash, viewer, started)
        return (viewer, None) if viewer is not None else (None, INVALID)

    def _warn_unreachable(self) -> None:
        # one line per outage window, not one per refused request
        now = time.monotonic()
        self._refused += 1
        if now - self._warned_at >= UNREACHABLE_LOG_SECONDS:
            logger.warning(
                "authentication failed: database unreachable (%d requests refused)", self._refused
            )
            self._warned_at, self._refused = now, 0

    def _remember(self, token_hash: bytes, viewer: accounts.Viewer | None, since: float) -> None:
        # the window counts from the lookup's start, not its end
        self._cache[token_hash] = (viewer, since + self._ttl)
        self._cache.move_to_end(token_hash)
        while len(self._cache) > TOKEN_CACHE_SIZE:
            self._cache.popitem(last=False)

    def forget(self, token_hash: bytes | None = None) -> None:
        """Drop one token's cached answer (all of them when None)."""
        self._generation += 1
        if token_hash is None:
            self._cache.clear()
        else:
            self._cache.pop(token_hash, None)
        for watcher in list(self._watchers):
            watcher(token_hash)

    def watch(self, watcher: Callable[[bytes | None], None]) -> None:
        """Call `watcher` with each token hash dropped (revoked somewhere), None for all."""
        self._watchers.add(watcher)

    def unwatch(self, watcher: Callable[[bytes | None], None]) -> None:
        self._watchers.discard(watcher)

    def on_notification(self, connection: object, pid: int, channel: str, payload: str) -> None:
        try:
            self.forget(bytes.fromhex(payload))
        except ValueError:
            self.forget()
