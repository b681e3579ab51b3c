"""The user's top-level lists: the contact and interaction filters and the contacts
connection, shared by `Query.contacts` and `User.contacts`."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graph_api.context import Info
from graph_api.domain.validation import number, optional_text, optional_timestamp
from graph_api.errors import InvalidInput
from graph_api.pagination import page_request
from graph_api.queries import contacts as contact_queries
from graph_api.queries import interactions as interaction_queries
from graph_api.types.contact import Contact
from graph_api.types.enums import ContactOrder, InteractionType
from graph_api.types.node import decode_id
from graph_api.types.pages import Connection

MAX_FILTER_TEXT = 200
# the most ids or tags one filter (contacts, interactions, searches) may list
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
    interest_min_confidence: float | None = strawberry.field(
        default=None,
        description="Contacts with an interest (in `interestTopic`, when given) whose effective "
        "confidence (Interest.effectiveConfidence: decayed since last reinforced) is at least "
        "this (0..1).",
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
            interest_min_confidence=number(
                self.interest_min_confidence,
                field="filter.interestMinConfidence",
                minimum=0.0,
                maximum=1.0,
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
