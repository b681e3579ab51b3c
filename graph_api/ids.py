"""Global IDs: base64("Type:uuid"), as Relay clients expect.

Below every layer that shows an ID to someone (the API's `Node.id`, the graph
export's node ids), so they all spell an object the same way.
"""

from __future__ import annotations

import base64
import binascii
from uuid import UUID


def global_id(type_name: str, row_id: UUID) -> str:
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


def parse_global_id(value: str) -> tuple[str, UUID] | None:
    """(type name, uuid), or None for anything that is not one of our IDs."""
    if not isinstance(value, str) or len(value) > 200:
        return None
    try:
        type_name, _, raw = base64.b64decode(value, validate=True).decode().partition(":")
        return type_name, UUID(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
