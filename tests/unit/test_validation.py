"""Input checks: values come back in their stored form, or the error names the input field."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from graph_api.domain import validation
from graph_api.errors import InvalidInput


def raises_for(field: str) -> pytest.RaisesExc[InvalidInput]:
    return pytest.raises(InvalidInput, check=lambda error: error.field == field)


# -- text ---------------------------------------------------------------------


def test_optional_text_is_trimmed() -> None:
    assert validation.optional_text("  Ada  ", field="company", max_length=10) == "Ada"


@pytest.mark.parametrize("value", [None, "", "   ", "\n\t"])
def test_optional_text_absent_or_blank_is_none(value: str | None) -> None:
    assert validation.optional_text(value, field="company", max_length=10) is None


def test_optional_text_length_counts_after_trimming() -> None:
    assert validation.optional_text(" " + "x" * 10 + " ", field="bio", max_length=10) == "x" * 10
    with raises_for("bio") as error:
        validation.optional_text("x" * 11, field="bio", max_length=10)
    assert "10" in error.value.message


@pytest.mark.parametrize("value", [42, ["a"], b"bytes"])
def test_text_must_be_a_string(value: object) -> None:
    with raises_for("jobTitle"):
        validation.optional_text(value, field="jobTitle", max_length=10)


def test_text_refuses_nul_characters() -> None:
    with raises_for("notes"):
        validation.optional_text("a\x00b", field="notes", max_length=10)


def test_optional_text_can_lowercase_before_measuring() -> None:
    assert validation.optional_text(" AI ", field="topic", max_length=2, lowercase=True) == "ai"


@pytest.mark.parametrize("value", [None, "", "  "])
def test_required_text_refuses_absent_or_blank(value: str | None) -> None:
    with raises_for("fullName") as error:
        validation.required_text(value, field="fullName", max_length=200)
    assert "required" in error.value.message


def test_required_text_is_trimmed_and_bounded() -> None:
    assert validation.required_text(" Ada Lovelace ", field="fullName", max_length=200) == (
        "Ada Lovelace"
    )
    with raises_for("fullName"):
        validation.required_text("x" * 201, field="fullName", max_length=200)


# -- email --------------------------------------------------------------------


def test_email_is_trimmed_and_lowercased() -> None:
    assert validation.email("  Ada@Example.COM ") == "ada@example.com"


@pytest.mark.parametrize("value", [None, "", "  "])
def test_email_absent_or_blank_is_none(value: str | None) -> None:
    assert validation.email(value) is None


@pytest.mark.parametrize(
    "value", ["ada", "ada@", "@example.com", "ada@example", "a da@example.com", "a@b@c.com"]
)
def test_email_syntax_is_checked(value: str) -> None:
    with raises_for("email"):
        validation.email(value)


def test_email_length_is_bounded() -> None:
    with raises_for("email"):
        validation.email("a" * 310 + "@example.com")


# -- numbers ------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(0, 0.0), (1, 1.0), (0.25, 0.25)])
def test_number_within_bounds(value: float, expected: float) -> None:
    assert validation.number(value, field="strength", minimum=0, maximum=1) == expected


def test_number_absent_is_none() -> None:
    assert validation.number(None, field="strength", minimum=0, maximum=1) is None


def test_number_accepts_decimals() -> None:
    assert validation.number(Decimal("0.5"), field="x", minimum=0, maximum=1) == 0.5


@pytest.mark.parametrize("value", [-1.01, 1.01, math.nan, math.inf, -math.inf])
def test_number_out_of_range_or_not_finite(value: float) -> None:
    with raises_for("sentiment"):
        validation.number(value, field="sentiment", minimum=-1, maximum=1)


@pytest.mark.parametrize("value", [True, "0.5", [0.5]])
def test_number_must_be_a_number(value: object) -> None:
    with raises_for("importance"):
        validation.number(value, field="importance", minimum=0, maximum=1)


def test_whole_number() -> None:
    assert validation.whole_number(30, field="durationMinutes", minimum=0, maximum=100) == 30
    assert validation.whole_number(None, field="durationMinutes", minimum=0, maximum=100) is None
    for value in (-1, 101, 1.5, True):
        with raises_for("durationMinutes"):
            validation.whole_number(value, field="durationMinutes", minimum=0, maximum=100)


# -- choices ------------------------------------------------------------------


def test_choice_accepts_only_allowed_lowercase_values() -> None:
    allowed = frozenset({"email", "call"})
    assert validation.choice("call", field="type", allowed=allowed) == "call"
    for value in ("CALL", "telegram", None, 1):
        with raises_for("type") as error:
            validation.choice(value, field="type", allowed=allowed)
        assert "call, email" in error.value.message


# -- tags ---------------------------------------------------------------------


def test_tags_are_trimmed_lowercased_and_deduplicated_in_order() -> None:
    assert validation.tags([" Rust ", "python", "RUST", "Go", "python"]) == ["rust", "python", "go"]


def test_tags_absent_is_empty() -> None:
    assert validation.tags(None) == []
    assert validation.tags([]) == []


def test_tags_limits() -> None:
    assert len(validation.tags([f"t{i}" for i in range(50)])) == 50
    # duplicates are merged, but the list is measured as sent
    assert validation.tags(["a"] * 50) == ["a"]
    with raises_for("tags"):
        validation.tags([f"t{i}" for i in range(51)])
    assert validation.tags(["x" * 50]) == ["x" * 50]
    with raises_for("tags"):
        validation.tags(["x" * 51])


@pytest.mark.parametrize("value", ["rust", [" "], ["ok", 3], [None], {"a": 1}])
def test_tags_must_be_a_list_of_non_blank_strings(value: object) -> None:
    with raises_for("tags"):
        validation.tags(value)


def test_tags_error_names_the_given_field() -> None:
    with raises_for("memoryTags"):
        validation.tags("x", field="memoryTags")


# -- timestamps ---------------------------------------------------------------

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_timestamp_keeps_an_aware_datetime() -> None:
    moment = datetime(2024, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=2)))
    assert validation.timestamp(moment, field="occurredAt") == moment


def test_timestamp_requires_a_time_zone() -> None:
    with raises_for("occurredAt") as error:
        validation.timestamp(datetime(2024, 1, 1), field="occurredAt")
    assert "time zone" in error.value.message


@pytest.mark.parametrize("value", ["2024-01-01T00:00:00Z", 1_700_000_000, None])
def test_timestamp_must_be_a_datetime(value: object) -> None:
    with raises_for("occurredAt"):
        validation.timestamp(value, field="occurredAt")


def test_timestamp_not_before_1900() -> None:
    assert validation.timestamp(datetime(1900, 1, 1, tzinfo=UTC), field="createdAfter")
    with raises_for("createdAfter"):
        validation.timestamp(datetime(1899, 12, 31, 23, 59, tzinfo=UTC), field="createdAfter")
    # 1900-01-01 00:30 at UTC+1 is still 1899 in UTC
    early = datetime(1900, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    with raises_for("createdAfter"):
        validation.timestamp(early, field="createdAfter")


def test_timestamp_future_bound() -> None:
    a_day = timedelta(days=1)
    assert validation.timestamp(NOW + a_day, field="occurredAt", max_future=a_day, now=NOW)
    with raises_for("occurredAt"):
        validation.timestamp(
            NOW + a_day + timedelta(seconds=1), field="occurredAt", max_future=a_day, now=NOW
        )
    # without a bound the far future is fine
    assert validation.timestamp(NOW + timedelta(days=3650), field="expiresAt", now=NOW)


def test_interaction_time_allows_a_day_ahead_not_more() -> None:
    now = datetime.now(UTC)
    assert validation.interaction_time(now + timedelta(hours=23))
    with raises_for("occurredAt"):
        validation.interaction_time(now + timedelta(days=2))


# -- ids ----------------------------------------------------------------------


def test_ids_keep_order_and_parse_strings() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    assert validation.ids(
        [first, str(second)], field="participantIds", min_items=1, max_items=5
    ) == [
        first,
        second,
    ]


def test_ids_bounds_and_repeats() -> None:
    one = uuid.uuid4()
    with raises_for("participantIds"):
        validation.ids([], field="participantIds", min_items=1, max_items=2)
    with raises_for("participantIds"):
        validation.ids(
            [uuid.uuid4() for _ in range(3)], field="participantIds", min_items=1, max_items=2
        )
    with raises_for("participantIds") as error:
        validation.ids([one, one], field="participantIds", min_items=1, max_items=2)
    assert "repeat" in error.value.message


@pytest.mark.parametrize("value", ["not-a-list", ["not-a-uuid"], [None], None])
def test_ids_must_be_a_list_of_ids(value: object) -> None:
    with raises_for("duplicateIds"):
        validation.ids(value, field="duplicateIds", min_items=0, max_items=5)


def test_list_sizes_are_checked_before_any_item_is() -> None:
    # 51 copies of one tag: refused by the count, not after deduplicating to one
    with pytest.raises(InvalidInput, match="at most 50 tags"):
        validation.tags(["same"] * (validation.MAX_TAGS + 1))
    # a long list is refused before its items are looked at (a bad item would say so)
    with pytest.raises(InvalidInput, match="at most 50 tags"):
        validation.tags([None] * 100_000)
    with pytest.raises(InvalidInput, match="between 1 and 3 ids"):
        validation.ids(["not an id"] * 100_000, field="ids", min_items=1, max_items=3)
