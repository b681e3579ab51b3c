"""An interest's effective confidence, on hand-computed cases (docs/graph.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graph_api.graph.strength import StrengthParams, interest_confidence
from graph_api.settings import Settings

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_three_years_unreinforced_is_an_eighth_of_its_confidence() -> None:
    # 0.6 · 0.5^(1095 / 365) = 0.6 · 0.125 = 0.075
    assert interest_confidence(0.6, NOW - timedelta(days=1095), NOW, 365) == pytest.approx(0.075)


def test_just_reinforced_is_the_stored_confidence_and_a_clock_behind_never_raises_it() -> None:
    assert interest_confidence(0.6, NOW, NOW, 365) == pytest.approx(0.6)
    assert interest_confidence(0.6, NOW + timedelta(days=3), NOW, 365) == pytest.approx(0.6)


def test_half_a_half_life() -> None:
    # 0.8 · 0.5^(45 / 90) = 0.8 / √2 ≈ 0.565685
    assert interest_confidence(0.8, NOW - timedelta(days=45), NOW, 90) == pytest.approx(
        0.565685, abs=1e-6
    )


def test_the_half_life_is_a_setting() -> None:
    assert StrengthParams().interest_half_life_days == 365
    settings = Settings.from_env({"GRAPH_API_INTEREST_HALF_LIFE_DAYS": "30"})
    assert settings.strength.interest_half_life_days == 30
    with pytest.raises(ValueError):
        StrengthParams(interest_half_life_days=0)


def test_the_clock_counts_whole_utc_days_so_reads_on_one_day_agree() -> None:
    # reinforced late on 30 November (UTC), read in the first and last second of 1 December:
    # one day either way, 0.8 · 0.5^(1 / 365)
    late = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)
    one_day = round(0.8 * 0.5 ** (1 / 365), 6)
    assert interest_confidence(0.8, late, NOW, 365) == one_day
    assert interest_confidence(0.8, late, NOW + timedelta(hours=23, minutes=59), 365) == one_day
    # the same day: no decay yet
    assert interest_confidence(0.8, NOW, NOW + timedelta(hours=23), 365) == 0.8
