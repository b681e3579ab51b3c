"""The audit trail: one row per committed mutation, written in the mutation's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from graph_api.domain.actor import Actor

INSERT_AUDIT_ENTRY = """-- insert_audit_entry
    insert into audit_log (user_id, actor, operation, target_ids, old_values, new_values, request_id)
    values ($1, $2, $3, $4::uuid[], $5::jsonb, $6::jsonb, $7)
"""


def _json(values: dict[str, Any] | None) -> str | None:
    if values is None:
        return None
    # default=str covers what orjson lacks natively (Decimal, numpy scalars); UUIDs
    # and datetimes are encoded by orjson itself
    return orjson.dumps(values, default=str).decode()


async def record(
    conn: asyncpg.Connection,
    actor: Actor,
    operation: str,
    target_ids: list[UUID],
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
) -> None:
    await conn.execute(
        INSERT_AUDIT_ENTRY,
        actor.user_id,
        actor.email,
        operation,
        target_ids,
        _json(old),
        _json(new),
        actor.request_id,
    )


def pick(row: Mapping[str, Any], columns: Iterable[str]) -> dict[str, Any]:
    """The named columns of a row, as a plain dict for the audit trail."""
    return {column: row[column] for column in columns}


def changes(
    before: Mapping[str, Any], after: Mapping[str, Any], columns: Iterable[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Old and new values of the columns that differ between two rows."""
    changed = [column for column in columns if before[column] != after[column]]
    return pick(before, changed), pick(after, changed)
