"""The account that owns a network."""

from __future__ import annotations

import strawberry

from graph_api.accounts import Viewer
from graph_api.context import Info
from graph_api.types.contact import Contact
from graph_api.types.enums import ContactOrder
from graph_api.types.lists import ContactFilter, contacts_connection
from graph_api.types.node import Node, global_id
from graph_api.types.pages import Connection


@strawberry.type(description="The account that owns a network; `me` is the authenticated one.")
class User(Node):
    id: strawberry.ID
    email: str
    full_name: str | None

    @classmethod
    def from_viewer(cls, viewer: Viewer) -> User:
        return cls(id=global_id("User", viewer.id), email=viewer.email, full_name=viewer.full_name)

    @strawberry.field(description="The user's contacts: the same list as `Query.contacts`.")
    async def contacts(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ContactFilter | None = None,
        order_by: ContactOrder | None = ContactOrder.NAME_ASC,
    ) -> Connection[Contact]:
        return await contacts_connection(info, first, after, last, before, filter, order_by)


@strawberry.type
class UserQuery:
    @strawberry.field(description="The authenticated user.")
    def me(self, info: Info) -> User:
        return User.from_viewer(info.context.user)
