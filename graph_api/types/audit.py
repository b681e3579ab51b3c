"""`auditLog`: the user's own audit trail, a keyset connection, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
import strawberry
from strawberry.scalars import JSON

from graph_api.context import Info
from graph_api.errors import InvalidInput
from graph_api.queries import audit as audit_queries
from graph_api.types.node import global_id, parse_global_id
from graph_api.types.pages import Connection, top_level_connection

# the type of an operation's first target is its noun (log_interaction → Interaction);
# the rest are contacts, but where an operation says otherwise
TARGET_TYPES = {
    "merge_contacts": ("Contact",),
    "import_contact": ("Contact",),
    "import_contacts": ("Contact",),
    "link_memories": ("MemoryLink", "Memory"),
    "unlink_memories": ("MemoryLink", "Memory"),
    "consolidate_memories": ("Memory",),
    "unconsolidate": ("Memory",),
    "resolve_mention": ("Contact", "Mention"),
    "create_contact_from_mention": ("Contact", "Mention"),
}
MAX_OPERATIONS = 50


def _target_types(operation: str, count: int) -> list[str]:
    if operation in TARGET_TYPES:
        types = TARGET_TYPES[operation]
        return [types[min(i, len(types) - 1)] for i in range(count)]
    noun = operation.split("_", 1)[-1].removesuffix("s")
    first = "".join(part.capitalize() for part in noun.split("_"))
    return [first] + ["Contact"] * (count - 1)


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


@strawberry.type(description="One committed change, as the audit trail recorded it.")
class AuditEntry:
    id: strawberry.ID
    actor: str = strawberry.field(description="Who made it (the user's email).")
    operation: str = strawberry.field(
        description="e.g. create_contact, merge_contacts, import_contacts."
    )
    targets: list[strawberry.ID] = strawberry.field(
        description="The global IDs of what it changed (some may no longer exist)."
    )
    old_values: JSON | None = strawberry.field(
        description="Values before the change; null when forgotten (a deleted contact's)."
    )
    new_values: JSON | None
    request_id: str | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> AuditEntry:
        targets = list(row["target_ids"])
        kinds = _target_types(row["operation"], len(targets))
        return cls(
            id=strawberry.ID(str(row["id"])),
            actor=row["actor"],
            operation=row["operation"],
            targets=[global_id(kind, target) for kind, target in zip(kinds, targets, strict=True)],
            old_values=_json(row["old_values"]),
            new_values=_json(row["new_values"]),
            request_id=row["request_id"],
            created_at=row["created_at"],
        )


@strawberry.input
class AuditLogFilter:
    operation: list[str] | None = strawberry.field(
        default=None, description="Any of these operations."
    )
    target_id: strawberry.ID | None = strawberry.field(
        default=None, description="Changes to this object (any global ID, deleted ones included)."
    )
    after: datetime | None = strawberry.field(default=None, description="At or after this time.")
    before: datetime | None = strawberry.field(default=None, description="Before this time.")

    def to_domain(self) -> audit_queries.AuditFilter:
        operations = tuple(self.operation or ())
        if len(operations) > MAX_OPERATIONS:
            raise InvalidInput(f"at most {MAX_OPERATIONS} operations", field="operation")
        target = None
        if self.target_id is not None:
            parsed = parse_global_id(self.target_id)
            if parsed is None:
                raise InvalidInput("targetId is not an ID", field="targetId")
            target = parsed[1]
        return audit_queries.AuditFilter(
            operations=operations, target_id=target, after=self.after, before=self.before
        )


@strawberry.type
class AuditQuery:
    @strawberry.field(description="The user's own audit trail, newest first.")
    async def audit_log(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: AuditLogFilter | None = None,
    ) -> Connection[AuditEntry]:
        filters = filter.to_domain() if filter else audit_queries.AuditFilter()
        return await top_level_connection(
            info,
            audit_queries.RECENT,
            first=first,
            after=after,
            last=last,
            before=before,
            page=lambda pool, user_id, request: audit_queries.audit_page(
                pool, user_id, filters, request
            ),
            count=lambda pool, user_id: audit_queries.count_audit(pool, user_id, filters),
            node=AuditEntry.from_row,
        )
