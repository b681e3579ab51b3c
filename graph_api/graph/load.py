"""Loading what a user's graph is built from, as one consistent snapshot.

The version and the facts are read in one repeatable-read transaction, so the
graph built from them is exactly the graph of that version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import numpy

from graph_api.db import tenant
from graph_api.graph.facts import (
    DIRECTIONS,
    ID_BYTES,
    INTERACTION_TYPES,
    RELATIONSHIP_SOURCES,
    RELATIONSHIP_TYPES,
    ContactFact,
    DeltaFacts,
    InteractionFact,
    InterestFact,
    NetworkFacts,
    Participations,
    RelationshipFact,
    Relationships,
)

GRAPH_VERSION = """-- graph_version
    select coalesce((select version from graph_versions where user_id = $1), 0)"""

# For this transaction only: a big network's facts take longer than a request's
# statement timeout allows, and numbering a million participations sorts them (in
# memory with this much, not in temporary files)
LOAD_TIMEOUT = """-- graph_load_timeout
    select set_config('statement_timeout', '300s', true), set_config('work_mem', '64MB', true)"""

CONTACT_FACTS = """-- graph_contacts
    select id, full_name, company, archived_at is not null as archived
      from contacts
     where user_id = $1
     order by id"""

# The many facts come as columns, one array each (a row per fact would cost a Python
# object each: most of a load's time). Contacts are named by their index in the
# ascending ids above (the same snapshot, so the same numbering); vocabularies by their
# index in the arrays passed ($2, $3).
RELATIONSHIP_FACTS = """-- graph_relationships
    with people as (select id, (row_number() over (order by id) - 1)::int4 as i
                      from contacts where user_id = $1)
    select string_agg(uuid_send(r.id), ''::bytea) as ids,
           array_agg(a.i) as a, array_agg(b.i) as b,
           array_agg(array_position($2::text[], r.type) - 1) as types,
           array_agg(array_position($3::text[], r.source) - 1) as sources,
           array_agg(coalesce(r.manual_strength, 'NaN'::float8)) as manual
      from relationships r
      join people a on a.id = r.contact_a_id
      join people b on b.id = r.contact_b_id
     where r.user_id = $1 and r.suppressed_at is null"""

INTERACTION_FACTS = """-- graph_interactions
    with people as (select id, (row_number() over (order by id) - 1)::int4 as i
                      from contacts where user_id = $1),
         facts as (select p.contact_id, n.occurred_at, n.type, n.direction,
                          dense_rank() over (order by p.interaction_id) as interaction
                     from interaction_participants p
                     join interactions n on n.user_id = p.user_id and n.id = p.interaction_id
                    where p.user_id = $1)
    select array_agg(c.i) as people, array_agg(f.interaction) as interactions,
           array_agg((extract(epoch from f.occurred_at) * 1000000)::int8) as at,
           array_agg(array_position($2::text[], f.type) - 1) as types,
           array_agg(array_position($3::text[], f.direction) - 1) as directions
      from facts f join people c on c.id = f.contact_id"""

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
        await conn.fetchval(LOAD_TIMEOUT)
        version: int = await conn.fetchval(GRAPH_VERSION, user_id)
        contacts = [
            ContactFact(r["id"], r["full_name"], r["company"], r["archived"])
            for r in await conn.fetch(CONTACT_FACTS, user_id)
        ]
        people = [fact.id for fact in contacts]
        rows = await conn.fetchrow(
            RELATIONSHIP_FACTS, user_id, list(RELATIONSHIP_TYPES), list(RELATIONSHIP_SOURCES)
        )
        relationships = Relationships(
            people,
            numpy.frombuffer(rows["ids"] or b"", dtype=numpy.uint8).reshape(-1, ID_BYTES),
            _array(rows["a"], numpy.int32),
            _array(rows["b"], numpy.int32),
            _array(rows["types"], numpy.uint8),
            _array(rows["sources"], numpy.uint8),
            _array(rows["manual"], numpy.float64),
        )
        rows = await conn.fetchrow(
            INTERACTION_FACTS, user_id, list(INTERACTION_TYPES), list(DIRECTIONS)
        )
        interactions = Participations(
            people,
            _array(rows["people"], numpy.int32),
            _array(rows["interactions"], numpy.int64),
            _array(rows["at"], numpy.int64),
            _array(rows["types"], numpy.uint8),
            _array(rows["directions"], numpy.uint8),
        )
        interests = [
            InterestFact(r["contact_id"], r["category"], r["topic"], r["confidence"])
            for r in await conn.fetch(INTEREST_FACTS, user_id)
        ]
    return version, NetworkFacts(contacts, relationships, interactions, interests, now)


def _array(values: list[Any] | None, dtype: type) -> numpy.ndarray:
    # array_agg of no rows is NULL
    return numpy.array(values or [], dtype=dtype)


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
            return version, DeltaFacts.of(frozenset(), [], [], [], [])
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
    return version, DeltaFacts.of(touched, contacts, relationships, interactions, interests)
