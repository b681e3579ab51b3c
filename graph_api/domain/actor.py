"""Who is making a change: the user whose network it is, and the request it came in."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Actor:
    user_id: UUID
    email: str
    request_id: str | None = None
