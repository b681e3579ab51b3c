"""createContact, updateContact, archiveContact, restoreContact, deleteContact, mergeContacts."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg
import strawberry

from graph_api.context import Info
from graph_api.domain import contacts, forgetting
from graph_api.domain.actor import Actor
from graph_api.types.contact import Contact
from graph_api.types.mutations.common import (
    DeletePayload,
    UserError,
    given,
    profiles_changed,
    run,
)
from graph_api.types.node import contact_id, global_id

PROFILE = {
    "full_name": "full_name",
    "email": "email",
    "phone": "phone",
    "company": "company",
    "job_title": "job_title",
    "location": "location",
    "bio": "bio",
    "tags": "tags",
    "notes": "notes",
    "birthday": "birthday",
}


@strawberry.input
class CreateContactInput:
    full_name: str
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    job_title: str | None = None
    location: str | None = None
    bio: str | None = None
    tags: list[str] | None = None
    notes: str | None = None
    birthday: date | None = strawberry.field(
        default=None,
        description="Their day of birth: a BIRTHDAY notification comes in the week before it.",
    )


@strawberry.input(description="Only the fields sent change; null clears an optional field.")
class UpdateContactInput:
    full_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    company: str | None = strawberry.UNSET
    job_title: str | None = strawberry.UNSET
    location: str | None = strawberry.UNSET
    bio: str | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET
    birthday: date | None = strawberry.UNSET


@strawberry.type(description="Something worth a look about a change that was made.")
class PayloadWarning:
    code: str = strawberry.field(description="e.g. EMAIL_EXISTS.")
    message: str
    field: str | None
    contact_ids: list[strawberry.ID] = strawberry.field(
        description="The contacts the warning is about (e.g. those already using the email)."
    )


@strawberry.type
class ContactPayload:
    contact: Contact | None
    errors: list[UserError]
    warnings: list[PayloadWarning] = strawberry.field(
        default_factory=list,
        description="The change was made, but look: e.g. another contact has this email "
        "(duplicateCandidates and mergeContacts resolve it).",
    )


def _payload(
    row: object | None, errors: list[UserError], warnings: list[PayloadWarning] | None = None
) -> ContactPayload:
    return ContactPayload(
        contact=None if row is None else Contact.from_row(row),
        errors=errors,
        warnings=warnings or [],
    )


def _email_warning(others: list[Any]) -> list[PayloadWarning]:
    if not others:
        return []
    names = ", ".join(other["full_name"] for other in others)
    return [
        PayloadWarning(
            code="EMAIL_EXISTS",
            message=f"another contact already has this email: {names}",
            field="email",
            contact_ids=[global_id("Contact", other["id"]) for other in others],
        )
    ]


def _profile_payload(
    info: Info,
    row: object | None,
    errors: list[UserError],
    warnings: list[PayloadWarning] | None = None,
) -> ContactPayload:
    if row is not None:
        profiles_changed(info)
    return _payload(row, errors, warnings)


@strawberry.type
class ContactMutations:
    @strawberry.mutation(description="Add a person to the network.")
    async def create_contact(self, info: Info, input: CreateContactInput) -> ContactPayload:
        fields = {column: getattr(input, attribute) for attribute, column in PROFILE.items()}
        fields["tags"] = fields["tags"] or []

        async def create(conn: asyncpg.Connection, actor: Actor) -> tuple[Any, list[Any]]:
            row = await contacts.create_contact(conn, actor, fields)
            return row, await forgetting.same_email(conn, actor, row["id"], row["email"])

        created, errors = await run(info, create)
        if created is None:
            return _payload(None, errors)
        row, others = created
        return _profile_payload(info, row, errors, _email_warning(others))

    @strawberry.mutation(description="Change a contact's profile; only the fields sent change.")
    async def update_contact(
        self, info: Info, id: strawberry.ID, input: UpdateContactInput
    ) -> ContactPayload:
        fields = given(input, PROFILE)
        if "tags" in fields and fields["tags"] is None:
            fields["tags"] = []

        async def update(conn: asyncpg.Connection, actor: Actor) -> tuple[Any, list[Any]]:
            row = await contacts.update_contact(conn, actor, contact_id(id, "id"), fields)
            if "email" not in fields:
                return row, []
            return row, await forgetting.same_email(conn, actor, row["id"], row["email"])

        updated, errors = await run(info, update)
        if updated is None:
            return _payload(None, errors)
        row, others = updated
        return _profile_payload(info, row, errors, _email_warning(others))

    @strawberry.mutation(
        description="Hide a contact from lists (soft delete); `restoreContact` undoes it."
    )
    async def archive_contact(self, info: Info, id: strawberry.ID) -> ContactPayload:
        return _payload(
            *await run(
                info,
                lambda conn, actor: contacts.archive_contact(conn, actor, contact_id(id, "id")),
            )
        )

    @strawberry.mutation(description="Bring an archived contact back.")
    async def restore_contact(self, info: Info, id: strawberry.ID) -> ContactPayload:
        return _payload(
            *await run(
                info,
                lambda conn, actor: contacts.restore_contact(conn, actor, contact_id(id, "id")),
            )
        )

    @strawberry.mutation(
        description="Delete a contact and everything about them, for good (the right to be forgotten)."
    )
    async def delete_contact(self, info: Info, id: strawberry.ID) -> DeletePayload:
        async def delete(conn: asyncpg.Connection, actor: Actor) -> Any:
            target = contact_id(id, "id")
            # the interactions they were alone in go too, in the same transaction
            await forgetting.forget_solo_interactions(conn, actor, target)
            return await contacts.delete_contact(conn, actor, target)

        deleted, errors = await run(info, delete)
        return DeletePayload(
            deleted_id=None if deleted is None else global_id("Contact", deleted), errors=errors
        )

    @strawberry.mutation(
        description="Fold duplicates into the primary contact: interactions, interests (evidence merged), "
        "memories and relationships move over, edges are de-duplicated, the duplicates are deleted. "
        "All or nothing."
    )
    async def merge_contacts(
        self, info: Info, primary_id: strawberry.ID, duplicate_ids: list[strawberry.ID]
    ) -> ContactPayload:
        async def merge(conn, actor):  # type: ignore[no-untyped-def]
            duplicates = [
                contact_id(i, "duplicateIds") for i in duplicate_ids[: contacts.MAX_DUPLICATES + 1]
            ]
            return await contacts.merge_contacts(
                conn, actor, contact_id(primary_id, "primaryId"), duplicates
            )

        return _profile_payload(info, *await run(info, merge))
