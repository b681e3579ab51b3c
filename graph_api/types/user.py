"""The account that owns a network."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from graph_api.accounts import Viewer
from graph_api.context import Info
from graph_api.types.enums import ContactOrder
from graph_api.types.node import Node, global_id
from graph_api.types.pages import Connection

if TYPE_CHECKING:
    from graph_api.types.contact import Contact
    from graph_api.types.network_query import ContactFilter

ContactT = Annotated["Contact", strawberry.lazy("graph_api.types.contact")]
ContactFilterT = Annotated["ContactFilter", strawberry.lazy("graph_api.types.network_query")]


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
        filter: ContactFilterT | None = None,
        order_by: ContactOrder | None = ContactOrder.NAME_ASC,
    ) -> Connection[ContactT]:
        from graph_api.types.network_query import contacts_connection

        return await contacts_connection(info, first, after, last, before, filter, order_by)


@strawberry.type
class UserQuery:
    @strawberry.field(description="The authenticated user.")
    def me(self, info: Info) -> User:
        return User.from_viewer(info.context.user)
