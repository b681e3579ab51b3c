"""Enumerations; each value is the lowercase string stored in the database."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class RelationshipType(Enum):
    COLLEAGUE = "colleague"
    FRIEND = "friend"
    FAMILY = "family"
    CLIENT = "client"
    VENDOR = "vendor"
    MENTOR = "mentor"
    ACQUAINTANCE = "acquaintance"
    OTHER = "other"


@strawberry.enum(
    description="MANUAL: entered by a person; INFERRED: derived from shared interactions."
)
class RelationshipSource(Enum):
    MANUAL = "manual"
    INFERRED = "inferred"


@strawberry.enum
class InteractionType(Enum):
    EMAIL = "email"
    MEETING = "meeting"
    CALL = "call"
    MESSAGE = "message"
    OTHER = "other"


@strawberry.enum(description="From the user's point of view.")
class Direction(Enum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    MUTUAL = "mutual"


@strawberry.enum
class MemoryType(Enum):
    NOTE = "note"
    SUMMARY = "summary"
    INSIGHT = "insight"
    BRIEFING = "briefing"
    TALKING_POINT = "talking_point"


@strawberry.enum(description="Whether a memory has its embedding for semantic search yet.")
class EmbeddingStatus(Enum):
    EMBEDDED = "embedded"
    PENDING = "pending"


@strawberry.enum(
    description="Orders for `contacts`; every order ends with the id, so it is stable."
)
class ContactOrder(Enum):
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"
    LAST_INTERACTION_DESC = "LAST_INTERACTION_DESC"
    CREATED_ASC = "CREATED_ASC"
    CREATED_DESC = "CREATED_DESC"
    STRENGTH_DESC = "STRENGTH_DESC"
