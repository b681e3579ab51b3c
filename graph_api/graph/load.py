"""Loading what a user's graph is built from, as one consistent snapshot.

The version and the facts are read in one repeatable-read transaction, so the
graph built from them is exactly the graph of that version.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from graph_api.db import tenant
from graph_api.graph.facts import (
    ContactFact,
    DeltaFacts,
    InteractionFact,
    InterestFact,
    NetworkFacts,
    RelationshipFact,
)

GRAPH_VERSION = """-- graph_version
    select coalesce((select version from graph_versions where user_id = $1), 0)"""

LOAD_TIMEOUT = """-- graph_load_timeout
    select set_config('statement_timeout', '300s', true)"""

CONTACT_FACTS = """-- graph_contacts
    select id, full_name, company, archived_at is not null as archived
      from contacts
     where user_id = $1"""

# contact ids as text, mapped onto the contacts' own UUID objects: decoding a
# UUID costs asyncpg several times what text does, and these lists are long. A
# suppressed row (a deleted relationship) is no tie: the graph never sees it.
RELATIONSHIP_FACTS = """-- graph_relationships
    select id, contact_a_id::text as a, contact_b_id::text as b, type, source, manual_strength
      from relationships
     where user_id = $1 and suppressed_at is null"""

INTERACTION_FACTS = """-- graph_interactions
    select p.contact_id::text as contact, p.interaction_id::text as interaction,
           n.occurred_at, n.type, n.direction
      from interaction_participants p
      join interactions n on n.user_id = p.user_id and n.id = p.interaction_id
     where p.user_id = $1"""

INTEREST_FACTS = """-- graph_interests
    select contact_id, category, topic, confidence
      from interests
     where user_id = $1"""


# A delta: what versions after $2 (up to $3) touched, then those contacts' facts.
GRAPH_CHANGES = """-- graph_changes
    select version, contact_ids
      from graph_changes
     where user_id = $1 and version > $2 and version <= $3
     order by version"""

TOUCHED_CONTACT_FACTS = """-- graph_delta_contacts
    select id, full_name, company, archived_at is not null as archived
      from contacts
     where user_id = $1 and id = any($2::uuid[])"""

TOUCHED_RELATIONSHIP_FACTS = """-- graph_delta_relationships
    select id, contact_a_id as a, contact_b_id as b, type, source, manual_strength
      from relationships
     where user_id = $1 and suppressed_at is null and contact_a_id = any($2::uuid[])
    union all
    select id, contact_a_id, contact_b_id, type, source, manual_strength
      from relationships
     where user_id = $1 and suppressed_at is null and contact_b_id = any($2::uuid[])
       and not contact_a_id = any($2::uuid[])"""

# every participant of every interaction a touched contact took part in
TOUCHED_INTERACTION_FACTS = """-- graph_delta_interactions
    select p.contact_id, p.interaction_id::text as interaction, n.occurred_at, n.type,
           n.direction
      from interaction_participants p
      join interactions n on n.user_id = p.user_id and n.id = p.interaction_id
     where p.user_id = $1
       and p.interaction_id in (select q.interaction_id
                                  from interaction_participants q
                                 where q.user_id = $1 and q.contact_id = any($2::uuid[]))"""

TOUCHED_INTEREST_FACTS = """-- graph_delta_interests
    select contact_id, category, topic, confidence
      from interests
     where user_id = $1 and contact_id = any($2::uuid[])"""


async def graph_version(pool: asyncpg.Pool, user_id: UUID) -> int:
    version: int = await tenant.fetchval(pool, user_id, GRAPH_VERSION, user_id)
    return version


async def load_facts(pool: asyncpg.Pool, user_id: UUID, now: datetime) -> tuple[int, NetworkFacts]:
    """(version, facts) read from one snapshot."""
    async with tenant.tenant_transaction(
        pool, user_id, isolation="repeatable_read", readonly=True
    ) as conn:
        # a big network's facts take longer than a request's statement timeout allows
        await conn.fetchval(LOAD_TIMEOUT)
        version: int = await conn.fetchval(GRAPH_VERSION, user_id)
        contacts = [
            ContactFact(r["id"], r["full_name"], r["company"], r["archived"])
            for r in await conn.fetch(CONTACT_FACTS, user_id)
        ]
        # every id below references a contact read above (same snapshot, foreign keys)
        contact = {str(fact.id): fact.id for fact in contacts}
        relationships = [
            RelationshipFact(
                r["id"],
                contact[r["a"]],
                contact[r["b"]],
                r["type"],
                r["source"],
                r["manual_strength"],
            )
            for r in await conn.fetch(RELATIONSHIP_FACTS, user_id)
        ]
        interactions = [
            InteractionFact(
                contact[r["contact"]], r["interaction"], r["occurred_at"], r["type"], r["direction"]
            )
            for r in await conn.fetch(INTERACTION_FACTS, user_id)
        ]
        interests = [
            InterestFact(r["contact_id"], r["category"], r["topic"], r["confidence"])
            for r in await conn.fetch(INTEREST_FACTS, user_id)
        ]
    return version, NetworkFacts(contacts, relationships, interactions, interests, now)


async def load_delta(
    pool: asyncpg.Pool, user_id: UUID, since: int, max_contacts: int
) -> tuple[int, DeltaFacts | None]:
    """(version, what changed since version `since`), read from one snapshot.

    None when the change is unknown (versions without a record: pruned, from before
    migration 0050, or a bulk load) or touches more than `max_contacts` contacts: then
    only a full rebuild is right, or cheaper.
    """
    async with tenant.tenant_transaction(
        pool, user_id, isolation="repeatable_read", readonly=True
    ) as conn:
        version: int = await conn.fetchval(GRAPH_VERSION, user_id)
        if version == since:
            return version, DeltaFacts(frozenset(), [], [], [], [])
        if version < since:
            return version, None
        changes = await conn.fetch(GRAPH_CHANGES, user_id, since, version)
        if len(changes) != version - since or any(r["contact_ids"] is None for r in changes):
            return version, None
        touched = frozenset(contact for r in changes for contact in r["contact_ids"])
        if len(touched) > max_contacts:
            return version, None
        ids = list(touched)
        contacts = [
            ContactFact(r["id"], r["full_name"], r["company"], r["archived"])
            for r in await conn.fetch(TOUCHED_CONTACT_FACTS, user_id, ids)
        ]
        relationships = [
            RelationshipFact(r["id"], r["a"], r["b"], r["type"], r["source"], r["manual_strength"])
            for r in await conn.fetch(TOUCHED_RELATIONSHIP_FACTS, user_id, ids)
        ]
        interactions = [
            InteractionFact(
                r["contact_id"], r["interaction"], r["occurred_at"], r["type"], r["direction"]
            )
            for r in await conn.fetch(TOUCHED_INTERACTION_FACTS, user_id, ids)
        ]
        interests = [
            InterestFact(r["contact_id"], r["category"], r["topic"], r["confidence"])
            for r in await conn.fetch(TOUCHED_INTEREST_FACTS, user_id, ids)
        ]
    return version, DeltaFacts(touched, contacts, relationships, interactions, interests)
