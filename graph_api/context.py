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
from loaders import Loaders


@dataclass
class Context:
    request: web.Request
    response: web.StreamResponse
    pool: asyncpg.Pool
    request_id: str
    viewer: Viewer | None
    # why `viewer` is None: no header, a bad token, or the database being down
    auth_failure: Unauthenticated | ServiceUnavailable | None
    loaders: Loaders
    introspection: bool = True

    @property
    def user(self) -> Viewer:
        """The authenticated user; every resolver that touches data starts here."""
        if self.viewer is None:
            raise self.auth_failure or Unauthenticated("a bearer token is required")
        return self.viewer

    @property
    def user_id(self) -> UUID:
        return self.user.id


Info: TypeAlias = strawberry.Info[Context, None]
