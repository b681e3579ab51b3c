"""Honest codes for trouble: what a client should do next follows from the code."""

from __future__ import annotations

import asyncpg
import pytest
from graphql import GraphQLError

from graph_api.db.tenant import TransactionConflict
from graph_api.error_codes import INTERNAL_MESSAGE, coded, with_codes
from graph_api.errors import DeadlineExceeded, TooManyOperations


def code_of(original: Exception) -> dict[str, object]:
    [error] = with_codes([GraphQLError("raw", original_error=original)], "req-1")
    return dict(error.extensions or {})


def test_a_write_that_lost_every_race_is_a_retryable_conflict() -> None:
    assert code_of(TransactionConflict("3 times")) == {"code": "CONFLICT", "retryable": True}


def test_a_statement_timeout_is_not_service_unavailable() -> None:
    assert code_of(asyncpg.QueryCanceledError("canceling statement due to statement timeout")) == {
        "code": "TIMEOUT",
        "requestId": "req-1",
    }


@pytest.mark.parametrize(
    "original",
    [asyncpg.DataError("invalid input syntax for type uuid"), ValueError("boom")],
)
def test_our_own_sql_refusing_a_value_is_internal_and_masked(original: Exception) -> None:
    [error] = with_codes([GraphQLError("raw", original_error=original)], "req-1")
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-1"}
    assert "uuid" not in error.message and "boom" not in error.message


def test_a_transports_own_errors_get_their_codes_here() -> None:
    assert coded(DeadlineExceeded(2.5), "req-1").extensions == {"code": "TIMEOUT"}
    assert coded(TooManyOperations("too many"), "req-1").extensions == {"code": "RATE_LIMITED"}
    internal = coded(None, "req-1")
    assert internal.extensions == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-1"}
    assert internal.message == INTERNAL_MESSAGE
