"""Answers about the shape of the network: strength, mutual connections, paths,
communities, key connectors, going cold, suggestions, statistics."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry

from graph_api.context import Info
from graph_api.graph import service
from graph_api.graph.results import Mutual, PathResult
from graph_api.graph.strength import TieStrength as TieStrengthResult
from graph_api.types.contact import Contact
from graph_api.types.node import contact_id

# a community's members per page: by default, and the most one page may ask for
DEFAULT_MEMBERS = 50
MAX_MEMBERS = 1000


async def load_contacts(info: Info, ids: Iterable[UUID]) -> list[Contact]:
    """Contacts in the order given (one batched statement); vanished ones are skipped."""
    rows = await info.context.loaders.contacts.load_many(list(ids))
    return [Contact.from_row(row) for row in rows if row is not None]


async def contacts_by_id(info: Info, ids: Iterable[UUID]) -> dict[UUID, Contact]:
    return {contact.row_id: contact for contact in await load_contacts(info, ids)}


@strawberry.type(
    description="The user's tie to a contact, explained. See docs/graph.md for the formulas."
)
class TieStrength:
    score: float = strawberry.field(
        description="0..1: the weighted mix of recency, frequency and reciprocity."
    )
    recency: float = strawberry.field(
        description="0..1: half-life decay since the last interaction."
    )
    frequency: float = strawberry.field(
        description="0..1: time-decayed, type-weighted interaction count."
    )
    reciprocity: float = strawberry.field(
        description="0..1: balance of inbound and outbound interactions."
    )
    interaction_count: int
    last_interaction_at: datetime | None

    @classmethod
    def from_result(cls, tie: TieStrengthResult) -> TieStrength:
        return cls(
            score=tie.score,
            recency=tie.recency,
            frequency=tie.frequency,
            reciprocity=tie.reciprocity,
            interaction_count=tie.interaction_count,
            last_interaction_at=tie.last_interaction_at,
        )


@strawberry.type(description="Contacts two people both know.")
class MutualConnections:
    count: int
    jaccard: float = strawberry.field(
        description="Shared neighbours over all neighbours of either, 0..1."
    )
    adamic_adar: float = strawberry.field(
        description="Shared neighbours weighted by 1/log(their degree)."
    )
    contact_ids: strawberry.Private[list[UUID]]

    @classmethod
    def from_result(cls, mutual: Mutual) -> MutualConnections:
        return cls(
            count=mutual.count,
            jaccard=mutual.jaccard,
            adamic_adar=mutual.adamic_adar,
            contact_ids=mutual.contacts,
        )

    @strawberry.field(
        description="The shared contacts, strongest tie to both first (at most `first`)."
    )
    async def contacts(self, info: Info) -> list[Contact]:
        return await load_contacts(info, self.contact_ids)


@strawberry.type(description="A path through the network.")
class Path:
    length: int = strawberry.field(description="Hops.")
    weakest_link: float = strawberry.field(description="The smallest strength along the path.")
    strengths: list[float] = strawberry.field(description="The strength of each hop, in order.")
    contact_ids: strawberry.Private[list[UUID]]

    @classmethod
    def from_result(cls, path: PathResult) -> Path:
        return cls(
            length=path.length,
            weakest_link=path.weakest_link,
            strengths=path.strengths,
            contact_ids=path.contacts,
        )

    @strawberry.field(description="The contacts along the path, in order.")
    async def contacts(self, info: Info) -> list[Contact]:
        return await load_contacts(info, self.contact_ids)


@strawberry.type(
    description="A densely connected group (Louvain, fixed seed: the same graph gives the same communities)."
)
class Community:
    id: int
    size: int
    modularity: float = strawberry.field(description="The modularity of the whole partition.")
    label: str | None = strawberry.field(
        description="The most common company among members, else interest."
    )
    member_ids: strawberry.Private[list[UUID]]

    @strawberry.field(description=f"Members (at most `first`, default {DEFAULT_MEMBERS}).")
    async def members(self, info: Info, first: int = DEFAULT_MEMBERS) -> list[Contact]:
        service.check_first(first, maximum=MAX_MEMBERS)
        return await load_contacts(info, self.member_ids[:first])


@strawberry.type(description="Where a contact sits in the network.")
class ContactMetrics:
    degree: int
    pagerank: float
    betweenness: float = strawberry.field(
        description="Normalised betweenness; estimated from a fixed sample of 500 sources when the graph has more than 1,000 contacts."
    )
    community_id: int | None
    computed_at: datetime


@strawberry.type
class ContactScore:
    contact: Contact
    betweenness: float = strawberry.field(description="Sampled on graphs over 1,000 contacts.")
    pagerank: float
    degree: int


@strawberry.type(description="A strong tie whose usual cadence has lapsed.")
class ColdContact:
    contact: Contact
    days_since_last_interaction: float
    expected_cadence_days: float = strawberry.field(
        description="The usual gap between interactions (median)."
    )
    strength: float


@strawberry.type(description="Two contacts who are not connected but probably should be.")
class SuggestedConnection:
    a: Contact
    b: Contact
    score: float = strawberry.field(description="Adamic–Adar index.")
    mutual_count: int


@strawberry.type
class NetworkStats:
    contacts: int
    relationships: int
    density: float
    average_clustering: float
    communities: int
    average_strength: float
    computed_at: datetime


@strawberry.type
class GraphQuery:
    @strawberry.field(description="Contacts both `a` and `b` are connected to.")
    async def mutual_connections(
        self, info: Info, a: strawberry.ID, b: strawberry.ID, first: int = 50
    ) -> MutualConnections:
        network = await info.context.graph()
        mutual = service.mutual_connections(
            network, contact_id(a, "a"), contact_id(b, "b"), first, ("a", "b")
        )
        return MutualConnections.from_result(mutual)

    @strawberry.field(
        description="The fewest-hops path between two contacts (ties broken by the strongest weakest link); null when none within `maxHops` (1..6)."
    )
    async def shortest_path(
        self,
        info: Info,
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
        max_hops: int = 6,
    ) -> Path | None:
        network = await info.context.graph()
        path = service.shortest_path(
            network, contact_id(from_, "from"), contact_id(to, "to"), max_hops
        )
        return None if path is None else Path.from_result(path)

    @strawberry.field(
        description="Ways for the user to reach a contact through people they know (2..`maxHops` hops, at most 5), best first: ranked by the weakest link, the user's own tie to the first introducer included."
    )
    async def introduction_paths(
        self, info: Info, to: strawberry.ID, max_hops: int = 3, first: int = 3
    ) -> list[Path]:
        network = await info.context.graph()
        paths = await service.introduction_paths(network, contact_id(to, "to"), max_hops, first)
        return [Path.from_result(path) for path in paths]

    @strawberry.field(
        description="Communities of the contact graph (the user is left out), largest first."
    )
    async def communities(self, info: Info) -> list[Community]:
        network = await info.context.graph()
        found, modularity = await service.communities(network)
        return [
            Community(
                id=c.id, size=c.size, modularity=modularity, label=c.label, member_ids=c.members
            )
            for c in found
        ]

    @strawberry.field(
        description="Contacts who bridge the network, by betweenness (estimated from a fixed sample of 500 sources on graphs over 1,000 contacts), then PageRank."
    )
    async def key_connectors(self, info: Info, first: int = 10) -> list[ContactScore]:
        network = await info.context.graph_with_metrics()
        ranked = await service.key_connectors(network, first)
        contacts = await contacts_by_id(info, (cid for cid, _ in ranked))
        return [
            ContactScore(
                contact=contacts[cid],
                betweenness=m.betweenness,
                pagerank=m.pagerank,
                degree=m.degree,
            )
            for cid, m in ranked
            if cid in contacts
        ]

    @strawberry.field(
        description="Strong ties whose time since the last interaction exceeds a multiple of their usual cadence."
    )
    async def going_cold(self, info: Info, first: int = 10) -> list[ColdContact]:
        network = await info.context.graph()
        cold = await service.going_cold(network, first)
        contacts = await contacts_by_id(info, (t.contact_id for t in cold))
        return [
            ColdContact(
                contact=contacts[t.contact_id],
                days_since_last_interaction=t.days_since_last_interaction,
                expected_cadence_days=t.expected_cadence_days,
                strength=t.strength,
            )
            for t in cold
            if t.contact_id in contacts
        ]

    @strawberry.field(
        description="Pairs of contacts who are not connected, ranked by Adamic–Adar over their mutual connections."
    )
    async def suggested_connections(self, info: Info, first: int = 10) -> list[SuggestedConnection]:
        network = await info.context.graph()
        suggestions = await service.suggested_connections(network, first)
        contacts = await contacts_by_id(info, (i for s in suggestions for i in (s.a, s.b)))
        return [
            SuggestedConnection(
                a=contacts[s.a], b=contacts[s.b], score=s.score, mutual_count=s.mutual_count
            )
            for s in suggestions
            if s.a in contacts and s.b in contacts
        ]

    @strawberry.field(description="Size and shape of the network.")
    async def network_stats(self, info: Info) -> NetworkStats:
        network = await info.context.graph()
        stats = await service.stats(network)
        return NetworkStats(
            contacts=stats.contacts,
            relationships=stats.relationships,
            density=stats.density,
            average_clustering=stats.average_clustering,
            communities=stats.communities,
            average_strength=stats.average_strength,
            computed_at=network.computed_at,
        )
