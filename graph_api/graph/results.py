"""What the graph's questions answer: plain, immutable values, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class PathResult:
    contacts: list[UUID]
    length: int  # hops
    weakest_link: float
    strengths: list[float]  # one per hop, in order


@dataclass(frozen=True)
class Mutual:
    contacts: list[UUID]  # by combined strength to a and b, strongest first
    count: int
    jaccard: float
    adamic_adar: float


@dataclass(frozen=True)
class CommunityResult:
    id: int
    members: list[UUID]
    size: int
    label: str | None


@dataclass(frozen=True, slots=True)
class Centrality:
    """Where a contact sits, without its community (key connectors need no Louvain)."""

    degree: int
    pagerank: float
    betweenness: float


@dataclass(frozen=True)
class ContactMetrics:
    degree: int
    pagerank: float
    betweenness: float
    community_id: int | None


@dataclass(frozen=True, slots=True)
class ColdTie:
    contact_id: UUID
    days_since_last_interaction: float
    expected_cadence_days: float
    strength: float  # the tie's score without its recency part


@dataclass(frozen=True)
class Suggestion:
    a: UUID
    b: UUID
    score: float  # Adamic–Adar
    mutual_count: int


@dataclass(frozen=True)
class Stats:
    contacts: int
    relationships: int
    density: float
    average_clustering: float
    communities: int
    average_strength: float


@dataclass(frozen=True, slots=True)
class Edge:
    """One contact↔contact tie as the graph holds it."""

    a: UUID
    b: UUID
    strength: float
    relationship_id: UUID  # every edge is a stored, live relationship row
    type: str
    source: str
    shared_count: int
