"""Contacts: create, edit, archive and restore, delete (forgetting), and merge duplicates."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from asyncpg import Record

from graph_api.domain import audit, events, validation
from graph_api.domain.actor import Actor
from graph_api.errors import InvalidInput, NotFound

# the profile fields a client edits, and the GraphQL input field each comes from
PROFILE_FIELDS = {
    "full_name": "fullName",
    "email": "email",
    "phone": "phone",
    "company": "company",
    "job_title": "jobTitle",
    "location": "location",
    "bio": "bio",
    "tags": "tags",
    "notes": "notes",
    "birthday": "birthday",
}
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5000
LONG_TEXT_FIELDS = frozenset({"bio", "notes"})
# the fields a merge fills on the primary when it has none of its own
FILLABLE_FIELDS = ("email", "phone", "company", "job_title", "location", "bio", "notes")
MAX_DUPLICATES = 20
NOT_FOUND = "Contact not found"

INSERT_CONTACT = """-- insert_contact
    insert into contacts (user_id, full_name, email, phone, company, job_title,
                          location, bio, tags, notes, birthday)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
    returning *
"""

LOCK_CONTACT = """-- lock_contact
    select *
      from contacts
     where user_id = $1 and id = $2
       for update
"""

# lock in id order so concurrent merges over overlapping contacts cannot deadlock
LOCK_CONTACTS = """-- lock_contacts
    select *
      from contacts
     where user_id = $1 and id = any($2::uuid[])
     order by id
       for update
"""

UPDATE_PROFILE = """-- update_contact_profile
    update contacts
       set full_name = $3, email = $4, phone = $5, company = $6, job_title = $7,
           location = $8, bio = $9, tags = $10, notes = $11, birthday = $12, updated_at = now()
     where user_id = $1 and id = $2
    returning *
"""

ARCHIVE_CONTACT = """-- archive_contact
    update contacts
       set archived_at = now(), updated_at = now()
     where user_id = $1 and id = $2 and archived_at is null
    returning *
"""

RESTORE_CONTACT = """-- restore_contact
    update contacts
       set archived_at = null, updated_at = now()
     where user_id = $1 and id = $2 and archived_at is not null
    returning *
"""

DELETE_CONTACT = """-- delete_contact
    delete from contacts
     where user_id = $1 and id = $2
    returning id
"""

# right to be forgotten: earlier audit rows about the person keep the fact that
# something happened (operation, time, ids), not what the values were
FORGET_AUDIT_VALUES = """-- forget_contact_audit_values
    update audit_log
       set old_values = null, new_values = null
     where user_id = $1 and $2 = any(target_ids)
       and (old_values is not null or new_values is not null)
"""

MOVE_PARTICIPATIONS = """-- merge_contacts_move_participations
    insert into interaction_participants (user_id, interaction_id, contact_id)
    select distinct user_id, interaction_id, $2::uuid
      from interaction_participants
     where user_id = $1 and contact_id = any($3::uuid[])
    on conflict do nothing
"""

# one survivor per (category, topic): the primary's row when it has one, else the
# earliest detected; it takes the merged evidence and the others go with their contacts
MERGE_INTERESTS = """-- merge_contacts_merge_interests
    with merged as (
        select (array_agg(id order by contact_id = $2 desc, first_detected_at, id))[1] as keep_id,
               max(confidence) as confidence,
               sum(evidence_count) as evidence_count,
               min(first_detected_at) as first_detected_at,
               max(last_reinforced_at) as last_reinforced_at
          from interests
         where user_id = $1 and (contact_id = $2 or contact_id = any($3::uuid[]))
         group by category, topic
        having bool_or(contact_id <> $2)
    )
    update interests i
       set contact_id = $2,
           confidence = m.confidence,
           evidence_count = m.evidence_count,
           first_detected_at = m.first_detected_at,
           last_reinforced_at = m.last_reinforced_at
      from merged m
     where i.user_id = $1 and i.id = m.keep_id
"""

MOVE_MEMORIES = """-- merge_contacts_move_memories
    update memories
       set contact_id = $2, updated_at = now()
     where user_id = $1 and contact_id = any($3::uuid[])
"""

# Each edge touching a duplicate is re-pointed at the primary and its pair re-ordered.
# Edges that would become self-loops are left behind (they go with the duplicates).
# Per resulting pair one edge survives: the primary's own when it has one, else a
# manual or suppressed one (what the user said about the pair: tied, or not) before an
# inferred one, else the oldest; it keeps the greatest strength. A surviving
# suppression keeps the pair untied.
MERGE_RELATIONSHIPS = """-- merge_contacts_merge_relationships
    with mapped as (
        select id,
               least(case when contact_a_id = any($3::uuid[]) then $2::uuid else contact_a_id end,
                     case when contact_b_id = any($3::uuid[]) then $2::uuid else contact_b_id end)
                   as new_a_id,
               greatest(case when contact_a_id = any($3::uuid[]) then $2::uuid else contact_a_id end,
                        case when contact_b_id = any($3::uuid[]) then $2::uuid else contact_b_id end)
                   as new_b_id,
               contact_a_id = any($3::uuid[]) or contact_b_id = any($3::uuid[]) as moved,
               source, suppressed_at, manual_strength, created_at
          from relationships
         where user_id = $1
           and (contact_a_id = $2 or contact_b_id = $2
                or contact_a_id = any($3::uuid[]) or contact_b_id = any($3::uuid[]))
    ),
    survivors as (
        select (array_agg(id order by moved, (source = 'manual' or suppressed_at is not null) desc,
                                      created_at, id))[1] as keep_id,
               new_a_id, new_b_id,
               max(manual_strength) as manual_strength,
               bool_or(moved) as touched
          from mapped
         where new_a_id <> new_b_id
         group by new_a_id, new_b_id
    )
    update relationships r
       set contact_a_id = s.new_a_id,
           contact_b_id = s.new_b_id,
           manual_strength = s.manual_strength,
           updated_at = now()
      from survivors s
     where r.user_id = $1 and r.id = s.keep_id and s.touched
    returning r.id, r.contact_a_id, r.contact_b_id, r.suppressed_at
"""

# the duplicates' live relationships before the merge: those not kept go with them
DUPLICATES_RELATIONSHIPS = """-- merge_contacts_duplicates_relationships
    select id, contact_a_id, contact_b_id
      from relationships
     where user_id = $1 and suppressed_at is null
       and (contact_a_id = any($2::uuid[]) or contact_b_id = any($2::uuid[]))
"""

UPDATE_MERGED_PRIMARY = """-- merge_contacts_update_primary
    update contacts
       set email = $3, phone = $4, company = $5, job_title = $6, location = $7,
           bio = $8, notes = $9, tags = $10, last_interaction_at = $11, updated_at = now()
     where user_id = $1 and id = $2
    returning *
"""

# the duplicates' history now concerns the primary too, so forgetting the primary
# later also forgets what was recorded about the duplicates
ADOPT_AUDIT_TARGETS = """-- merge_contacts_adopt_audit_targets
    update audit_log
       set target_ids = target_ids || $2::uuid
     where user_id = $1 and target_ids && $3::uuid[] and not $2::uuid = any(target_ids)
"""

DELETE_CONTACTS = """-- merge_contacts_delete_duplicates
    delete from contacts
     where user_id = $1 and id = any($2::uuid[])
"""


def _validate_field(name: str, value: Any) -> Any:
    field = PROFILE_FIELDS.get(name)
    if field is None:
        raise InvalidInput(f"{name} is not a contact field", field=name)
    if name == "full_name":
        return validation.required_text(value, field=field, max_length=SHORT_TEXT_MAX)
    if name == "email":
        return validation.email(value, field=field)
    if name == "tags":
        return validation.tags(value, field=field)
    if name == "birthday":
        return validation.birthday(value, field=field)
    max_length = LONG_TEXT_MAX if name in LONG_TEXT_FIELDS else SHORT_TEXT_MAX
    return validation.optional_text(value, field=field, max_length=max_length)


def _validate(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: _validate_field(name, value) for name, value in fields.items()}


def _profile_args(profile: dict[str, Any]) -> list[Any]:
    return [profile[name] for name in PROFILE_FIELDS]


async def _lock(conn: asyncpg.Connection, actor: Actor, contact_id: UUID) -> Record:
    row = await conn.fetchrow(LOCK_CONTACT, actor.user_id, contact_id)
    if row is None:
        raise NotFound(NOT_FOUND, field="id")
    return row


async def create_contact(conn: asyncpg.Connection, actor: Actor, fields: dict[str, Any]) -> Record:
    values = _validate(fields)
    if "full_name" not in values:
        raise InvalidInput("fullName is required", field="fullName")
    profile = {name: values.get(name) for name in PROFILE_FIELDS}
    profile["tags"] = values.get("tags", [])
    async with conn.transaction():
        row = await conn.fetchrow(INSERT_CONTACT, actor.user_id, *_profile_args(profile))
        new = {name: value for name, value in profile.items() if value not in (None, [])}
        await audit.record(conn, actor, "create_contact", [row["id"]], None, new)
        await events.emit(conn, [events.contact(actor.user_id, "created", row["id"])])
    return row


async def update_contact(
    conn: asyncpg.Connection, actor: Actor, contact_id: UUID, fields: dict[str, Any]
) -> Record:
    values = _validate(fields)
    async with conn.transaction():
        before = await _lock(conn, actor, contact_id)
        profile = {name: before[name] for name in PROFILE_FIELDS} | values
        row = await conn.fetchrow(
            UPDATE_PROFILE, actor.user_id, contact_id, *_profile_args(profile)
        )
        old, new = audit.changes(before, row, values)
        await audit.record(conn, actor, "update_contact", [contact_id], old, new)
        await events.emit(conn, [events.contact(actor.user_id, "updated", contact_id)])
    return row


async def archive_contact(conn: asyncpg.Connection, actor: Actor, contact_id: UUID) -> Record:
    async with conn.transaction():
        before = await _lock(conn, actor, contact_id)
        # archiving twice keeps the first timestamp
        row = await conn.fetchrow(ARCHIVE_CONTACT, actor.user_id, contact_id)
        if row is None:
            row = before
        old, new = audit.changes(before, row, ["archived_at"])
        await audit.record(conn, actor, "archive_contact", [contact_id], old, new)
        await events.emit(conn, [events.contact(actor.user_id, "archived", contact_id)])
    return row


async def restore_contact(conn: asyncpg.Connection, actor: Actor, contact_id: UUID) -> Record:
    async with conn.transaction():
        before = await _lock(conn, actor, contact_id)
        row = await conn.fetchrow(RESTORE_CONTACT, actor.user_id, contact_id)
        if row is None:
            row = before
        old, new = audit.changes(before, row, ["archived_at"])
        await audit.record(conn, actor, "restore_contact", [contact_id], old, new)
        await events.emit(conn, [events.contact(actor.user_id, "restored", contact_id)])
    return row


async def delete_contact(conn: asyncpg.Connection, actor: Actor, contact_id: UUID) -> UUID:
    """Delete a contact and everything hanging off it (participations, interests,
    memories, relationships) and strip the person's values from the audit trail."""
    async with conn.transaction():
        deleted: UUID | None = await conn.fetchval(DELETE_CONTACT, actor.user_id, contact_id)
        if deleted is None:
            raise NotFound(NOT_FOUND, field="id")
        await conn.execute(FORGET_AUDIT_VALUES, actor.user_id, contact_id)
        await audit.record(conn, actor, "delete_contact", [contact_id], None, None)
        await events.emit(conn, [events.contact(actor.user_id, "deleted", contact_id)])
    return deleted


def _merged_profile(primary: Record, duplicates: list[Record]) -> dict[str, Any]:
    """The primary's profile with its gaps filled from the duplicates, in the order given."""
    merged: dict[str, Any] = {}
    for name in FILLABLE_FIELDS:
        value = primary[name]
        if value is None or (isinstance(value, str) and not value.strip()):
            value = next((d[name] for d in duplicates if d[name] and d[name].strip()), value)
        merged[name] = value
    tags: list[str] = list(primary["tags"])
    for duplicate in duplicates:
        tags.extend(tag for tag in duplicate["tags"] if tag not in tags)
    merged["tags"] = tags
    moments = [r["last_interaction_at"] for r in [primary, *duplicates]]
    merged["last_interaction_at"] = max((m for m in moments if m is not None), default=None)
    return merged


async def merge_contacts(
    conn: asyncpg.Connection, actor: Actor, primary_id: UUID, duplicate_ids: list[UUID]
) -> Record:
    """Fold duplicates into the primary: their interactions, interests, memories and
    relationships move over, the primary's gaps are filled, and the duplicates go."""
    duplicate_ids = validation.ids(
        duplicate_ids, field="duplicateIds", min_items=1, max_items=MAX_DUPLICATES
    )
    if primary_id in duplicate_ids:
        raise InvalidInput(
            "duplicateIds must not include the primary contact", field="duplicateIds"
        )
    user_id = actor.user_id
    async with conn.transaction():
        rows = await conn.fetch(LOCK_CONTACTS, user_id, [primary_id, *duplicate_ids])
        by_id = {row["id"]: row for row in rows}
        if primary_id not in by_id:
            raise NotFound(NOT_FOUND, field="primaryId")
        if any(duplicate_id not in by_id for duplicate_id in duplicate_ids):
            raise NotFound(NOT_FOUND, field="duplicateIds")
        primary = by_id[primary_id]
        duplicates = [by_id[duplicate_id] for duplicate_id in duplicate_ids]

        await conn.execute(MOVE_PARTICIPATIONS, user_id, primary_id, duplicate_ids)
        await conn.execute(MERGE_INTERESTS, user_id, primary_id, duplicate_ids)
        await conn.execute(MOVE_MEMORIES, user_id, primary_id, duplicate_ids)
        before = await conn.fetch(DUPLICATES_RELATIONSHIPS, user_id, duplicate_ids)
        kept = await conn.fetch(MERGE_RELATIONSHIPS, user_id, primary_id, duplicate_ids)
        merged = _merged_profile(primary, duplicates)
        row = await conn.fetchrow(
            UPDATE_MERGED_PRIMARY,
            user_id,
            primary_id,
            *(merged[name] for name in FILLABLE_FIELDS),
            merged["tags"],
            merged["last_interaction_at"],
        )
        await conn.execute(DELETE_CONTACTS, user_id, duplicate_ids)
        await conn.execute(ADOPT_AUDIT_TARGETS, user_id, primary_id, duplicate_ids)
        old_primary, new_primary = audit.changes(primary, row, merged)
        # the absorbed profiles, so the trail explains where the primary's new values came from
        absorbed = [audit.pick(duplicate, ["id", *PROFILE_FIELDS]) for duplicate in duplicates]
        await audit.record(
            conn,
            actor,
            "merge_contacts",
            [primary_id, *duplicate_ids],
            {"primary": old_primary, "duplicates": absorbed},
            {"primary": new_primary},
        )
        # ties moved onto the primary are updated; the duplicates' others went with them
        moved = [r for r in kept if r["suppressed_at"] is None]
        kept_ids = {r["id"] for r in kept}
        gone = [r for r in before if r["id"] not in kept_ids]
        await events.emit(
            conn,
            [
                events.contact(user_id, "merged", primary_id),
                *(events.contact(user_id, "deleted", d) for d in duplicate_ids),
                *(events.relationship(user_id, "updated", r) for r in moved),
                *(events.relationship(user_id, "deleted", r) for r in gone),
            ],
        )
    return row
