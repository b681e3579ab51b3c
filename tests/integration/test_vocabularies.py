"""Each closed vocabulary is one set of words wherever it is spelt: the database's CHECK
constraint (as the migrated catalog holds it), the GraphQL enum clients send and read,
and the domain's set that refuses anything else before the database would."""

from __future__ import annotations

import re

import asyncpg
import pytest

from graph_api.domain import documents, interactions, memories, memory_links, notifications
from graph_api.domain import relationships as relationship_domain
from graph_api.graph import facts
from graph_api.schema import build_schema

SCHEMA = build_schema()._schema

# constraint -> (the GraphQL enum holding the same words, the domain's set or None)
VOCABULARIES: dict[str, tuple[str, frozenset[str] | tuple[str, ...] | None]] = {
    "relationships_type": ("RelationshipType", relationship_domain.TYPES),
    "relationships_source": ("RelationshipSource", None),
    "interactions_type": ("InteractionType", interactions.TYPES),
    "interactions_direction": ("Direction", interactions.DIRECTIONS),
    "memories_type": ("MemoryType", memories.TYPES),
    "notifications_type": ("NotificationType", None),
    "notifications_priority": ("NotificationPriority", None),
    "notifications_status": ("NotificationStatus", notifications.STATUSES),
    "memory_links_type": ("MemoryLinkType", memory_links.TYPES),
    "documents_type": ("DocumentType", documents.TYPES),
    "mentions_method": ("MentionMethod", None),
}

CHECKS = """
    select conname, pg_get_constraintdef(oid) as definition
      from pg_constraint
     where contype = 'c' and conname = any($1::text[])
"""


@pytest.fixture(scope="module")
async def checks(pool: asyncpg.Pool) -> dict[str, set[str]]:
    rows = await pool.fetch(CHECKS, list(VOCABULARIES))
    return {row["conname"]: set(re.findall(r"'([^']*)'::text", row["definition"])) for row in rows}


@pytest.mark.parametrize("constraint", sorted(VOCABULARIES))
def test_the_database_the_schema_and_the_domain_agree(
    checks: dict[str, set[str]], constraint: str
) -> None:
    enum_name, domain = VOCABULARIES[constraint]
    assert constraint in checks, f"no CHECK constraint {constraint} in the migrated database"
    in_database = checks[constraint]
    enum = SCHEMA.get_type(enum_name)
    in_schema = {value.value for value in enum.values.values()}  # type: ignore[union-attr]
    assert in_database, constraint
    assert in_schema == in_database, (enum_name, in_schema ^ in_database)
    if domain is not None:
        assert set(domain) == in_database, (constraint, set(domain) ^ in_database)


# the graph stores these words as codes: an index into each tuple (graph/facts.py)
GRAPH_CODES = {
    "relationships_type": facts.RELATIONSHIP_TYPES,
    "relationships_source": facts.RELATIONSHIP_SOURCES,
    "interactions_type": facts.INTERACTION_TYPES,
    "interactions_direction": facts.DIRECTIONS,
}


@pytest.mark.parametrize("constraint", sorted(GRAPH_CODES))
def test_the_graph_has_a_code_for_every_word(checks: dict[str, set[str]], constraint: str) -> None:
    codes = GRAPH_CODES[constraint]
    assert len(set(codes)) == len(codes) < 256  # one byte each
    assert set(codes) == checks[constraint], set(codes) ^ checks[constraint]
