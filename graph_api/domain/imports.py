"""importContacts: a contact file into the network, once, in one transaction.

The plan is made in memory, against the user's contacts read once: each row is matched
to an existing contact (or to an earlier row of the same file) by its normalised email,
else its phone, else its folded name with its company. A match only fills the contact's
empty fields and adds new tags, never overwrites what the user wrote; a match that adds
nothing is skipped. So importing the same file twice creates nothing the second time.
A row without a match is created, and reported as a possible duplicate when someone in
the network looks like them (`duplicates.compare`, inside the row's blocks only).

Then the writes, a few statements per thousand rows (`unnest` arrays, no statement per
row), the audit rows with them (one per contact touched, one for the import): all in
the caller's transaction, so an import is all there or not at all. A dry run plans and
reports, and writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import orjson

from graph_api.domain import duplicates, events, validation
from graph_api.domain.actor import Actor
from graph_api.domain.contact_files import ContactRow, Refusal, parse
from graph_api.errors import InvalidInput

SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5000
FILLABLE = ("email", "phone", "company", "job_title", "notes")
BATCH = 1000
# candidates a new row is compared with, per block: bounded, so an import stays linear
MAX_COMPARED = 50
CONNECTED_SUBJECT = "Connected on LinkedIn"

Progress = Callable[[str, int, int], None]

LOCK_IMPORTS = "select pg_advisory_xact_lock(hashtextextended('import:' || $1::text, 0))"

EXISTING_CONTACTS = """-- import_existing_contacts
    select id, full_name, email, phone, company, job_title, notes, tags
      from contacts
     where user_id = $1
"""

INSERT_CONTACTS = """-- import_insert_contacts
    insert into contacts (user_id, id, full_name, email, phone, company, job_title, notes, tags, source)
    select $1, u.id, u.full_name, u.email, u.phone, u.company, u.job_title, u.notes,
           array(select jsonb_array_elements_text(u.tags::jsonb)), $9
      from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                  $8::text[], $10::text[])
           as u(id, full_name, email, phone, company, job_title, notes, tags)
"""

# fills only what is still empty: a concurrent edit since the plan was made wins
FILL_CONTACTS = """-- import_fill_contacts
    update contacts c
       set email = coalesce(c.email, u.email),
           phone = coalesce(c.phone, u.phone),
           company = coalesce(c.company, u.company),
           job_title = coalesce(c.job_title, u.job_title),
           notes = coalesce(c.notes, u.notes),
           tags = c.tags || array(select t from jsonb_array_elements_text(u.tags::jsonb) t
                                   where t <> all(c.tags)),
           updated_at = now()
      from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
           as u(id, email, phone, company, job_title, notes, tags)
     where c.user_id = $1 and c.id = u.id
"""

ALREADY_CONNECTED = """-- import_already_connected
    select distinct p.contact_id
      from interaction_participants p
      join interactions i on i.user_id = p.user_id and i.id = p.interaction_id
     where p.user_id = $1 and p.contact_id = any($2::uuid[]) and i.subject = $3
"""

INSERT_CONNECTIONS = """-- import_insert_connections
    insert into interactions (user_id, id, type, direction, subject, occurred_at)
    select $1, u.id, 'other', 'mutual', $4, u.occurred_at
      from unnest($2::uuid[], $3::timestamptz[]) as u(id, occurred_at)
"""

INSERT_CONNECTION_PARTICIPANTS = """-- import_insert_connection_participants
    insert into interaction_participants (user_id, interaction_id, contact_id)
    select $1, u.interaction_id, u.contact_id
      from unnest($2::uuid[], $3::uuid[]) as u(interaction_id, contact_id)
"""

TOUCH_LAST_INTERACTION = """-- import_touch_last_interaction
    update contacts c
       set last_interaction_at = greatest(c.last_interaction_at, u.occurred_at)
      from unnest($2::uuid[], $3::timestamptz[]) as u(id, occurred_at)
     where c.user_id = $1 and c.id = u.id
"""

INSERT_AUDIT_ROWS = """-- import_insert_audit_rows
    insert into audit_log (user_id, actor, operation, target_ids, new_values, request_id)
    select $1, $2, $3, array[u.id], u.new_values::jsonb, $4
      from unnest($5::uuid[], $6::text[]) as u(id, new_values)
"""

INSERT_AUDIT_SUMMARY = """-- import_insert_audit_summary
    insert into audit_log (user_id, actor, operation, target_ids, new_values, request_id)
    values ($1, $2, 'import_contacts', $3::uuid[], $4::jsonb, $5)
"""


@dataclass(frozen=True)
class RowOutcome:
    line: int
    contact_id: UUID | None
    full_name: str
    # for a row folded into another of the same file
    note: str | None = None


@dataclass(frozen=True)
class PossibleDuplicate:
    line: int
    full_name: str
    contact_id: UUID | None
    existing_id: UUID
    existing_name: str
    score: float
    reasons: tuple[str, ...]


@dataclass
class ImportReport:
    format: str
    dry_run: bool
    encoding: str = "utf-8"
    rows_read: int = 0
    created: list[RowOutcome] = field(default_factory=list)
    updated: list[RowOutcome] = field(default_factory=list)
    skipped: list[RowOutcome] = field(default_factory=list)
    possible_duplicates: list[PossibleDuplicate] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    interactions_created: int = 0
    recoded_lines: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "rows": self.rows_read,
            "created": len(self.created),
            "updated": len(self.updated),
            "skipped": len(self.skipped),
            "possible_duplicates": len(self.possible_duplicates),
            "refused": len(self.refused),
            "interactions_created": self.interactions_created,
        }


@dataclass
class Planned:
    """A contact as the import leaves it: an existing one (filled) or a new one."""

    id: UUID
    full_name: str
    email: str | None
    phone: str | None
    company: str | None
    job_title: str | None
    notes: str | None
    tags: list[str]
    is_new: bool
    line: int | None = None
    fills: dict[str, Any] = field(default_factory=dict)
    new_tags: list[str] = field(default_factory=list)
    connected_on: datetime | None = None

    def person(self) -> duplicates.Person:
        return duplicates.Person(self.id, self.full_name, self.email, self.phone, self.company)


@dataclass(frozen=True)
class Prepared:
    line: int
    profile: dict[str, Any]
    connected_on: datetime | None


def prepare(row: ContactRow) -> Prepared | Refusal:
    """A row's values in stored form, or its refusal naming the field at fault."""
    try:
        emails = [validation.email(e, field="email") for e in row.emails]
    except InvalidInput as error:
        return Refusal(row.line, f"{error.message}: {row.emails[0]!r}"[:300], "email")
    email = next((e for e in emails if e), None)
    name = row.full_name or email
    if name is None:
        return Refusal(row.line, "no name and no email: nothing to call this person", "fullName")
    try:
        profile = {
            "full_name": validation.required_text(
                name, field="fullName", max_length=SHORT_TEXT_MAX
            ),
            "email": email,
            "phone": validation.optional_text(
                row.phones[0] if row.phones else None, field="phone", max_length=SHORT_TEXT_MAX
            ),
            "company": validation.optional_text(
                row.company, field="company", max_length=SHORT_TEXT_MAX
            ),
            "job_title": validation.optional_text(
                row.job_title, field="jobTitle", max_length=SHORT_TEXT_MAX
            ),
            "notes": validation.optional_text(row.notes, field="notes", max_length=LONG_TEXT_MAX),
            "tags": validation.tags(row.tags, field="tags"),
        }
    except InvalidInput as error:
        return Refusal(row.line, error.message, error.field)
    return Prepared(row.line, profile, row.connected_on)


class Index:
    """Contacts by their matching keys and their blocks; rows join it as planned."""

    def __init__(self) -> None:
        self.by_email: dict[str, Planned] = {}
        self.by_phone: dict[str, Planned] = {}
        self.by_name_company: dict[tuple[str, str | None], Planned] = {}
        self.by_block: dict[str, list[Planned]] = defaultdict(list)

    def add(self, planned: Planned) -> None:
        email = duplicates.email_key(planned.email)
        if email:
            self.by_email.setdefault(email, planned)
        phone = duplicates.phone_key(planned.phone)
        if phone:
            self.by_phone.setdefault(phone, planned)
        name = duplicates.name_key(planned.full_name)
        if name:
            key = (name, duplicates.company_key(planned.company))
            self.by_name_company.setdefault(key, planned)
        for block in self._blocks(planned.full_name, planned.email, planned.phone):
            if len(self.by_block[block]) < MAX_COMPARED:
                self.by_block[block].append(planned)

    @staticmethod
    def _blocks(name: str | None, email: str | None, phone: str | None) -> list[str]:
        keys = [
            f"s:{duplicates.surname_block(name)}" if duplicates.surname_block(name) else None,
            f"n:{duplicates.name_key(name)}" if duplicates.name_key(name) else None,
        ]
        return [k for k in keys if k]

    def match(self, profile: dict[str, Any]) -> Planned | None:
        email = duplicates.email_key(profile["email"])
        if email:
            return self.by_email.get(email)
        phone = duplicates.phone_key(profile["phone"])
        if phone and phone in self.by_phone:
            return self.by_phone[phone]
        name = duplicates.name_key(profile["full_name"])
        if name is None:
            return None
        found = self.by_name_company.get((name, duplicates.company_key(profile["company"])))
        # a row without an email matches a contact by name only when neither has one
        if found is not None and (found.email is None or profile["email"] is None):
            return found
        return None

    def lookalikes(self, person: duplicates.Person) -> list[Planned]:
        seen: dict[UUID, Planned] = {}
        for block in self._blocks(person.full_name, person.email, person.phone):
            for planned in self.by_block.get(block, []):
                seen.setdefault(planned.id, planned)
        return list(seen.values())


def plan(
    existing: Sequence[asyncpg.Record | dict[str, Any]],
    parsed_rows: Sequence[ContactRow],
    report: ImportReport,
    progress: Progress | None = None,
) -> list[Planned]:
    """What the import will do, row by row (pure: no database)."""
    index = Index()
    for row in existing:
        index.add(
            Planned(
                id=row["id"], full_name=row["full_name"], email=row["email"], phone=row["phone"],
                company=row["company"], job_title=row["job_title"], notes=row["notes"],
                tags=list(row["tags"]), is_new=False,
            )
        )  # fmt: skip
    touched: dict[UUID, Planned] = {}
    for done, row in enumerate(parsed_rows, start=1):
        if progress is not None and (done % BATCH == 0 or done == len(parsed_rows)):
            progress("planned", done, len(parsed_rows))
        prepared = prepare(row)
        if isinstance(prepared, Refusal):
            report.refused.append(prepared)
            continue
        profile = prepared.profile
        match = index.match(profile)
        if match is not None:
            changed = False
            for name in FILLABLE:
                current = getattr(match, name)
                if current is None and profile[name] is not None:
                    setattr(match, name, profile[name])
                    if not match.is_new:
                        match.fills[name] = profile[name]
                    changed = True
            for tag in profile["tags"]:
                if tag not in match.tags:
                    match.tags.append(tag)
                    if not match.is_new:
                        match.new_tags.append(tag)
                    changed = True
            if prepared.connected_on is not None and match.connected_on is None:
                match.connected_on = prepared.connected_on
                changed = True
            note = f"the same person as line {match.line}" if match.is_new else None
            outcome = RowOutcome(prepared.line, match.id, match.full_name, note)
            if changed:
                touched[match.id] = match
                if match.is_new:
                    report.skipped.append(outcome)
                else:
                    report.updated.append(outcome)
            else:
                report.skipped.append(outcome)
            if match.is_new or changed:
                index.add(match)
            continue
        planned = Planned(
            id=uuid4(), is_new=True, line=prepared.line, connected_on=prepared.connected_on,
            **profile,
        )  # fmt: skip
        best: duplicates.Candidate | None = None
        best_other: Planned | None = None
        for other in index.lookalikes(planned.person()):
            candidate = duplicates.compare(planned.person(), other.person())
            if candidate is not None and (best is None or candidate.score > best.score):
                best, best_other = candidate, other
        if best is not None and best_other is not None:
            report.possible_duplicates.append(
                PossibleDuplicate(
                    line=prepared.line, full_name=planned.full_name, contact_id=planned.id,
                    existing_id=best_other.id, existing_name=best_other.full_name,
                    score=best.score, reasons=tuple(r.kind for r in best.reasons),
                )
            )  # fmt: skip
        report.created.append(RowOutcome(prepared.line, planned.id, planned.full_name))
        touched[planned.id] = planned
        index.add(planned)
    return list(touched.values())


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[start : start + BATCH] for start in range(0, len(items), BATCH)]


def _audit_values(planned: Planned) -> str:
    if planned.is_new:
        values: dict[str, Any] = {
            name: getattr(planned, name)
            for name in ("full_name", *FILLABLE)
            if getattr(planned, name) is not None
        }
        if planned.tags:
            values["tags"] = planned.tags
    else:
        values = dict(planned.fills)
        if planned.new_tags:
            values["tags_added"] = planned.new_tags
    if planned.connected_on is not None:
        values["connected_on"] = planned.connected_on.isoformat()
    return orjson.dumps(values).decode()


async def write(
    conn: asyncpg.Connection,
    actor: Actor,
    planned: list[Planned],
    report: ImportReport,
    progress: Progress | None = None,
) -> None:
    user_id = actor.user_id
    source = report.format.lower()
    new = [p for p in planned if p.is_new]
    filled = [p for p in planned if not p.is_new and (p.fills or p.new_tags)]
    total, done = len(new) + len(filled), 0
    for chunk in _chunks(new):
        await conn.execute(
            INSERT_CONTACTS, user_id,
            [p.id for p in chunk], [p.full_name for p in chunk], [p.email for p in chunk],
            [p.phone for p in chunk], [p.company for p in chunk], [p.job_title for p in chunk],
            [p.notes for p in chunk], source, [orjson.dumps(p.tags).decode() for p in chunk],
        )  # fmt: skip
        done += len(chunk)
        if progress is not None:
            progress("written", done, total)
    for chunk in _chunks(filled):
        await conn.execute(
            FILL_CONTACTS, user_id,
            [p.id for p in chunk], [p.fills.get("email") for p in chunk],
            [p.fills.get("phone") for p in chunk], [p.fills.get("company") for p in chunk],
            [p.fills.get("job_title") for p in chunk], [p.fills.get("notes") for p in chunk],
            [orjson.dumps(p.new_tags).decode() for p in chunk],
        )  # fmt: skip
        done += len(chunk)
        if progress is not None:
            progress("written", done, total)

    connecting = [p for p in planned if p.connected_on is not None]
    if connecting:
        already = {
            row["contact_id"]
            for row in await conn.fetch(
                ALREADY_CONNECTED, user_id, [p.id for p in connecting], CONNECTED_SUBJECT
            )
        }
        connecting = [p for p in connecting if p.id not in already]
    logged: list[events.Event] = []
    for chunk in _chunks(connecting):
        interaction_ids = [uuid4() for _ in chunk]
        moments = [p.connected_on for p in chunk]
        contact_ids = [p.id for p in chunk]
        await conn.execute(INSERT_CONNECTIONS, user_id, interaction_ids, moments, CONNECTED_SUBJECT)
        await conn.execute(INSERT_CONNECTION_PARTICIPANTS, user_id, interaction_ids, contact_ids)
        await conn.execute(TOUCH_LAST_INTERACTION, user_id, contact_ids, moments)
        logged += (
            events.Event(user_id, "interaction", "logged", i, (c,))
            for i, c in zip(interaction_ids, contact_ids, strict=True)
        )
    report.interactions_created = len(connecting)

    written = {p.id for p in new} | {p.id for p in filled}
    audited = new + filled + [p for p in connecting if p.id not in written]
    for chunk in _chunks(audited):
        await conn.execute(
            INSERT_AUDIT_ROWS, user_id, actor.email, "import_contact", actor.request_id,
            [p.id for p in chunk], [_audit_values(p) for p in chunk],
        )  # fmt: skip
    await conn.execute(
        INSERT_AUDIT_SUMMARY,
        user_id,
        actor.email,
        [p.id for p in audited],
        orjson.dumps(report.summary()).decode(),
        actor.request_id,
    )
    # announced at commit, as any write's: a contact each (one notification per row, all
    # sent by one statement; a subscriber too slow for a big import is disconnected,
    # as for any burst)
    await events.emit(
        conn,
        [
            *(events.contact(user_id, "created", p.id) for p in new),
            *(events.contact(user_id, "updated", p.id) for p in filled),
            *logged,
        ],
    )


async def import_contacts(
    conn: asyncpg.Connection,
    actor: Actor,
    file_format: str,
    text: str,
    *,
    dry_run: bool = False,
    encoding: str = "utf-8",
    recoded_lines: Sequence[int] = (),
    progress: Progress | None = None,
) -> ImportReport:
    """Import `text` in `file_format` for the actor, inside the caller's transaction."""
    parsed = parse(text, file_format)
    report = ImportReport(
        format=file_format,
        dry_run=dry_run,
        encoding=encoding,
        rows_read=len(parsed.rows) + len(parsed.refused),
        refused=list(parsed.refused),
        recoded_lines=list(recoded_lines),
    )
    # imports of one user run one at a time, so two of the same file cannot both create
    await conn.execute(LOCK_IMPORTS, str(actor.user_id))
    existing = await conn.fetch(EXISTING_CONTACTS, actor.user_id)
    planned = plan(existing, parsed.rows, report, progress)
    report.refused.sort(key=lambda refusal: refusal.line)
    if not dry_run:
        await write(conn, actor, planned, report, progress)
    else:
        report.interactions_created = 0
    return report
