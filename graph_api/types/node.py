"""The Relay `Node` interface and global IDs (encoded in `graph_api/ids.py`).

A global ID is base64("Type:uuid"), as Relay clients expect. It is computed once
when an object is built (a plain attribute, no resolver per field). Any ID that
is malformed, of the wrong type, missing, or another user's decodes or loads to
the same NOT_FOUND answer, so none of those cases can be told apart.
"""

from __future__ import annotations

from uuid import UUID

import strawberry

from graph_api import ids
from graph_api.errors import NotFound
from graph_api.ids import parse_global_id as parse_global_id


@strawberry.interface(description="An object with a globally unique ID.")
class Node:
    id: strawberry.ID = strawberry.field(description="The globally unique ID of this object.")


def global_id(type_name: str, row_id: UUID) -> strawberry.ID:
    return strawberry.ID(ids.global_id(type_name, row_id))


def contact_id(value: str, field: str) -> UUID:
    """The uuid of a Contact's global ID, or NOT_FOUND naming `field`."""
    return decode_id(value, "Contact", field=field)


def decode_id(value: str, type_name: str, *, field: str, label: str | None = None) -> UUID:
    """The uuid inside a global ID of `type_name`, or NOT_FOUND naming `field`."""
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] != type_name:
        raise NotFound(f"{label or type_name} not found", field=field)
    return parsed[1]
