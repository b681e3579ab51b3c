"""What every mutation shares: UserError, the transaction, and ID decoding.

A mutation's expected failures (bad input, not found, conflict) come back in its
payload's `errors` with the offending field, and nothing is written: the domain
function and its audit row share one transaction, rolled back on any error. The
transaction sees only the user's rows (row-level security, `SET LOCAL`), and one
that deadlocks or fails to serialize is run again from the start, a few times
(`graph_api.db.tenant.write_transaction`), before `TransactionConflict` surfaces.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import strawberry

from graph_api.context import Info
from graph_api.db.tenant import write_transaction
from graph_api.domain.actor import Actor
from graph_api.errors import DomainError

T = TypeVar("T")


@strawberry.type(description="Why a mutation did not happen; nothing was written.")
class UserError:
    code: str = strawberry.field(description="BAD_USER_INPUT, NOT_FOUND or CONFLICT.")
    message: str
    field: str | None = strawberry.field(description="The input field at fault, when one is.")

    @classmethod
    def from_error(cls, error: DomainError) -> UserError:
        return cls(code=error.code, message=error.message, field=error.field)


@strawberry.type(description="The result of a delete: the ID that no longer exists.")
class DeletePayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


async def run(
    info: Info, action: Callable[[asyncpg.Connection, Actor], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """Run `action` in one transaction as the authenticated user (again, from the
    start, when the transaction loses a race: `action` may run more than once)."""
    viewer = info.context.user
    actor = Actor(user_id=viewer.id, email=viewer.email, request_id=info.context.request_id)
    try:
        result = await write_transaction(
            info.context.pool, viewer.id, lambda conn: action(conn, actor)
        )
    except DomainError as error:
        return None, [UserError.from_error(error)]
    info.context.after_write()
    return result, []


def profiles_changed(info: Info) -> None:
    """A contact's profile may have changed: its embedding is refreshed in the background."""
    if info.context.pending_embedder is not None:
        info.context.pending_embedder.wake(profiles_of=info.context.user_id)


def given(source: Any, names: dict[str, str]) -> dict[str, Any]:
    """Input fields the client actually sent (UNSET ones are absent), by column name."""
    return {
        column: getattr(source, attribute)
        for attribute, column in names.items()
        if getattr(source, attribute) is not strawberry.UNSET
    }
