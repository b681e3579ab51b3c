"""`duplicateCandidates`: pairs of the user's contacts that are probably one person."""

from __future__ import annotations

import asyncio
from uuid import UUID

import asyncpg

from graph_api.db import tenant
from graph_api.domain import duplicates

# the fields the detector compares; archived contacts are left out (set aside already)
PEOPLE = """-- duplicate_candidates_people
    select id, full_name, email, phone, company
      from contacts
     where user_id = $1 and archived_at is null
"""


async def duplicate_candidates(
    pool: asyncpg.Pool, user_id: UUID, first: int
) -> list[duplicates.Candidate]:
    """The `first` best pairs; the comparing runs off the event loop."""
    rows = await tenant.fetch(pool, user_id, PEOPLE, user_id)
    people = [duplicates.Person.from_row(row) for row in rows]
    found = await asyncio.to_thread(duplicates.candidates, people)
    return found[:first]
