"""The seed's rows: one tuple per row in each table's COPY column order, and the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Record = tuple[Any, ...]
ProgressCallback = Callable[[str, int, int], None]

# Column order of every record tuple in `Network`; also the COPY column lists.
# Generated and defaulted columns (memories.search_vector, embedding) are left out.
CONTACT_COLUMNS = (
    "user_id", "id", "full_name", "email", "phone", "company", "job_title", "location",
    "bio", "tags", "notes", "source", "last_interaction_at", "created_at", "updated_at",
)  # fmt: skip
RELATIONSHIP_COLUMNS = (
    "user_id", "id", "contact_a_id", "contact_b_id", "type", "manual_strength", "source",
    "detected_at", "created_at", "updated_at",
)  # fmt: skip
INTERACTION_COLUMNS = (
    "user_id", "id", "type", "direction", "subject", "content", "summary", "sentiment",
    "occurred_at", "duration_minutes", "created_at",
)  # fmt: skip
PARTICIPANT_COLUMNS = ("user_id", "interaction_id", "contact_id")
INTEREST_COLUMNS = (
    "user_id", "id", "contact_id", "category", "topic", "confidence", "evidence_count",
    "first_detected_at", "last_reinforced_at",
)  # fmt: skip
MEMORY_COLUMNS = (
    "user_id", "id", "contact_id", "type", "title", "content", "tags", "importance",
    "confidence", "created_at", "updated_at",
)  # fmt: skip
MEMORY_SOURCE_COLUMNS = ("user_id", "memory_id", "interaction_id")


@dataclass(frozen=True)
class Network:
    """Every generated row, per table, as tuples in the `*_COLUMNS` order."""

    contacts: list[Record]
    relationships: list[Record]
    interactions: list[Record]
    participants: list[Record]
    interests: list[Record]
    memories: list[Record]
    memory_sources: list[Record]

    def tables(self) -> list[tuple[str, tuple[str, ...], list[Record]]]:
        """(table, columns, rows) in foreign-key order: parents before children."""
        return [
            ("contacts", CONTACT_COLUMNS, self.contacts),
            ("relationships", RELATIONSHIP_COLUMNS, self.relationships),
            ("interactions", INTERACTION_COLUMNS, self.interactions),
            ("interaction_participants", PARTICIPANT_COLUMNS, self.participants),
            ("interests", INTEREST_COLUMNS, self.interests),
            ("memories", MEMORY_COLUMNS, self.memories),
            ("memory_sources", MEMORY_SOURCE_COLUMNS, self.memory_sources),
        ]


@dataclass(frozen=True)
class SeedReport:
    contacts: int
    relationships: int
    interactions: int
    participants: int
    interests: int
    memories: int
    seconds: float
