"""`duplicateCandidates`: people who are probably one, with the reasons; mergeContacts resolves them."""

from __future__ import annotations

from enum import Enum

import strawberry

from graph_api.context import Info
from graph_api.errors import InvalidInput
from graph_api.queries import duplicates as duplicate_queries
from graph_api.types.contact import Contact
from graph_api.types.graph import contacts_by_id

MAX_CANDIDATES = 100


@strawberry.enum
class DuplicateReasonKind(Enum):
    SAME_EMAIL = "SAME_EMAIL"
    SAME_PHONE = "SAME_PHONE"
    SIMILAR_NAME = "SIMILAR_NAME"
    SAME_COMPANY = "SAME_COMPANY"
    SIMILAR_PROFILE = strawberry.enum_value(
        "SIMILAR_PROFILE",
        description="Their profile embeddings are near (cosine ≥ 0.8); supporting evidence "
        "only, and absent while a profile is not embedded yet.",
    )


@strawberry.type
class DuplicateReason:
    kind: DuplicateReasonKind
    detail: str
    weight: float = strawberry.field(description="Its share of the evidence (see the score).")
    similarity: float | None = strawberry.field(
        default=None,
        description="For SIMILAR_NAME and SIMILAR_PROFILE: the names' similarity (rapidfuzz, "
        "0..1) or the profiles' cosine similarity; null for the exact keys.",
    )


@strawberry.type(description="Two contacts that are probably one person.")
class DuplicateCandidate:
    contacts: list[Contact] = strawberry.field(description="The pair.")
    score: float = strawberry.field(
        description="0..1: 1 − Π(1 − weight) over the reasons, halved when both have different emails."
    )
    reasons: list[DuplicateReason]


@strawberry.type
class DuplicateQuery:
    @strawberry.field(
        description="Pairs of contacts that are probably one person, most likely first (at most 100); "
        "resolve one with mergeContacts."
    )
    async def duplicate_candidates(self, info: Info, first: int = 20) -> list[DuplicateCandidate]:
        if not 1 <= first <= MAX_CANDIDATES:
            raise InvalidInput(f"`first` must be between 1 and {MAX_CANDIDATES}", field="first")
        found = await duplicate_queries.duplicate_candidates(
            info.context.pool, info.context.user_id, first
        )
        contacts = await contacts_by_id(info, {i for c in found for i in (c.a, c.b)})
        return [
            DuplicateCandidate(
                contacts=[contacts[candidate.a], contacts[candidate.b]],
                score=candidate.score,
                reasons=[
                    DuplicateReason(
                        kind=DuplicateReasonKind(r.kind),
                        detail=r.detail,
                        weight=r.weight,
                        similarity=r.similarity,
                    )
                    for r in candidate.reasons
                ],
            )
            for candidate in found
            if candidate.a in contacts and candidate.b in contacts
        ]
