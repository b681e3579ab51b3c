"""Query fields that read the network: node lookups and the top-level lists."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.domain.validation import number, optional_text, optional_timestamp
from graph_api.errors import InvalidInput, NotFound
from graph_api.pagination import page_request
from graph_api.queries import contacts as contact_queries
from graph_api.queries import interactions as interaction_queries
from graph_api.types.contact import Contact
from graph_api.types.enums import ContactOrder, InteractionType
from graph_api.types.interaction import Interaction
from graph_api.types.interest import Interest
from graph_api.types.memory import Memory
from graph_api.types.node import Node, decode_id, parse_global_id
from graph_api.types.pages import Connection
from graph_api.types.relationship import Relationship
from graph_api.types.user import User

MAX_NODES = 100
MAX_FILTER_TEXT = 200
MAX_FILTER_ITEMS = 50


@strawberry.input(description="Narrow `contacts`; every condition given must hold.")
class ContactFilter:
    search: str | None = strawberry.field(
        default=None, description="Part of the name, email or company; case-insensitive."
    )
    company: str | None = strawberry.field(
        default=None, description="Exact company name; case-insensitive."
    )
    tags: list[str] | None = strawberry.field(
        default=None, description="Contacts carrying all of these tags."
    )
    interest_topic: str | None = strawberry.field(
        default=None, description="Contacts with an interest in this topic."
    )
    include_archived: bool = strawberry.field(
        default=False, description="Include archived contacts."
    )
    min_strength: float | None = strawberry.field(
        default=None, description="Contacts whose tie to the user scores at least this (0..1)."
    )

    def to_domain(self) -> contact_queries.ContactFilter:
        tags = tuple(
            tag.lower()
            for tag in (
                optional_text(t, field="filter.tags", max_length=MAX_FILTER_TEXT)
                for t in self.tags or ()
            )
            if tag
        )
        if len(tags) > MAX_FILTER_ITEMS:
            raise InvalidInput(f"at most {MAX_FILTER_ITEMS} tags", field="filter.tags")
        return contact_queries.ContactFilter(
            search=optional_text(self.search, field="filter.search", max_length=MAX_FILTER_TEXT),
            company=optional_text(self.company, field="filter.company", max_length=MAX_FILTER_TEXT),
            tags=tags,
            interest_topic=optional_text(
                self.interest_topic, field="filter.interestTopic", max_length=MAX_FILTER_TEXT
            ),
            include_archived=self.include_archived,
            min_strength=number(
                self.min_strength, field="filter.minStrength", minimum=0.0, maximum=1.0
            ),
        )


@strawberry.input(description="Narrow `interactions`; every condition given must hold.")
class InteractionFilter:
    contact_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Interactions with any of these contacts."
    )
    types: list[InteractionType] | None = None
    occurred_after: datetime | None = strawberry.field(default=None, description="Inclusive.")
    occurred_before: datetime | None = strawberry.field(default=None, description="Exclusive.")

    def to_domain(self) -> interaction_queries.InteractionFilter:
        ids = self.contact_ids or []
        if len(ids) > MAX_FILTER_ITEMS:
            raise InvalidInput(f"at most {MAX_FILTER_ITEMS} contact ids", field="filter.contactIds")
        return interaction_queries.InteractionFilter(
            contact_ids=tuple(decode_id(i, "Contact", field="filter.contactIds") for i in ids),
            types=tuple(t.value for t in self.types or ()),
            occurred_after=optional_timestamp(self.occurred_after, field="filter.occurredAfter"),
            occurred_before=optional_timestamp(self.occurred_before, field="filter.occurredBefore"),
        )


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


async def contacts_connection(
    info: Info,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    filter: ContactFilter | None,
    order_by: ContactOrder | None,
) -> Connection[Contact]:
    order_by = order_by or ContactOrder.NAME_ASC
    user_id = info.context.user_id
    keyset = contact_queries.ORDERS[order_by.value]
    request = page_request(keyset, first=first, after=after, last=last, before=before)
    filters = filter.to_domain() if filter else contact_queries.ContactFilter()
    pool, loaders = info.context.pool, info.context.loaders
    scores = None
    if contact_queries.needs_strength(filters, order_by.value):
        scores = (await info.context.graph()).tie_scores()
    page = await contact_queries.contacts_page(
        pool, user_id, filters, order_by.value, request, scores
    )
    for row in page.rows:
        loaders.prime_contact(row)
    return Connection.build(
        page,
        Contact.from_row,
        lambda: contact_queries.count_contacts(pool, user_id, filters, scores),
    )


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
        user_id = info.context.user_id
        request = page_request(
            interaction_queries.RECENT,
            first=first,
            after=after,
            last=last,
            before=before,
        )
        filters = filter.to_domain() if filter else interaction_queries.InteractionFilter()
        pool = info.context.pool
        page = await interaction_queries.interactions_page(pool, user_id, filters, request)
        return Connection.build(
            page,
            Interaction.from_row,
            lambda: interaction_queries.count_interactions(pool, user_id, filters),
        )
