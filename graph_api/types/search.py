"""searchMemories and Memory.related: finding memories by meaning and by words."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.domain.validation import optional_text, optional_timestamp
from graph_api.errors import InvalidInput, ServiceUnavailable
from graph_api.graph import service as graph_service
from graph_api.pagination import MAX_PAGE_SIZE, decode_cursor, encode_cursor
from graph_api.search import memories as search
from graph_api.search import profiles
from graph_api.search.embeddings import EmbeddingError
from graph_api.types.contact import Contact
from graph_api.types.enums import MemoryType
from graph_api.types.memory import Memory
from graph_api.types.node import decode_id
from graph_api.types.pages import PageInfo

MAX_QUERY_LENGTH = 2000
MAX_AROUND_HOPS = 3
MAX_FILTER_ITEMS = 50


@strawberry.enum(description="How `searchMemories` ranks.")
class SearchMode(Enum):
    SEMANTIC = "SEMANTIC"
    KEYWORD = "KEYWORD"
    HYBRID = "HYBRID"


@strawberry.input(
    description="Memories of the contacts within `hops` connections of a contact (itself included)."
)
class AroundContact:
    id: strawberry.ID
    hops: int = 1


@strawberry.input(description="Narrow a memory search; every condition given must hold.")
class MemoryFilter:
    contact_ids: list[strawberry.ID] | None = None
    types: list[MemoryType] | None = None
    tags: list[str] | None = strawberry.field(
        default=None, description="Memories carrying all of these tags."
    )
    created_after: datetime | None = strawberry.field(default=None, description="Inclusive.")
    created_before: datetime | None = strawberry.field(default=None, description="Exclusive.")
    around_contact: AroundContact | None = None


@strawberry.type
class MemorySearchEdge:
    cursor: str
    node: Memory
    score: float = strawberry.field(
        description="SEMANTIC: cosine similarity; KEYWORD: full-text rank; HYBRID: reciprocal rank fusion."
    )


@strawberry.type
class MemorySearchConnection:
    edges: list[MemorySearchEdge]
    page_info: PageInfo


@strawberry.type(description="A contact whose profile matches in meaning.")
class ContactSearchHit:
    contact: Contact
    score: float = strawberry.field(description="Cosine similarity of the profiles (or query).")


@strawberry.type(description="A memory near another in meaning.")
class RelatedMemory:
    memory: Memory
    score: float = strawberry.field(description="Cosine similarity.")


async def to_domain_filter(info: Info, given: MemoryFilter | None) -> search.MemoryFilter:
    if given is None:
        return search.MemoryFilter()
    contact_ids: set[UUID] | None = None
    if given.contact_ids is not None:
        if len(given.contact_ids) > MAX_FILTER_ITEMS:
            raise InvalidInput(f"at most {MAX_FILTER_ITEMS} contact ids", field="filter.contactIds")
        contact_ids = {
            decode_id(i, "Contact", field="filter.contactIds") for i in given.contact_ids
        }
    if given.around_contact is not None:
        around = given.around_contact
        if not 0 <= around.hops <= MAX_AROUND_HOPS:
            raise InvalidInput(
                f"`hops` must be between 0 and {MAX_AROUND_HOPS}", field="filter.aroundContact.hops"
            )
        centre = decode_id(around.id, "Contact", field="filter.aroundContact.id")
        network = await info.context.graph()
        graph_service.check_contact(network, centre, "filter.aroundContact.id")
        nearby = set(network.within_hops(centre, around.hops))
        contact_ids = nearby if contact_ids is None else contact_ids & nearby
    tags = tuple(
        tag.lower()
        for tag in (
            optional_text(t, field="filter.tags", max_length=MAX_QUERY_LENGTH)
            for t in given.tags or ()
        )
        if tag
    )
    if len(tags) > MAX_FILTER_ITEMS:
        raise InvalidInput(f"at most {MAX_FILTER_ITEMS} tags", field="filter.tags")
    return search.MemoryFilter(
        contact_ids=None if contact_ids is None else tuple(sorted(contact_ids)),
        types=tuple(t.value for t in given.types or ()),
        tags=tags,
        created_after=optional_timestamp(given.created_after, field="filter.createdAfter"),
        created_before=optional_timestamp(given.created_before, field="filter.createdBefore"),
    )


async def embed_query(info: Info, text: str) -> list[float]:
    embedder = info.context.embedder
    if embedder is None and info.context.embedder_loading:
        raise ServiceUnavailable("the embedding model is still loading; try again in a few seconds")
    if embedder is None:
        raise ServiceUnavailable("semantic search is not available (GRAPH_API_EMBEDDINGS=none)")
    try:
        [vector] = await embedder.embed([text])
    except EmbeddingError:
        raise ServiceUnavailable(
            "the embedding provider is unavailable; try KEYWORD mode"
        ) from None
    return vector


MAX_CONTACT_HITS = 50


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Contacts whose profile (name, role, company, place, bio, tags, interests) matches the "
        "query in meaning, best first (at most 50). Profiles are embedded in the background, within "
        "seconds of a change."
    )
    async def search_contacts(
        self, info: Info, query: str, first: int = 10
    ) -> list[ContactSearchHit]:
        user_id = info.context.user_id
        text = optional_text(query, field="query", max_length=MAX_QUERY_LENGTH)
        if text is None:
            raise InvalidInput("`query` must not be empty", field="query")
        if not 1 <= first <= MAX_CONTACT_HITS:
            raise InvalidInput(f"`first` must be between 1 and {MAX_CONTACT_HITS}", field="first")
        vector = await embed_query(info, text)
        hits = await profiles.search_contacts(info.context.pool, user_id, vector, first)
        return [
            ContactSearchHit(contact=Contact.from_row(hit.row), score=hit.score) for hit in hits
        ]

    @strawberry.field(
        description="Memories by meaning (SEMANTIC), by words (KEYWORD) or both fused (HYBRID, the default). "
        "Each mode ranks its best 200 candidates; pages end there. HYBRID falls back to KEYWORD while the "
        "embedding provider is down."
    )
    async def search_memories(
        self,
        info: Info,
        query: str,
        mode: SearchMode = SearchMode.HYBRID,
        first: int = 10,
        after: str | None = None,
        filter: MemoryFilter | None = None,
    ) -> MemorySearchConnection:
        user_id = info.context.user_id
        text = optional_text(query, field="query", max_length=MAX_QUERY_LENGTH)
        if text is None:
            raise InvalidInput("`query` must not be empty", field="query")
        if not 1 <= first <= MAX_PAGE_SIZE:
            raise InvalidInput(f"`first` must be between 1 and {MAX_PAGE_SIZE}", field="first")
        position = decode_cursor(search.CURSOR, after, "after") if after else None
        filters = await to_domain_filter(info, filter)
        chosen, vector = mode.value, None
        if chosen != "KEYWORD":
            try:
                vector = await embed_query(info, text)
            except ServiceUnavailable:
                if chosen == "SEMANTIC":
                    raise
                chosen = "KEYWORD"
        hits = await search.search_memories(
            info.context.pool,
            user_id,
            mode=chosen,
            query=text,
            vector=vector,
            filters=filters,
            limit=first + 1,
            after=position,  # type: ignore[arg-type]
        )
        more = len(hits) > first
        hits = hits[:first]
        edges = [
            MemorySearchEdge(
                cursor=encode_cursor(search.CURSOR, [hit.score, hit.row["id"]]),
                node=Memory.from_row(hit.row),
                score=hit.score,
            )
            for hit in hits
        ]
        return MemorySearchConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=more,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )
