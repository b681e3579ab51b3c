"""Per-request DataLoaders, one per (entity, key) and one per nested connection.

A `Loaders` is built fresh in `get_context` for every request, so a cache never
outlives the request that filled it and never crosses users: each batch function
is bound to the authenticated user's id and scopes its one statement by it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
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

    # Built on first use (cached_property): a request builds only the loaders its
    # fields use; building all of them cost about a quarter of a by-id read's CPU.
    @cached_property
    def contacts(self) -> DataLoader[UUID, asyncpg.Record | None]:
        return self._loader(partial(by_id.load_by_id, self.pool, by_id.CONTACTS_BY_ID))

    @cached_property
    def relationships(self) -> DataLoader[UUID, asyncpg.Record | None]:
        return self._loader(partial(by_id.load_by_id, self.pool, by_id.RELATIONSHIPS_BY_ID))

    @cached_property
    def relationships_with_deleted(self) -> DataLoader[UUID, asyncpg.Record | None]:
        return self._loader(
            partial(by_id.load_by_id, self.pool, by_id.RELATIONSHIPS_WITH_DELETED_BY_ID)
        )

    @cached_property
    def interactions(self) -> DataLoader[UUID, asyncpg.Record | None]:
        return self._loader(partial(by_id.load_by_id, self.pool, by_id.INTERACTIONS_BY_ID))

    @cached_property
    def interests(self) -> DataLoader[UUID, asyncpg.Record | None]:
        return self._loader(partial(by_id.load_by_id, self.pool, by_id.INTERESTS_BY_ID))

    @cached_property
    def memories(self) -> DataLoader[UUID, asyncpg.Record | None]:
        return self._loader(partial(by_id.load_by_id, self.pool, by_id.MEMORIES_BY_ID))

    @cached_property
    def notifications(self) -> DataLoader[UUID, asyncpg.Record | None]:
        return self._loader(partial(by_id.load_by_id, self.pool, by_id.NOTIFICATIONS_BY_ID))

    @cached_property
    def contact_interests(self) -> DataLoader[NestedKey, Page]:
        return self._loader(partial(nested.load_pages, self.pool, nested.CONTACT_INTERESTS))

    @cached_property
    def contact_memories(self) -> DataLoader[NestedKey, Page]:
        return self._loader(partial(nested.load_pages, self.pool, nested.CONTACT_MEMORIES))

    @cached_property
    def contact_interactions(self) -> DataLoader[NestedKey, Page]:
        return self._loader(partial(nested.load_pages, self.pool, nested.CONTACT_INTERACTIONS))

    @cached_property
    def contact_connections(self) -> DataLoader[NestedKey, Page]:
        return self._loader(partial(nested.load_connection_pages, self.pool, self.graph))

    @cached_property
    def memory_links(self) -> DataLoader[NestedKey, Page]:
        return self._loader(partial(nested.load_pages, self.pool, memory_links.MEMORY_LINKS))

    @cached_property
    def documents(self) -> DataLoader[UUID, asyncpg.Record | None]:
        return self._loader(partial(by_id.load_by_id, self.pool, documents.DOCUMENTS_BY_ID))

    @cached_property
    def document_chunks(self) -> DataLoader[UUID, asyncpg.Record | None]:
        return self._loader(partial(by_id.load_by_id, self.pool, documents.CHUNKS_BY_ID))

    @cached_property
    def document_chunk_pages(self) -> DataLoader[NestedKey, Page]:
        return self._loader(partial(nested.load_pages, self.pool, documents.DOCUMENT_CHUNKS))

    @cached_property
    def document_contacts(self) -> DataLoader[UUID, list[asyncpg.Record]]:
        return self._loader(
            partial(lists.load_grouped, self.pool, documents.DOCUMENT_CONTACTS, "document_id")
        )

    @cached_property
    def memory_mentions(self) -> DataLoader[UUID, list[asyncpg.Record]]:
        return self._loader(
            partial(lists.load_grouped, self.pool, mentions.MEMORY_MENTIONS, "memory_id")
        )

    @cached_property
    def interaction_mentions(self) -> DataLoader[UUID, list[asyncpg.Record]]:
        return self._loader(
            partial(lists.load_grouped, self.pool, mentions.INTERACTION_MENTIONS, "interaction_id")
        )

    @cached_property
    def contact_mentions(self) -> DataLoader[NestedKey, Page]:
        return self._loader(partial(nested.load_pages, self.pool, mentions.CONTACT_MENTIONS))

    @cached_property
    def unresolved_mentions(self) -> DataLoader[NestedKey, Page]:
        return self._loader(partial(nested.load_pages, self.pool, mentions.UNRESOLVED_MENTIONS))

    @cached_property
    def contact_open_notifications(self) -> DataLoader[UUID, list[asyncpg.Record]]:
        return self._loader(
            partial(lists.load_grouped, self.pool, briefing.OPEN_NOTIFICATIONS, "contact_id")
        )

    @cached_property
    def interaction_participants(self) -> DataLoader[UUID, list[asyncpg.Record]]:
        return self._loader(
            partial(lists.load_grouped, self.pool, lists.PARTICIPANTS, "interaction_id")
        )

    @cached_property
    def memory_sources(self) -> DataLoader[UUID, list[asyncpg.Record]]:
        return self._loader(
            partial(lists.load_grouped, self.pool, lists.MEMORY_SOURCES, "memory_id")
        )

    @cached_property
    def consolidated_from(self) -> DataLoader[UUID, list[asyncpg.Record]]:
        return self._loader(
            partial(lists.load_grouped, self.pool, lists.CONSOLIDATED_FROM, "consolidated_into")
        )

    @cached_property
    def shared_interaction_counts(self) -> DataLoader[tuple[UUID, UUID], int]:
        return self._loader(partial(lists.load_shared_interaction_counts, self.pool))

    @cached_property
    def related_memories(self) -> DataLoader[NearestKey, list[Hit]]:
        return self._loader(
            partial(nearest.load_nearest, self.pool, search_nearest.related_memories)
        )

    @cached_property
    def similar_contacts(self) -> DataLoader[NearestKey, list[ContactHit]]:
        return self._loader(partial(nearest.load_nearest, self.pool, profiles.similar_contacts))

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
