"""The column lists each GraphQL type is built from, shared by every statement
that returns that type (so `from_row` always finds what it needs): the loaders',
the list queries' and search's, which is why they live below all three."""

from collections.abc import Mapping
from typing import Any

CONTACT_NAMES = (
    "id", "full_name", "email", "phone", "company", "job_title", "location", "bio",
    "tags", "notes", "source", "archived_at", "last_interaction_at", "created_at", "updated_at",
    "birthday", "follow_up_at", "follow_up_note",
)  # fmt: skip

CONTACT = ", ".join(f"c.{name}" for name in CONTACT_NAMES)

# the other end of a relationship, joined as `o`, beside the relationship's own columns
OTHER_CONTACT = ", ".join(f"o.{name} as other_{name}" for name in CONTACT_NAMES)


def other_contact(row: Mapping[str, Any]) -> dict[str, Any]:
    """The `other_*` columns of a row as a contact row."""
    return {name: row[f"other_{name}"] for name in CONTACT_NAMES}


RELATIONSHIP = """r.id, r.contact_a_id, r.contact_b_id, r.type, r.manual_strength, r.source,
    r.detected_at, r.created_at, r.updated_at"""

INTERACTION = """n.id, n.type, n.direction, n.subject, n.content, n.summary, n.sentiment,
    n.occurred_at, n.duration_minutes, n.created_at, n.embedding_model,
    n.embedding is not null as embedded"""

INTEREST = """i.id, i.contact_id, i.category, i.topic, i.confidence, i.evidence_count,
    i.first_detected_at, i.last_reinforced_at"""

# an interest's effective confidence, what lists order and filters compare (migration 0070;
# the same number as Interest.effectiveConfidence, by the same per-day clock)
EFFECTIVE_CONFIDENCE = "interest_effective_confidence(i.confidence, i.last_reinforced_at)"

# a memory past its `expires_at` is gone for every read (purge deletes it later)
UNEXPIRED_MEMORY = "(m.expires_at is null or m.expires_at > now())"

MEMORY = """m.id, m.contact_id, m.type, m.title, m.content, m.tags, m.importance, m.confidence,
    m.embedding_model, m.embedding is not null as embedded, m.expires_at, m.created_at, m.updated_at,
    m.consolidated_into"""

DOCUMENT = """d.id, d.title, d.type, d.content, d.tags, d.source, d.created_at, d.updated_at,
    (select count(*) from document_chunks k where k.user_id = d.user_id and k.document_id = d.id)
        as chunk_count,
    (select count(*) from document_chunks k
      where k.user_id = d.user_id and k.document_id = d.id and k.embedding is null)
        as pending_chunk_count"""

DOCUMENT_CHUNK = """c.id, c.document_id, c.position as chunk_position, c.heading, c.content, c.start_offset,
    c.end_offset, c.embedding_model, c.embedding is not null as embedded, c.created_at"""

MENTION = """x.id, x.memory_id, x.document_id, x.interaction_id, x.field, x.contact_id, x.surface,
    x.start_offset, x.end_offset, x.confidence, x.method, x.created_at"""
