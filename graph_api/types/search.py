"""searchMemories and Memory.related: finding memories by meaning and by words."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.domain.validation import optional_text, optional_timestamp
from graph_api.errors import InvalidInput, ServiceUnavailable
from graph_api.graph import service as graph_service
from graph_api.pagination import MAX_PAGE_SIZE, decode_cursor, encode_cursor
from graph_api.search import chunks as source_search
from graph_api.search import memories as search
from graph_api.search import profiles
from graph_api.search.embeddings import EmbeddingError
from graph_api.types.contact import Contact
from graph_api.types.document import DocumentChunk
from graph_api.types.enums import MemoryType
from graph_api.types.interaction import Interaction
from graph_api.types.lists import MAX_FILTER_ITEMS
from graph_api.types.memory import Memory
from graph_api.types.node import decode_id
from graph_api.types.pages import PageInfo

MAX_QUERY_LENGTH = 2000
MAX_AROUND_HOPS = 3


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
    include_consolidated: bool = strawberry.field(
        default=False,
        description="Also memories that went into a consolidation summary (hidden by default).",
    )


@strawberry.type
class MemorySearchEdge:
    cursor: str
    node: Memory
    score: float = strawberry.field(
        description="SEMANTIC: cosine similarity; KEYWORD: full-text rank; HYBRID: reciprocal rank fusion."
    )
    match_score: float = strawberry.field(
        description="The score before any `boost` (what `minScore` is compared with); equal to "
        "`score` without a boost."
    )


@strawberry.input(
    description="Boost the rank by importance and recency: score = match × (1 + importance · "
    "importanceWeight + recency · recencyWeight), recency = 0.5 ^ (age in days / "
    "recencyHalfLifeDays); a document chunk's importance counts as 0.5. Weights 0..1 (0: no "
    "boost), so a boost reorders hits of similar match and cannot lift a weak one past a far "
    "better one."
)
class SearchBoost:
    importance_weight: float = 0.0
    recency_weight: float = 0.0
    recency_half_life_days: float = 30.0


@strawberry.enum(description="What `searchMemories` searches.")
class SearchSource(Enum):
    MEMORY = "MEMORY"
    DOCUMENT = "DOCUMENT"
    INTERACTION = "INTERACTION"


@strawberry.type(
    description="One hit of `searchMemories`, whatever its source: `memory`, `chunk` or "
    "`interaction` is set, as `source` says."
)
class SearchHit:
    cursor: str
    score: float = strawberry.field(description="As MemorySearchEdge.score, across every source.")
    match_score: float = strawberry.field(description="The score before any `boost`.")
    source: SearchSource
    memory: Memory | None
    chunk: DocumentChunk | None = strawberry.field(
        description="The passage that matched; its document, heading, position and offsets say "
        "where in the document it sits."
    )
    interaction: Interaction | None = strawberry.field(
        default=None,
        description="The interaction whose subject, summary or content matched (its "
        "participants, when and how it happened).",
    )


@strawberry.type
class MemorySearchConnection:
    edges: list[MemorySearchEdge] = strawberry.field(
        description="The page's memory hits (with `sources` beyond MEMORY, `hits` holds them all)."
    )
    page_info: PageInfo
    hits: list[SearchHit] = strawberry.field(
        description="Every hit of the page in rank order, memories and document chunks alike; "
        "`pageInfo` pages through these."
    )


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
        include_consolidated=given.include_consolidated,
    )


MAX_HALF_LIFE_DAYS = 36_500.0


def to_ranking(min_score: float | None, boost: SearchBoost | None) -> search.Ranking:
    from graph_api.domain.validation import number

    threshold = number(min_score, field="minScore", minimum=-1e9, maximum=1e9)
    if boost is None:
        return search.Ranking(min_score=threshold)
    importance = number(
        boost.importance_weight, field="boost.importanceWeight", minimum=0.0, maximum=1.0
    )
    recency = number(boost.recency_weight, field="boost.recencyWeight", minimum=0.0, maximum=1.0)
    half_life = number(
        boost.recency_half_life_days,
        field="boost.recencyHalfLifeDays",
        minimum=0.01,
        maximum=MAX_HALF_LIFE_DAYS,
    )
    return search.Ranking(
        min_score=threshold,
        importance_weight=importance or 0.0,
        recency_weight=recency or 0.0,
        half_life_days=half_life or 30.0,
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
        sources: Annotated[
            list[SearchSource] | None,
            strawberry.argument(
                description="What to search: MEMORY (the default, alone), DOCUMENT (document chunks), "
                "INTERACTION (interactions' subject, summary and content), or several, ranked "
                "together. Beyond MEMORY alone the scan is exact; filter.types narrows memories "
                "only, the other filters apply to a chunk through its document, and to an "
                "interaction through its participants and occurredAt (it has no tags: a search "
                "by tags finds none)."
            ),
        ] = None,
        min_score: Annotated[
            float | None,
            strawberry.argument(
                description="Drop hits whose match score (before any boost) is below this: cosine "
                "similarity for SEMANTIC, full-text rank for KEYWORD, the fused rank for HYBRID."
            ),
        ] = None,
        boost: SearchBoost | None = None,
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
        if sources is not None and not sources:
            raise InvalidInput("`sources` must name at least one source", field="sources")
        chosen_sources = frozenset(sources or [SearchSource.MEMORY])
        ranking = to_ranking(min_score, boost)
        if chosen_sources != {SearchSource.MEMORY}:
            return await search_several_sources(
                info, chosen_sources, chosen, text, vector, filters, first, after, position, ranking
            )
        hits = await search.search_memories(
            info.context.pool,
            user_id,
            mode=chosen,
            query=text,
            vector=vector,
            filters=filters,
            limit=first + 1,
            after=position,  # type: ignore[arg-type]
            ranking=ranking,
        )
        more = len(hits) > first
        hits = hits[:first]
        edges = [
            MemorySearchEdge(
                cursor=encode_cursor(search.CURSOR, [hit.score, hit.row["id"]]),
                node=Memory.from_row(hit.row),
                score=hit.score,
                match_score=hit.row["match_score"]
                if "match_score" in hit.row.keys()  # noqa: SIM118 - a Record's `in` tests values
                else hit.score,
            )
            for hit in hits
        ]
        return MemorySearchConnection(
            edges=edges,
            hits=[
                SearchHit(
                    cursor=e.cursor,
                    score=e.score,
                    match_score=e.match_score,
                    source=SearchSource.MEMORY,
                    memory=e.node,
                    chunk=None,
                )
                for e in edges
            ],
            page_info=PageInfo(
                has_next_page=more,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


SOURCE_NAMES = {
    SearchSource.MEMORY: source_search.MEMORY,
    SearchSource.DOCUMENT: source_search.CHUNK,
    SearchSource.INTERACTION: source_search.INTERACTION,
}


async def search_several_sources(
    info: Info,
    sources: frozenset[SearchSource],
    mode: str,
    text: str,
    vector: list[float] | None,
    filters: search.MemoryFilter,
    first: int,
    after: str | None,
    position: object,
    ranking: search.Ranking,
) -> MemorySearchConnection:
    names = frozenset(SOURCE_NAMES[s] for s in sources)
    found = await source_search.search_sources(
        info.context.pool,
        info.context.user_id,
        sources=names,
        mode=mode,
        query=text,
        vector=vector,
        filters=filters,
        limit=first + 1,
        after=position,  # type: ignore[arg-type]
        ranking=ranking,
    )
    more = len(found) > first
    found = found[:first]
    loaders = info.context.loaders
    # one statement per source for the whole page
    memory_rows = await loaders.memories.load_many(
        [h.id for h in found if h.source == source_search.MEMORY]
    )
    chunk_rows = await loaders.document_chunks.load_many(
        [h.id for h in found if h.source == source_search.CHUNK]
    )
    interaction_rows = await loaders.interactions.load_many(
        [h.id for h in found if h.source == source_search.INTERACTION]
    )
    rows = {
        row["id"]: row for row in [*memory_rows, *chunk_rows, *interaction_rows] if row is not None
    }
    hits, edges = [], []
    for hit in found:
        row = rows.get(hit.id)
        if row is None:  # deleted between the search and the load
            continue
        cursor = encode_cursor(search.CURSOR, [hit.score, hit.id])
        if hit.source == source_search.MEMORY:
            memory = Memory.from_row(row)
            edges.append(
                MemorySearchEdge(
                    cursor=cursor, node=memory, score=hit.score, match_score=hit.match_score
                )
            )
            hits.append(
                SearchHit(
                    cursor=cursor,
                    score=hit.score,
                    match_score=hit.match_score,
                    source=SearchSource.MEMORY,
                    memory=memory,
                    chunk=None,
                )
            )
        elif hit.source == source_search.INTERACTION:
            hits.append(
                SearchHit(
                    cursor=cursor,
                    score=hit.score,
                    match_score=hit.match_score,
                    source=SearchSource.INTERACTION,
                    memory=None,
                    chunk=None,
                    interaction=Interaction.from_row(row),
                )
            )
        else:
            chunk = DocumentChunk.from_row(row)
            hits.append(
                SearchHit(
                    cursor=cursor,
                    score=hit.score,
                    match_score=hit.match_score,
                    source=SearchSource.DOCUMENT,
                    memory=None,
                    chunk=chunk,
                )
            )
    return MemorySearchConnection(
        edges=edges,
        hits=hits,
        page_info=PageInfo(
            has_next_page=more,
            has_previous_page=after is not None,
            start_cursor=hits[0].cursor if hits else None,
            end_cursor=hits[-1].cursor if hits else None,
        ),
    )
