"""Strength formulas against hand-computed values (default parameters throughout).

Defaults used in the arithmetic: recency half-life 30 d, frequency half-life 180 d,
frequency saturation 10, type weights meeting 1.0 / call 0.8 / email 0.5 / message 0.5 /
other 0.3, score = 0.4·recency + 0.4·frequency + 0.2·reciprocity; relationships: shared
half-life 180 d, shared saturation 3, strength = 0.6·explicit + 0.25·shared + 0.15·overlap.
"""

from __future__ import annotations

import copy
import math
import pickle
import uuid
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from graph_api.graph.facts import InteractionFact
from graph_api.graph.strength import (
    ZERO_TIE,
    StrengthParams,
    TieStrength,
    cadence,
    explicit_strength,
    relationship_strength,
    strength_without_recency,
    tie_strength,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
PARAMS = StrengthParams()
CONTACT = uuid.UUID(int=1)


def interaction(
    days_ago: float, type: str = "meeting", direction: str = "mutual"
) -> InteractionFact:
    return InteractionFact(CONTACT, uuid.uuid4(), NOW - timedelta(days=days_ago), type, direction)


# ----- user ↔ contact


def test_no_interactions_is_a_zero_tie() -> None:
    assert tie_strength([], NOW, PARAMS) == ZERO_TIE
    assert TieStrength(0.0, 0.0, 0.0, 0.0, 0, None) == ZERO_TIE


def test_one_meeting_today() -> None:
    tie = tie_strength([interaction(0)], NOW, PARAMS)
    # recency 0.5**(0/30) = 1
    assert tie.recency == 1.0
    # frequency 1 - exp(-1.0·0.5**(0/180) / 10) = 1 - exp(-0.1) = 0.0951626
    assert tie.frequency == pytest.approx(0.0951626, abs=1e-7)
    # mutual counts as one inbound and one outbound: 2·min(1, 1)/(1 + 1) = 1
    assert tie.reciprocity == 1.0
    # 0.4·1 + 0.4·0.0951626 + 0.2·1 = 0.6380650
    assert tie.score == pytest.approx(0.6380650, abs=1e-7)
    assert tie.interaction_count == 1
    assert tie.last_interaction_at == NOW


def test_one_meeting_thirty_days_ago_has_half_the_recency() -> None:
    tie = tie_strength([interaction(30)], NOW, PARAMS)
    # 0.5**(30/30) = 0.5, exactly
    assert tie.recency == 0.5
    # 1 - exp(-0.5**(30/180) / 10) = 1 - exp(-0.0890899) = 0.0852366
    assert tie.frequency == pytest.approx(0.0852366, abs=1e-7)
    # 0.4·0.5 + 0.4·0.0852366 + 0.2·1 = 0.4340947
    assert tie.score == pytest.approx(0.4340947, abs=1e-7)


def test_reciprocity_is_the_balance_of_inbound_and_outbound() -> None:
    def reciprocity(*directions: str) -> float:
        facts = [interaction(1, "email", direction) for direction in directions]
        return tie_strength(facts, NOW, PARAMS).reciprocity

    assert reciprocity("inbound", "inbound", "inbound") == 0.0  # only the contact writes
    assert reciprocity("outbound") == 0.0  # only the user writes
    assert reciprocity("inbound", "outbound", "inbound", "outbound") == 1.0
    # 3 in, 1 out: 2·1/4 = 0.5
    assert reciprocity("inbound", "inbound", "inbound", "outbound") == 0.5
    # mutual + inbound: 2 in, 1 out: 2·1/3
    assert reciprocity("mutual", "inbound") == pytest.approx(2 / 3)


def test_inbound_only_scores_below_balanced() -> None:
    # same count, types and times: only the direction differs
    one_sided = [interaction(2, "email", "inbound"), interaction(2, "email", "inbound")]
    balanced = [interaction(2, "email", "inbound"), interaction(2, "email", "outbound")]
    one_sided_tie = tie_strength(one_sided, NOW, PARAMS)
    balanced_tie = tie_strength(balanced, NOW, PARAMS)
    assert one_sided_tie.reciprocity == 0.0 and balanced_tie.reciprocity == 1.0
    # the whole reciprocity weight separates them: 0.2·(1 - 0)
    assert balanced_tie.score - one_sided_tie.score == pytest.approx(0.2)


def test_a_meeting_weighs_more_than_an_email() -> None:
    meeting = tie_strength([interaction(0, "meeting", "outbound")], NOW, PARAMS)
    email = tie_strength([interaction(0, "email", "outbound")], NOW, PARAMS)
    # 1 - exp(-1.0/10) = 0.0951626 against 1 - exp(-0.5/10) = 0.0487706
    assert meeting.frequency == pytest.approx(0.0951626, abs=1e-7)
    assert email.frequency == pytest.approx(0.0487706, abs=1e-7)
    # scores differ by 0.4·(0.0951626 - 0.0487706) = 0.0185568
    assert meeting.score - email.score == pytest.approx(0.0185568, abs=1e-7)
    call = tie_strength([interaction(0, "call", "outbound")], NOW, PARAMS)
    other = tie_strength([interaction(0, "other", "outbound")], NOW, PARAMS)
    assert meeting.score > call.score > email.score > other.score


def test_frequency_reaches_one_minus_one_over_e_at_saturation() -> None:
    # ten meetings today: 10·1.0 = saturation → 1 - 1/e
    tie = tie_strength([interaction(0) for _ in range(10)], NOW, PARAMS)
    assert tie.frequency == pytest.approx(1 - math.exp(-1))
    assert tie.interaction_count == 10


def test_the_same_interaction_twice_counts_once() -> None:
    fact = interaction(3)
    assert tie_strength([fact, fact], NOW, PARAMS) == tie_strength([fact], NOW, PARAMS)


def test_an_interaction_in_the_future_counts_as_now() -> None:
    tie = tie_strength([interaction(-5)], NOW, PARAMS)
    assert tie.recency == 1.0
    assert tie.last_interaction_at == NOW + timedelta(days=5)


def test_score_stays_within_zero_and_one() -> None:
    tie = tie_strength([interaction(0) for _ in range(500)], NOW, PARAMS)
    assert 0.99 < tie.score <= 1.0


# ----- contact ↔ contact


def test_explicit_strength_comes_from_manual_then_type() -> None:
    assert explicit_strength(0.35, "family", "manual", PARAMS) == 0.35
    assert explicit_strength(None, "family", "manual", PARAMS) == 0.9
    assert explicit_strength(None, "acquaintance", "manual", PARAMS) == 0.3
    # an inferred row asserts nothing unless someone entered a strength
    assert explicit_strength(None, "colleague", "inferred", PARAMS) is None
    assert explicit_strength(0.7, "colleague", "inferred", PARAMS) == 0.7
    assert explicit_strength(1.4, "friend", "manual", PARAMS) == 1.0


def test_explicit_relationship_only() -> None:
    # 0.6·0.8 + 0.25·0 + 0.15·0 = 0.48
    assert relationship_strength(0.8, [], 0.0, NOW, PARAMS) == pytest.approx(0.48)


def test_inferred_tie_from_shared_interactions() -> None:
    today = [NOW, NOW, NOW]
    # shared = 1 - exp(-3/3) = 0.6321206; 0.25·0.6321206 + 0.15·0.5 = 0.2330302
    assert relationship_strength(None, today, 0.5, NOW, PARAMS) == pytest.approx(
        0.2330302, abs=1e-7
    )
    half_year_ago = [NOW - timedelta(days=180)] * 2
    # two at half weight: 1 - exp(-(0.5 + 0.5)/3) = 0.2834687; 0.25·0.2834687 = 0.0708672
    assert relationship_strength(None, half_year_ago, 0.0, NOW, PARAMS) == pytest.approx(
        0.0708672, abs=1e-7
    )


@pytest.mark.parametrize(("explicit", "jaccard"), [(None, 0.0), (0.5, 0.3), (1.0, 1.0)])
def test_strength_grows_with_every_shared_interaction(
    explicit: float | None, jaccard: float
) -> None:
    moments = [NOW - timedelta(days=d) for d in range(0, 600, 10)]
    scores = [
        relationship_strength(explicit, moments[:count], jaccard, NOW, PARAMS)
        for count in range(len(moments) + 1)
    ]
    assert all(later > earlier for earlier, later in pairwise(scores))


def test_relationship_strength_is_clamped() -> None:
    many = [NOW] * 1000
    assert relationship_strength(1.0, many, 1.0, NOW, PARAMS) <= 1.0
    assert relationship_strength(1.0, [], 7.0, NOW, PARAMS) == pytest.approx(0.75)
    assert relationship_strength(None, [], -2.0, NOW, PARAMS) == 0.0


# ----- going cold helpers


def test_strength_without_recency_rescales_the_other_parts() -> None:
    tie = TieStrength(0.5, 0.0, 0.6, 0.9, 12, NOW)
    # (0.4·0.6 + 0.2·0.9) / 0.6 = 0.7
    assert strength_without_recency(tie, PARAMS) == pytest.approx(0.7)


def test_cadence_is_the_median_gap_between_occasions() -> None:
    weekly = [NOW - timedelta(days=7 * k) for k in range(6)]
    assert cadence(weekly, PARAMS).usual_gap_days == pytest.approx(7.0)
    # gaps 1, 2, 10 days: median 2
    irregular = [NOW, NOW - timedelta(days=1), NOW - timedelta(days=3), NOW - timedelta(days=13)]
    assert cadence(irregular, PARAMS).usual_gap_days == pytest.approx(2.0)


def test_a_thread_of_emails_is_one_occasion() -> None:
    moments = []
    for week in range(4):
        start = NOW - timedelta(days=7 * week)
        moments += [start, start + timedelta(minutes=20), start + timedelta(hours=3)]
    rhythm = cadence(moments, PARAMS)
    assert rhythm.occasions == 4
    assert rhythm.usual_gap_days == pytest.approx(7.0)
    assert cadence([NOW], PARAMS).usual_gap_days is None


# ----- parameters


def test_parameters_are_validated() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        StrengthParams(weight_recency=0.5)
    with pytest.raises(ValueError, match="weight_shared"):
        StrengthParams(weight_explicit=0.85, weight_shared=0.0, weight_overlap=0.15)
    with pytest.raises(ValueError, match="recency_half_life_days"):
        StrengthParams(recency_half_life_days=0)
    with pytest.raises(ValueError, match="cold_min_interactions"):
        StrengthParams(cold_min_interactions=1)


def test_parameters_are_immutable_and_hashable() -> None:
    weights = {"meeting": 2.0, "email": 1.0}
    params = StrengthParams(type_weights=weights)
    weights["meeting"] = 0.0  # the caller's dict is copied, not shared
    assert params.type_weights["meeting"] == 2.0
    assert hash(params) == hash(StrengthParams(type_weights={"email": 1.0, "meeting": 2.0}))
    assert params == StrengthParams(type_weights={"email": 1.0, "meeting": 2.0})
    assert pickle.loads(pickle.dumps(params)) == params
    assert copy.deepcopy(params) == params
