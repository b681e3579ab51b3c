"""Tie strength formulas: pure functions of interactions, time and parameters.

Strength is meant to be explained, not trusted blindly: every score is a weighted mix
of parts that are themselves exposed (recency, frequency, reciprocity for the user's
ties). docs/graph.md states each formula with its defaults; the unit tests check them
against hand-computed values.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from itertools import pairwise
from types import MappingProxyType
from typing import Any

import numpy

from graph_api.graph.facts import (
    DIRECTIONS,
    INTERACTION_TYPES,
    RELATIONSHIP_SOURCES,
    RELATIONSHIP_TYPES,
    InteractionFact,
    Participations,
    microseconds,
    moment_of,
    type_code,
)

MICROSECONDS_PER_DAY = 86_400_000_000.0
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


def clamp01(value: float) -> float:
    # comparisons, not min(max()): this runs once per tie and per edge of every build
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


def tie_strength(
    interactions: Sequence[InteractionFact], now: datetime, params: StrengthParams
) -> TieStrength:
    """Strength of the user's tie to one contact, from that contact's interactions
    (`tie_strengths` for one contact: one implementation of the formulas)."""
    unique = list({fact.interaction_id: fact for fact in interactions}.values())
    if not unique:
        return ZERO_TIE
    count = len(unique)
    columns = Participations(
        [unique[0].contact_id],
        numpy.zeros(count, dtype=numpy.int32),
        numpy.arange(count, dtype=numpy.int64),
        numpy.array([microseconds(fact.occurred_at) for fact in unique], dtype=numpy.int64),
        numpy.array([type_code(fact.type) for fact in unique], dtype=numpy.uint8),
        numpy.array([DIRECTIONS.index(fact.direction) for fact in unique], dtype=numpy.uint8),
    )
    return tie_strengths(columns, microseconds(now), params).tie(0)


@dataclass(frozen=True, eq=False)
class Ties:
    """The user's ties to the contacts of some participations, as columns.

    Entry k is `participations.people[person[k]]`; its interactions are the entries
    `order[start[k]:start[k] + count[k]]` of the participations, oldest first.
    """

    person: numpy.ndarray
    score: numpy.ndarray
    recency: numpy.ndarray
    frequency: numpy.ndarray
    reciprocity: numpy.ndarray
    count: numpy.ndarray
    last: numpy.ndarray  # microseconds since the epoch
    order: numpy.ndarray
    start: numpy.ndarray

    def tie(self, k: int) -> TieStrength:
        return TieStrength(
            float(self.score[k]),
            float(self.recency[k]),
            float(self.frequency[k]),
            float(self.reciprocity[k]),
            int(self.count[k]),
            moment_of(int(self.last[k])),
        )


def tie_strengths(facts: Participations, now: int, params: StrengthParams) -> Ties:
    """Every tie at once: the formulas of docs/graph.md, elementwise over the
    participations (`now` in microseconds since the epoch).

    recency = 0.5^(days since the last interaction / recency half-life);
    frequency = saturate(Σ type weight · 0.5^(days ago / frequency half-life));
    reciprocity = 2·min(inbound, outbound) / (inbound + outbound), a mutual interaction
    counting one each way; score = the weighted mix, clamped to [0, 1].

    Sums run in one canonical order (by contact, time, type, direction), so the same
    interactions in any order give the same bits: a tie updated from a delta equals
    the tie a full rebuild makes.
    """
    order = numpy.lexsort((facts.direction, facts.type, facts.at, facts.person))
    person = facts.person[order]
    at = facts.at[order]
    if not len(person):
        empty = numpy.zeros(0)
        whole = numpy.zeros(0, dtype=numpy.int64)
        return Ties(whole, empty, empty, empty, empty, whole, whole, order, whole)
    people, start, count = numpy.unique(person, return_index=True, return_counts=True)
    fallback = params.type_weights.get("other", 0.0)
    weight = numpy.array([params.type_weights.get(name, fallback) for name in INTERACTION_TYPES])
    ages = ages_days(at, now)
    decayed = weight[facts.type[order]] * numpy.power(0.5, ages / params.frequency_half_life_days)
    frequency = saturates(numpy.add.reduceat(decayed, start), params.frequency_saturation)
    last = at[start + count - 1]
    recency = numpy.power(0.5, ages_days(last, now) / params.recency_half_life_days)
    direction = facts.direction[order]
    mutual = DIRECTIONS.index("mutual")
    inbound = numpy.add.reduceat(
        (direction == DIRECTIONS.index("inbound")) | (direction == mutual), start
    )
    outbound = numpy.add.reduceat(
        (direction == DIRECTIONS.index("outbound")) | (direction == mutual), start
    )
    total = inbound + outbound
    reciprocity = numpy.where(
        total > 0, 2.0 * numpy.minimum(inbound, outbound) / numpy.maximum(total, 1), 0.0
    )
    score = numpy.clip(
        params.weight_recency * recency
        + params.weight_frequency * frequency
        + params.weight_reciprocity * reciprocity,
        0.0,
        1.0,
    )
    return Ties(people, score, recency, frequency, reciprocity, count, last, order, start)


def ages_days(at: numpy.ndarray, now: int) -> numpy.ndarray:
    """Days from each moment to `now` (microseconds); a moment in the future counts as now."""
    return numpy.maximum(0.0, (now - at) / MICROSECONDS_PER_DAY)


def saturates(amount: numpy.ndarray, saturation: float) -> numpy.ndarray:
    return 1.0 - numpy.exp(-amount / saturation)


def explicit_strength(
    manual_strength: float | None, relationship_type: str, source: str, params: StrengthParams
) -> float | None:
    """What a stored relationship row says about the tie, before any evidence.

    The manual strength when one was entered; else the type's default for a tie someone
    declared (source manual); None for an inferred row, which asserts nothing by itself.
    (`explicit_strengths` for one row.)
    """
    found = explicit_strengths(
        numpy.array([numpy.nan if manual_strength is None else manual_strength]),
        numpy.array([RELATIONSHIP_TYPES.index(relationship_type)], dtype=numpy.uint8),
        numpy.array([RELATIONSHIP_SOURCES.index(source)], dtype=numpy.uint8),
        params,
    )[0]
    return None if numpy.isnan(found) else float(found)


def explicit_strengths(
    manual: numpy.ndarray, type: numpy.ndarray, source: numpy.ndarray, params: StrengthParams
) -> numpy.ndarray:
    """`explicit_strength` per row of columns; NaN where an inferred row asserts nothing."""
    fallback = params.relationship_type_strength.get("other", 0.0)
    defaults = numpy.array(
        [params.relationship_type_strength.get(name, fallback) for name in RELATIONSHIP_TYPES]
    )
    declared = numpy.where(
        source == RELATIONSHIP_SOURCES.index("manual"), defaults[type], numpy.nan
    )
    return numpy.where(numpy.isnan(manual), declared, numpy.clip(manual, 0.0, 1.0))


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
    """The part of a contact↔contact strength that its own facts decide
    (`relationship_bases` for one tie)."""
    moments = numpy.array(sorted(microseconds(m) for m in shared_occurrences), dtype=numpy.int64)
    amount = shared_amounts(
        numpy.zeros(len(moments), dtype=numpy.int64), moments, 1, microseconds(now), params
    )
    return float(
        relationship_bases(
            numpy.array([numpy.nan if explicit is None else explicit]), amount, params
        )[0]
    )


def shared_amounts(
    tie: numpy.ndarray, at: numpy.ndarray, ties: int, now: int, params: StrengthParams
) -> numpy.ndarray:
    """Σ 0.5^(days ago / shared half-life) of each tie's shared interactions (`tie[k]` is
    the tie of the interaction at `at[k]`), summed in time order per tie."""
    order = numpy.lexsort((at, tie))
    decayed = numpy.power(0.5, ages_days(at[order], now) / params.shared_half_life_days)
    return numpy.bincount(tie[order], weights=decayed, minlength=ties)


def relationship_bases(
    explicit: numpy.ndarray, shared_amount: numpy.ndarray, params: StrengthParams
) -> numpy.ndarray:
    """The part of a contact↔contact strength that its own facts decide, per tie:
    weight_explicit · explicit + weight_shared · saturate(shared amount).

    The overlap part depends on both ends' neighbours, so it changes when a tie next to
    this one does: the graph keeps this part per tie and adds the overlap again then.
    """
    shared = saturates(shared_amount, params.shared_saturation)
    declared: numpy.ndarray = numpy.nan_to_num(explicit, nan=0.0)
    return params.weight_explicit * declared + params.weight_shared * shared


def with_overlap(base: float, jaccard: float, params: StrengthParams) -> float:
    return clamp01(base + params.weight_overlap * clamp01(jaccard))


def strength_without_recency(tie: TieStrength, params: StrengthParams) -> float:
    """The tie's score with its recency part left out and the other weights rescaled.

    "Going cold" looks for strong ties that have gone quiet: recency is low for exactly
    those ties, so counting it would hide the very ties the list is for.
    """
    return float(
        strengths_without_recency(
            numpy.array([tie.score]),
            numpy.array([tie.frequency]),
            numpy.array([tie.reciprocity]),
            params,
        )[0]
    )


def strengths_without_recency(
    score: numpy.ndarray,
    frequency: numpy.ndarray,
    reciprocity: numpy.ndarray,
    params: StrengthParams,
) -> numpy.ndarray:
    rest = params.weight_frequency + params.weight_reciprocity
    if rest <= 0:
        return score
    return numpy.clip(
        (params.weight_frequency * frequency + params.weight_reciprocity * reciprocity) / rest,
        0.0,
        1.0,
    )


@dataclass(frozen=True)
class Cadence:
    occasions: int  # interactions grouped by `occasion_window_hours`
    usual_gap_days: float | None  # median gap between occasions; None under two occasions


def cadence(moments: Sequence[datetime], params: StrengthParams) -> Cadence:
    """How often the user usually talks to a contact: the median gap between occasions
    (`cadence_of` on the moments in microseconds)."""
    return cadence_of(sorted(microseconds(moment) for moment in moments), params)


def cadence_of(ascending: Sequence[int], params: StrengthParams) -> Cadence:
    """The median gap between occasions, from moments in microseconds, oldest first.

    Interactions close together form one occasion, so a thread of five emails in an
    afternoon does not make a weekly contact look like an hourly one.
    """
    window = params.occasion_window_hours * 3600.0 * 1e6
    starts: list[int] = []
    for moment in ascending:
        if not starts or moment - starts[-1] >= window:
            starts.append(moment)
    gaps = [(later - earlier) / MICROSECONDS_PER_DAY for earlier, later in pairwise(starts)]
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
