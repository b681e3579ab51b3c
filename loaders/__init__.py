"""Per-request DataLoaders, one per (entity, key) and one per nested connection.

A `Loaders` is built fresh in `get_context` for every request, so a cache never
outlives the request that filled it and never crosses users: each batch function
is bound to the authenticated user's id and scopes its one statement by it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar
from uuid import UUID

import asyncpg
from strawberry.dataloader import DataLoader

from graph_api.errors import Unauthenticated
from graph_api.graph.cache import GraphCache
from graph_api.graph.network import Network
from graph_api.pagination import Page
from graph_api.search import nearest as search_nearest
from graph_api.search import profiles
from graph_api.search.memories import Hit
from graph_api.search.profiles import ContactHit
from loaders import briefing, by_id, documents, lists, memory_links, mentions, nearest, nested
from loaders.nearest import NearestKey
from loaders.nested import NestedKey

K = TypeVar("K")
V = TypeVar("V")


@dataclass
class Loaders:
    pool: asyncpg.Pool
    # None for an unauthenticated request: any load then fails before touching SQL
    user_id: UUID | None
    # the users' graphs; a Loaders looks at its user's once (`graph`), for the request's
    # resolvers and for loads ordered by computed strength
    graphs: GraphCache | None = None
    _network: asyncio.Task[Network] | None = field(default=None, init=False, repr=False)

    contacts: DataLoader[UUID, asyncpg.Record | None] = field(init=False)
    relationships: DataLoader[UUID, asyncpg.Record | None] = field(init=False)
    relationships_with_deleted: DataLoader[UUID, asyncpg.Record | None] = field(init=False)
    interactions: DataLoader[UUID, asyncpg.Record | None] = field(init=False)
    interests: DataLoader[UUID, asyncpg.Record | None] = field(init=False)
    memories: DataLoader[UUID, asyncpg.Record | None] = field(init=False)

    contact_interests: DataLoader[NestedKey, Page] = field(init=False)
    contact_memories: DataLoader[NestedKey, Page] = field(init=False)
    contact_interactions: DataLoader[NestedKey, Page] = field(init=False)
    contact_connections: DataLoader[NestedKey, Page] = field(init=False)
    memory_links: DataLoader[NestedKey, Page] = field(init=False)
    documents: DataLoader[UUID, asyncpg.Record | None] = field(init=False)
    document_chunks: DataLoader[UUID, asyncpg.Record | None] = field(init=False)
    document_chunk_pages: DataLoader[NestedKey, Page] = field(init=False)
    document_contacts: DataLoader[UUID, list[asyncpg.Record]] = field(init=False)
    memory_mentions: DataLoader[UUID, list[asyncpg.Record]] = field(init=False)
    interaction_mentions: DataLoader[UUID, list[asyncpg.Record]] = field(init=False)
    contact_mentions: DataLoader[NestedKey, Page] = field(init=False)
    unresolved_mentions: DataLoader[NestedKey, Page] = field(init=False)
    contact_open_notifications: DataLoader[UUID, list[asyncpg.Record]] = field(init=False)

    interaction_participants: DataLoader[UUID, list[asyncpg.Record]] = field(init=False)
    memory_sources: DataLoader[UUID, list[asyncpg.Record]] = field(init=False)
    shared_interaction_counts: DataLoader[tuple[UUID, UUID], int] = field(init=False)
    related_memories: DataLoader[NearestKey, list[Hit]] = field(init=False)
    similar_contacts: DataLoader[NearestKey, list[ContactHit]] = field(init=False)

    def __post_init__(self) -> None:
        pool = self.pool
        self.contacts = self._loader(partial(by_id.load_by_id, pool, by_id.CONTACTS_BY_ID))
        self.relationships = self._loader(
            partial(by_id.load_by_id, pool, by_id.RELATIONSHIPS_BY_ID)
        )
        self.relationships_with_deleted = self._loader(
            partial(by_id.load_by_id, pool, by_id.RELATIONSHIPS_WITH_DELETED_BY_ID)
        )
        self.interactions = self._loader(partial(by_id.load_by_id, pool, by_id.INTERACTIONS_BY_ID))
        self.interests = self._loader(partial(by_id.load_by_id, pool, by_id.INTERESTS_BY_ID))
        self.memories = self._loader(partial(by_id.load_by_id, pool, by_id.MEMORIES_BY_ID))

        self.contact_interests = self._loader(
            partial(nested.load_pages, pool, nested.CONTACT_INTERESTS)
        )
        self.contact_memories = self._loader(
            partial(nested.load_pages, pool, nested.CONTACT_MEMORIES)
        )
        self.contact_interactions = self._loader(
            partial(nested.load_pages, pool, nested.CONTACT_INTERACTIONS)
        )
        self.contact_connections = self._loader(
            partial(nested.load_connection_pages, pool, self.graph)
        )
        self.memory_links = self._loader(
            partial(nested.load_pages, pool, memory_links.MEMORY_LINKS)
        )
        self.documents = self._loader(partial(by_id.load_by_id, pool, documents.DOCUMENTS_BY_ID))
        self.document_chunks = self._loader(partial(by_id.load_by_id, pool, documents.CHUNKS_BY_ID))
        self.document_chunk_pages = self._loader(
            partial(nested.load_pages, pool, documents.DOCUMENT_CHUNKS)
        )
        self.document_contacts = self._loader(
            partial(lists.load_grouped, pool, documents.DOCUMENT_CONTACTS, "document_id")
        )
        self.memory_mentions = self._loader(
            partial(lists.load_grouped, pool, mentions.MEMORY_MENTIONS, "memory_id")
        )
        self.interaction_mentions = self._loader(
            partial(lists.load_grouped, pool, mentions.INTERACTION_MENTIONS, "interaction_id")
        )
        self.contact_mentions = self._loader(
            partial(nested.load_pages, pool, mentions.CONTACT_MENTIONS)
        )
        self.unresolved_mentions = self._loader(
            partial(nested.load_pages, pool, mentions.UNRESOLVED_MENTIONS)
        )
        self.contact_open_notifications = self._loader(
            partial(lists.load_grouped, pool, briefing.OPEN_NOTIFICATIONS, "contact_id")
        )

        self.interaction_participants = self._loader(
            partial(lists.load_grouped, pool, lists.PARTICIPANTS, "interaction_id")
        )
        self.memory_sources = self._loader(
            partial(lists.load_grouped, pool, lists.MEMORY_SOURCES, "memory_id")
        )
        self.shared_interaction_counts = self._loader(
            partial(lists.load_shared_interaction_counts, pool)
        )
        self.related_memories = self._loader(
            partial(nearest.load_nearest, pool, search_nearest.related_memories)
        )
        self.similar_contacts = self._loader(
            partial(nearest.load_nearest, pool, profiles.similar_contacts)
        )

    def _loader(
        self, batch: Callable[[UUID, Sequence[K]], Awaitable[Sequence[V]]]
    ) -> DataLoader[K, V]:
        """A DataLoader whose batch function receives the authenticated user's id."""

        async def load(keys: list[K]) -> Sequence[V]:
            if self.user_id is None:
                raise Unauthenticated("a bearer token is required")
            return await batch(self.user_id, keys)

        return DataLoader(load_fn=load)

    async def graph(self) -> Network:
        """The user's graph at its current version, looked up once (a write makes a
        new Loaders, so what follows it reads the new version)."""
        if self.user_id is None:
            raise Unauthenticated("a bearer token is required")
        assert self.graphs is not None, "Loaders(graphs=...) for anything that reads the graph"
        if self._network is None:
            self._network = asyncio.ensure_future(self.graphs.get(self.user_id))
        # shielded: a field cancelled beside a failing sibling must not cancel the
        # one look every other field of the request shares
        return await asyncio.shield(self._network)

    def prime_contact(self, row: asyncpg.Record) -> None:
        """Share a contact row already fetched (e.g. by a list query) with later loads."""
        self.contacts.prime(row["id"], row)


__all__ = ["Loaders", "NestedKey"]
