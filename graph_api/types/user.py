"""The account that owns a network."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry
from strawberry import relay

from graph_api.accounts import Viewer
from graph_api.context import Info


@strawberry.type(description="The account that owns a network; `me` is the authenticated one.")
class User(relay.Node):
    id: relay.NodeID[str]
    email: str
    full_name: str | None

    @classmethod
    def from_viewer(cls, viewer: Viewer) -> User:
        return cls(id=str(viewer.id), email=viewer.email, full_name=viewer.full_name)

    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> Iterable[User | None]:
        # a user can see exactly one user: themselves
        me = info.context.user
        return [cls.from_viewer(me) if node_id == str(me.id) else None for node_id in node_ids]


@strawberry.type
class UserQuery:
    @strawberry.field(description="The authenticated user.")
    def me(self, info: Info) -> User:
        return User.from_viewer(info.context.user)
