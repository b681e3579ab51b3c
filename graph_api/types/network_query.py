"""Query fields that read the network: node lookups and the top-level lists (whose
filters and contacts connection live in `lists.py`, shared with `User.contacts`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.errors import InvalidInput, NotFound
from graph_api.queries import interactions as interaction_queries
from graph_api.types.contact import Contact
from graph_api.types.document import Document, DocumentChunk
from graph_api.types.enums import ContactOrder
from graph_api.types.interaction import Interaction
from graph_api.types.interest import Interest
from graph_api.types.lists import ContactFilter, InteractionFilter, contacts_connection
from graph_api.types.memory import Memory
from graph_api.types.node import Node, decode_id, parse_global_id
from graph_api.types.pages import Connection, top_level_connection
from graph_api.types.relationship import Relationship
from graph_api.types.user import User

MAX_NODES = 100


NodeBuilder = Callable[[Info, UUID], Awaitable[Node | None]]


def _loaded(loader_name: str, build: Callable[[Any], Node]) -> NodeBuilder:
    async def load(info: Info, row_id: UUID) -> Node | None:
        row = await getattr(info.context.loaders, loader_name).load(row_id)
        return None if row is None else build(row)

    return load


async def _user(info: Info, row_id: UUID) -> Node | None:
    me = info.context.user
    return User.from_viewer(me) if me.id == row_id else None


NODE_TYPES: dict[str, NodeBuilder] = {
    "Contact": _loaded("contacts", Contact.from_row),
    "Relationship": _loaded("relationships", Relationship.from_row),
    "Interaction": _loaded("interactions", Interaction.from_row),
    "Interest": _loaded("interests", Interest.from_row),
    "Memory": _loaded("memories", Memory.from_row),
    "Document": _loaded("documents", Document.from_row),
    "DocumentChunk": _loaded("document_chunks", DocumentChunk.from_row),
    "User": _user,
}


async def resolve_node(info: Info, node_id: str) -> Node:
    info.context.user  # noqa: B018 - unauthenticated requests fail before any lookup
    parsed = parse_global_id(node_id)
    builder = NODE_TYPES.get(parsed[0]) if parsed else None
    node = await builder(info, parsed[1]) if builder and parsed else None
    if node is None:
        raise NotFound("no object with this ID", field="id")
    return node


@strawberry.type
class NetworkQuery:
    @strawberry.field(
        description="Any object by its global ID. Unknown, malformed or other users' IDs: null with a NOT_FOUND error."
    )
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(
        description="Objects by global ID, in order; null (with a NOT_FOUND error) for each one not found. At most 100."
    )
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise InvalidInput(f"at most {MAX_NODES} ids", field="ids")
        # gathered, so the loaders batch: one statement per type, not one per ID
        found: list[Any] = await asyncio.gather(
            *(resolve_node(info, node_id) for node_id in ids), return_exceptions=True
        )
        for result in found:
            if isinstance(result, BaseException) and not isinstance(result, NotFound):
                raise result
        # a NotFound stays in its place: graphql-core reports it at that list index
        return found

    @strawberry.field(
        description="A contact by ID. Unknown, malformed or other users' IDs: null with a NOT_FOUND error."
    )
    async def contact(self, info: Info, id: strawberry.ID) -> Contact | None:
        row = await info.context.loaders.contacts.load(decode_id(id, "Contact", field="id"))
        if row is None:
            raise NotFound("Contact not found", field="id")
        return Contact.from_row(row)

    @strawberry.field(description="The user's contacts; archived ones only when the filter asks.")
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

    @strawberry.field(description="The user's interactions, most recent first.")
    async def interactions(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: InteractionFilter | None = None,
    ) -> Connection[Interaction]:
        filters = filter.to_domain() if filter else interaction_queries.InteractionFilter()
        return await top_level_connection(
            info,
            interaction_queries.RECENT,
            first=first,
            after=after,
            last=last,
            before=before,
            page=lambda pool, user_id, request: interaction_queries.interactions_page(
                pool, user_id, filters, request
            ),
            count=lambda pool, user_id: interaction_queries.count_interactions(
                pool, user_id, filters
            ),
            node=Interaction.from_row,
        )
