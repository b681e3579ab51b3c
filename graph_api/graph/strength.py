"""Tie strength formulas: pure functions of interactions, time and parameters.

Strength is meant to be explained, not trusted blindly: every score is a weighted mix
of parts that are themselves exposed (recency, frequency, reciprocity for the user's
ties). docs/graph.md states each formula with its defaults; the unit tests check them
against hand-computed values.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from graph_api.graph.facts import InteractionFact

SECONDS_PER_DAY = 86_400.0
# interests' effective confidence, rounded (interest_confidence)
EFFECTIVE_DECIMALS = 6
# floats summing to 1 rarely do so exactly (0.1 + 0.2 != 0.3)
WEIGHT_SUM_TOLERANCE = 1e-9

DEFAULT_TYPE_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"meeting": 1.0, "call": 0.8, "message": 0.5, "email": 0.5, "other": 0.3}
)
DEFAULT_RELATIONSHIP_TYPE_STRENGTH: Mapping[str, float] = MappingProxyType(
    {
        "family": 0.9,
        "friend": 0.8,
        "mentor": 0.7,
        "colleague": 0.6,
        "client": 0.5,
        "vendor": 0.5,
        "other": 0.4,
        "acquaintance": 0.3,
    }
)


def _frozen(mapping: Mapping[str, float]) -> Mapping[str, float]:
    # a private copy: a caller mutating its dict later must not change the params
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class StrengthParams:
    """Every tunable number of the strength formulas, with its documented default."""

    # user ↔ contact
    recency_half_life_days: float = 30.0
    frequency_half_life_days: float = 180.0
    # decayed, type-weighted interaction count at which frequency reaches 1 - 1/e ≈ 0.63:
    # about one meeting every two to three weeks, kept up for months
    frequency_saturation: float = 10.0
    type_weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_TYPE_WEIGHTS)
    weight_recency: float = 0.4
    weight_frequency: float = 0.4
    weight_reciprocity: float = 0.2
    # contact ↔ contact
    relationship_type_strength: Mapping[str, float] = field(
        default_factory=lambda: DEFAULT_RELATIONSHIP_TYPE_STRENGTH
    )
    shared_half_life_days: float = 180.0
    # three recent shared interactions give shared ≈ 0.63
    shared_saturation: float = 3.0
    weight_explicit: float = 0.6
    weight_shared: float = 0.25
    weight_overlap: float = 0.15
    # going cold
    cold_cadence_multiple: float = 3.0
    cold_min_interactions: int = 3
    cold_min_strength: float = 0.4
    # interactions within this many hours of an occasion's first one (an email thread, a
    # call after a meeting) count as one occasion when measuring the usual cadence
    occasion_window_hours: float = 12.0
    # interests: a topic not seen again for a year counts half as much (docs/graph.md)
    interest_half_life_days: float = 365.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "type_weights", _frozen(self.type_weights))
        object.__setattr__(
            self, "relationship_type_strength", _frozen(self.relationship_type_strength)
        )
        _check_params(self)

    def __hash__(self) -> int:
        # hashable (mappings as sorted items) so params can be part of a cache key
        return hash(tuple(_hashable(getattr(self, f.name)) for f in fields(self)))

    def __reduce__(self) -> tuple[type[StrengthParams], tuple[Any, ...]]:
        # a mappingproxy cannot be pickled: rebuild from plain dicts (copy, process pools)
        return (type(self), tuple(_plain(getattr(self, f.name)) for f in fields(self)))


def _hashable(value: Any) -> Any:
    return tuple(sorted(value.items())) if isinstance(value, Mapping) else value


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else value


def _check_params(params: StrengthParams) -> None:
    _check_weights(
        "user tie", (params.weight_recency, params.weight_frequency, params.weight_reciprocity)
    )
    _check_weights(
        "relationship", (params.weight_explicit, params.weight_shared, params.weight_overlap)
    )
    # a positive shared weight is what makes strength grow with every shared interaction
    if params.weight_shared <= 0:
        raise ValueError("weight_shared must be positive")
    for name in (
        "recency_half_life_days",
        "frequency_half_life_days",
        "frequency_saturation",
        "shared_half_life_days",
        "shared_saturation",
        "cold_cadence_multiple",
        "occasion_window_hours",
        "interest_half_life_days",
    ):
        if not getattr(params, name) > 0:
            raise ValueError(f"{name} must be positive")
    if any(w < 0 for w in params.type_weights.values()):
        raise ValueError("type_weights must not be negative")
    if any(not 0 <= s <= 1 for s in params.relationship_type_strength.values()):
        raise ValueError("relationship_type_strength values must be between 0 and 1")
    if params.cold_min_interactions < 2:
        raise ValueError("cold_min_interactions must be at least 2 (a cadence needs a gap)")


def _check_weights(what: str, weights: tuple[float, float, float]) -> None:
    if any(w < 0 for w in weights):
        raise ValueError(f"{what} weights must not be negative")
    if abs(sum(weights) - 1.0) > WEIGHT_SUM_TOLERANCE:
        raise ValueError(f"{what} weights must sum to 1, got {sum(weights)}")


@dataclass(frozen=True)
class TieStrength:
    """The user's tie to one contact: the score and the parts it is made of."""

    score: float
    recency: float
    frequency: float
    reciprocity: float
    interaction_count: int
    last_interaction_at: datetime | None


ZERO_TIE = TieStrength(0.0, 0.0, 0.0, 0.0, 0, None)


def age_days(moment: datetime, now: datetime) -> float:
    """Days from `moment` to `now`; a moment in the future counts as now, never negative."""
    return max(0.0, (now - moment).total_seconds() / SECONDS_PER_DAY)


def half_life_decay(days: float, half_life_days: float) -> float:
    return math.pow(0.5, days / half_life_days)


def saturate(amount: float, saturation: float) -> float:
    """0 at 0, 1 - 1/e at `saturation`, approaching 1; strictly increasing."""
    return 1.0 - math.exp(-amount / saturation)


def clamp01(value: float) -> float:
    # comparisons, not min(max()): this runs once per tie and per edge of every build
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


def tie_strength(
    interactions: Sequence[InteractionFact], now: datetime, params: StrengthParams
) -> TieStrength:
    """Strength of the user's tie to one contact, from that contact's interactions."""
    unique = list({fact.interaction_id: fact for fact in interactions}.values())
    if not unique:
        return ZERO_TIE
    last = max(fact.occurred_at for fact in unique)
    recency = half_life_decay(age_days(last, now), params.recency_half_life_days)
    frequency = _frequency(unique, now, params)
    reciprocity = _reciprocity(unique)
    score = (
        params.weight_recency * recency
        + params.weight_frequency * frequency
        + params.weight_reciprocity * reciprocity
    )
    return TieStrength(clamp01(score), recency, frequency, reciprocity, len(unique), last)


def _frequency(
    interactions: Sequence[InteractionFact], now: datetime, params: StrengthParams
) -> float:
    # an unknown type counts like "other" rather than vanishing
    fallback = params.type_weights.get("other", 0.0)
    # fsum: exact, so the same interactions in any order give the same bits
    amount = math.fsum(
        params.type_weights.get(fact.type, fallback)
        * half_life_decay(age_days(fact.occurred_at, now), params.frequency_half_life_days)
        for fact in interactions
    )
    return saturate(amount, params.frequency_saturation)


def _reciprocity(interactions: Sequence[InteractionFact]) -> float:
    """1 when the user and the contact reach out equally often, 0 when only one side does.

    A mutual interaction (a meeting, a call) counts as one each way.
    """
    inbound = sum(1 for fact in interactions if fact.direction in ("inbound", "mutual"))
    outbound = sum(1 for fact in interactions if fact.direction in ("outbound", "mutual"))
    total = inbound + outbound
    return 0.0 if total == 0 else 2.0 * min(inbound, outbound) / total


def explicit_strength(
    manual_strength: float | None, relationship_type: str, source: str, params: StrengthParams
) -> float | None:
    """What a stored relationship row says about the tie, before any evidence.

    The manual strength when one was entered; else the type's default for a tie someone
    declared (source manual); None for an inferred row, which asserts nothing by itself.
    """
    if manual_strength is not None:
        return clamp01(manual_strength)
    if source != "manual":
        return None
    return params.relationship_type_strength.get(
        relationship_type, params.relationship_type_strength.get("other", 0.0)
    )


def relationship_strength(
    explicit: float | None,
    shared_occurrences: Sequence[datetime],
    jaccard: float,
    now: datetime,
    params: StrengthParams,
) -> float:
    """Contact↔contact strength: declared tie, shared interactions, common neighbours.

    Every shared interaction adds a positive decayed amount and `weight_shared` is
    positive, so the result grows strictly with the number of shared interactions.
    """
    base = relationship_base(explicit, shared_occurrences, now, params)
    return with_overlap(base, jaccard, params)


def relationship_base(
    explicit: float | None,
    shared_occurrences: Sequence[datetime],
    now: datetime,
    params: StrengthParams,
) -> float:
    """The part of a contact↔contact strength that its own facts decide.

    The overlap part depends on both ends' neighbours, so it changes when a tie next to
    this one does: the graph keeps this part per tie and adds the overlap again then.
    """
    # fsum: exact, so the same meetings read in any order give the same bits (a tie
    # updated from a delta equals the tie a full rebuild makes)
    amount = math.fsum(
        half_life_decay(age_days(moment, now), params.shared_half_life_days)
        for moment in shared_occurrences
    )
    shared = saturate(amount, params.shared_saturation)
    return params.weight_explicit * (explicit or 0.0) + params.weight_shared * shared


def with_overlap(base: float, jaccard: float, params: StrengthParams) -> float:
    return clamp01(base + params.weight_overlap * clamp01(jaccard))


def strength_without_recency(tie: TieStrength, params: StrengthParams) -> float:
    """The tie's score with its recency part left out and the other weights rescaled.

    "Going cold" looks for strong ties that have gone quiet: recency is low for exactly
    those ties, so counting it would hide the very ties the list is for.
    """
    rest = params.weight_frequency + params.weight_reciprocity
    if rest <= 0:
        return tie.score
    return clamp01(
        (params.weight_frequency * tie.frequency + params.weight_reciprocity * tie.reciprocity)
        / rest
    )


@dataclass(frozen=True)
class Cadence:
    occasions: int  # interactions grouped by `occasion_window_hours`
    usual_gap_days: float | None  # median gap between occasions; None under two occasions


def cadence(moments: Sequence[datetime], params: StrengthParams) -> Cadence:
    """How often the user usually talks to a contact: the median gap between occasions.

    Interactions close together form one occasion, so a thread of five emails in an
    afternoon does not make a weekly contact look like an hourly one.
    """
    window = params.occasion_window_hours * 3600.0
    starts: list[datetime] = []
    for moment in sorted(moments):
        if not starts or (moment - starts[-1]).total_seconds() >= window:
            starts.append(moment)
    gaps = [
        (later - earlier).total_seconds() / SECONDS_PER_DAY for earlier, later in pairwise(starts)
    ]
    return Cadence(len(starts), statistics.median(gaps) if gaps else None)


def interest_confidence(
    confidence: float, last_reinforced_at: datetime, now: datetime, half_life_days: float
) -> float:
    """An interest's effective confidence: its stored confidence halved for every
    `half_life_days` since it was last reinforced (never raised by a clock behind it).
    `confidence · 0.5 ** (days / half_life_days)`, where `days` is the whole number of UTC
    days from the day it was last reinforced to today: a per-day clock, so two reads on one
    day (the compiled and the generic plan, two fields of one response) agree exactly, and
    SQL orders and filters by the same number (`interest_effective_confidence`, migration
    0070). Rounded to six decimals for reading."""
    days = max(0, (now.astimezone(UTC).date() - last_reinforced_at.astimezone(UTC).date()).days)
    return round(float(confidence * 0.5 ** (days / half_life_days)), EFFECTIVE_DECIMALS)
