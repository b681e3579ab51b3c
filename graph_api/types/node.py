"""Relay's `node(id:)` and `nodes(ids:)`: any object by its global ID."""

from __future__ import annotations

import strawberry
from strawberry import relay


@strawberry.type
class NodeQuery:
    node: relay.Node | None = relay.node(
        description="Any object by its global ID; null when not found."
    )
