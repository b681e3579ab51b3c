"""Domain errors, raised in the domain and translated to GraphQL codes in one place
(`graph_api.error_codes`)."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """An error the client caused or can act on; its message is safe to show."""

    code: ClassVar[str] = "BAD_USER_INPUT"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    code = "BAD_USER_INPUT"


class NotFound(DomainError):
    code = "NOT_FOUND"


class Conflict(DomainError):
    code = "CONFLICT"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class ServiceUnavailable(DomainError):
    """The database cannot be reached; the client may retry."""

    code = "SERVICE_UNAVAILABLE"


class DeadlineExceeded(DomainError):
    """The request ran past its whole-execution deadline (on any transport)."""

    code = "TIMEOUT"

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the request took longer than {seconds:g} s; ask for less")


class TooManyOperations(DomainError):
    """More operations at once than one connection may run."""

    code = "RATE_LIMITED"
