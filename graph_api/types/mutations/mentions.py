"""resolveMention, createContactFromMention."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from graph_api.context import Info
from graph_api.domain import mention_resolution
from graph_api.types.contact import Contact
from graph_api.types.mention import Mention
from graph_api.types.mutations.common import UserError, profiles_changed, run
from graph_api.types.node import contact_id, decode_id

SAME_NAME = "Also resolve every other unresolved mention of the same name (any case)."


@strawberry.input(description="The new contact's profile; its name defaults to the mention's text.")
class ContactFromMentionInput:
    full_name: str | None = None
    email: str | None = None
    company: str | None = None
    job_title: str | None = None
    location: str | None = None
    tags: list[str] | None = None
    notes: str | None = None


@strawberry.type
class ResolveMentionPayload:
    mentions: list[Mention] = strawberry.field(
        description="The mentions now linked to the contact, the one asked for first."
    )
    contact: Contact | None
    errors: list[UserError]


def _payload(
    result: tuple[Any, list[Any]] | None, errors: list[UserError]
) -> ResolveMentionPayload:
    if result is None:
        return ResolveMentionPayload(mentions=[], contact=None, errors=errors)
    contact, rows = result
    return ResolveMentionPayload(
        mentions=[Mention.from_row(row) for row in rows],
        contact=None if contact is None else Contact.from_row(contact),
        errors=errors,
    )


@strawberry.type
class MentionMutations:
    @strawberry.mutation(
        description="Link a mention (an unresolved one, or one linked to the wrong person) to one of "
        "your contacts: method MANUAL, confidence 1, kept when its text is edited. NOT_FOUND for a "
        "mention or contact that is not yours (or an archived contact)."
    )
    async def resolve_mention(
        self,
        info: Info,
        id: strawberry.ID,
        contact_id: strawberry.ID,
        same_name: Annotated[bool, strawberry.argument(description=SAME_NAME)] = False,
    ) -> ResolveMentionPayload:
        async def resolve(conn, actor):  # type: ignore[no-untyped-def]
            target = _contact(contact_id)
            rows = await mention_resolution.resolve_mention(
                conn, actor, decode_id(id, "Mention", field="id"), target, same_name=same_name
            )
            return target, rows

        result, errors = await run(info, resolve)
        if result is None:
            return _payload(None, errors)
        target, rows = result
        # read after the commit, outside the transaction's connection
        return _payload((await info.context.loaders.contacts.load(target), rows), errors)

    @strawberry.mutation(
        description="Create the contact an unresolved mention names (its text as the full name, "
        "unless `input.fullName` says otherwise) and link the mention to it; CONFLICT when the "
        "mention is already linked (resolveMention changes a link)."
    )
    async def create_contact_from_mention(
        self,
        info: Info,
        id: strawberry.ID,
        input: ContactFromMentionInput | None = None,
        same_name: Annotated[bool, strawberry.argument(description=SAME_NAME)] = True,
    ) -> ResolveMentionPayload:
        fields: dict[str, Any] = {}
        if input is not None:
            fields = {
                name: value
                for name, value in (
                    ("full_name", input.full_name),
                    ("email", input.email),
                    ("company", input.company),
                    ("job_title", input.job_title),
                    ("location", input.location),
                    ("tags", input.tags),
                    ("notes", input.notes),
                )
                if value is not None
            }

        result, errors = await run(
            info,
            lambda conn, actor: mention_resolution.create_contact_from_mention(
                conn, actor, decode_id(id, "Mention", field="id"), fields, same_name=same_name
            ),
        )
        if result is not None:
            profiles_changed(info)
        return _payload(result, errors)


def _contact(value: str) -> Any:
    return contact_id(value, "contactId")
