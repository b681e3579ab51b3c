"""importContacts: a Google, LinkedIn or Outlook CSV or a vCard file into the network."""

from __future__ import annotations

from enum import Enum

import strawberry

from graph_api.context import Info
from graph_api.domain import imports
from graph_api.types.mutations.common import UserError, profiles_changed, run
from graph_api.types.node import global_id


@strawberry.enum(description="The file's format, as the address book exported it.")
class ImportFormat(Enum):
    GOOGLE_CSV = "GOOGLE_CSV"
    LINKEDIN_CSV = "LINKEDIN_CSV"
    OUTLOOK_CSV = "OUTLOOK_CSV"
    VCARD = "VCARD"


@strawberry.input
class ImportContactsInput:
    format: ImportFormat
    data: str = strawberry.field(
        description="The file's text (vCard 3 or 4, or CSV with its header)."
    )
    dry_run: bool | None = strawberry.field(
        default=False, description="Plan and report, write nothing."
    )


@strawberry.type(description="One row of the file and the contact it became or matched.")
class ImportedRow:
    line: int = strawberry.field(description="The line of the file the row starts on (1-based).")
    full_name: str
    contact_id: strawberry.ID | None = strawberry.field(
        description="The contact (null in a dry run for one that would be created)."
    )
    note: str | None

    @classmethod
    def from_outcome(cls, outcome: imports.RowOutcome, dry_run: bool, new: bool) -> ImportedRow:
        contact = None
        if outcome.contact_id is not None and not (dry_run and new):
            contact = global_id("Contact", outcome.contact_id)
        return cls(
            line=outcome.line, full_name=outcome.full_name, contact_id=contact, note=outcome.note
        )


@strawberry.type(description="A row refused, and why; the rest of the file was imported.")
class RefusedRow:
    line: int
    reason: str
    field: str | None


@strawberry.type(
    description="A new contact who looks like someone already there: see duplicateCandidates."
)
class ImportDuplicate:
    line: int
    full_name: str
    contact_id: strawberry.ID | None
    existing_contact_id: strawberry.ID
    existing_name: str
    score: float
    reasons: list[str]


@strawberry.type(description="What an import did (or, in a dry run, would do).")
class ImportReport:
    format: ImportFormat
    dry_run: bool
    encoding: str = strawberry.field(description="How the file was read, e.g. utf-8, windows-1252.")
    rows_read: int
    created_count: int
    updated_count: int
    skipped_count: int
    refused_count: int
    created: list[ImportedRow]
    updated: list[ImportedRow]
    skipped: list[ImportedRow]
    refused: list[RefusedRow]
    possible_duplicates: list[ImportDuplicate]
    interactions_created: int = strawberry.field(
        description="First interactions made from LinkedIn's Connected On dates."
    )

    @classmethod
    def from_report(cls, report: imports.ImportReport) -> ImportReport:
        dry = report.dry_run
        return cls(
            format=ImportFormat(report.format),
            dry_run=dry,
            encoding=report.encoding,
            rows_read=report.rows_read,
            created_count=len(report.created),
            updated_count=len(report.updated),
            skipped_count=len(report.skipped),
            refused_count=len(report.refused),
            created=[ImportedRow.from_outcome(o, dry, True) for o in report.created],
            updated=[ImportedRow.from_outcome(o, dry, False) for o in report.updated],
            skipped=[ImportedRow.from_outcome(o, dry, o.note is not None) for o in report.skipped],
            refused=[
                RefusedRow(line=r.line, reason=r.reason, field=r.field) for r in report.refused
            ],
            possible_duplicates=[
                ImportDuplicate(
                    line=d.line,
                    full_name=d.full_name,
                    contact_id=None
                    if dry or d.contact_id is None
                    else global_id("Contact", d.contact_id),
                    existing_contact_id=global_id("Contact", d.existing_id),
                    existing_name=d.existing_name,
                    score=d.score,
                    reasons=list(d.reasons),
                )
                for d in report.possible_duplicates
            ],
            interactions_created=report.interactions_created,
        )


@strawberry.type
class ImportContactsPayload:
    report: ImportReport | None
    errors: list[UserError]


@strawberry.type
class ImportMutations:
    @strawberry.mutation(
        description="Import a contact file: matched people are filled in (never overwritten), new ones "
        "created, refused rows reported with their line. Idempotent; one transaction with its audit rows."
    )
    async def import_contacts(
        self, info: Info, input: ImportContactsInput
    ) -> ImportContactsPayload:
        dry_run = bool(input.dry_run)
        report, errors = await run(
            info,
            lambda conn, actor: imports.import_contacts(
                conn, actor, input.format.value, input.data, dry_run=dry_run
            ),
        )
        if report is not None and not dry_run and (report.created or report.updated):
            profiles_changed(info)
        return ImportContactsPayload(
            report=None if report is None else ImportReport.from_report(report), errors=errors
        )
