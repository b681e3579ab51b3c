"""Who is probably one person: normalised keys, blocking, and a scored, explained pair.

Pure and unit-tested. Pairs are only ever compared inside a block — contacts that share
a normalised email, a phone's last nine digits, or a surname with a first initial, and
pairs whose profile embeddings are near (each profile's few nearest, found by pgvector:
graph_api/queries/duplicates.py) — so the work grows with the contacts and the blocks'
sizes, never with every pair of contacts. A block larger than `MAX_BLOCK` (a common
surname in a huge network) is compared only on its exact name key.

Score: each reason has a weight, and they combine as independent evidence
(noisy-or): `score = 1 − Π (1 − wᵢ)`.

| reason | weight |
|---|---|
| `SAME_EMAIL` | 0.9 |
| `SAME_PHONE` | 0.8 |
| `SIMILAR_NAME` (rapidfuzz ratio r ≥ 0.85 on folded names, in order or words sorted) | 0.45 · r |
| `SAME_COMPANY` (only with another reason) | 0.25 |
| `SIMILAR_PROFILE` (cosine s ≥ 0.8 of the profile embeddings; only with another reason) | 0.3 · s |

Two different email addresses on both contacts halve the score (two people with one
name usually have two addresses). A pair is a candidate from `MIN_SCORE` (0.5) up, so a
similar name alone is not enough: it takes a second sign (the company, a phone, an email,
a similar profile).

`SIMILAR_PROFILE` is supporting evidence, like the company, never a reason on its own:
the profile text (name, title, company, place, bio, tags, interests) is dominated by
the role, so colleagues in one team are nearer each other than "Bob" and "Robert" with
one job are (measured on the labelled set: docs/benchmarks.md). What it adds: one name
with a similar life (a new job, no email in common) becomes a candidate, and a name
typo in the surname ("Schmitt" / "Schmidt"), which no name block holds, meets its twin
through the profiles. A profile that says nothing but the name (and the company) is
not evidence at all — its embedding repeats the name — and is left out by the query.
Contacts without an embedded profile yet (the background embedder is behind) simply
get no `SIMILAR_PROFILE` reason.
Phones agree on their last nine digits, unless both are written internationally (`+…`)
and differ in full (another country's number that happens to end alike).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from rapidfuzz import fuzz

WEIGHTS = {
    "SAME_EMAIL": 0.9,
    "SAME_PHONE": 0.8,
    "SIMILAR_NAME": 0.45,
    "SAME_COMPANY": 0.25,
    "SIMILAR_PROFILE": 0.3,
}
NAME_SIMILARITY_MIN = 0.85
PROFILE_SIMILARITY_MIN = 0.8
CONFLICTING_EMAILS_FACTOR = 0.5
MIN_SCORE = 0.5
MAX_BLOCK = 200
PHONE_DIGITS = 9
LEGAL_FORMS = re.compile(
    r"\b(inc|ltd|limited|llc|gmbh|plc|corp|co|company|sa|ag|as|ab|oy|bv|nv|srl|spa|pty)\b"
)


def fold(text: str | None) -> str:
    """Lowercase, accents dropped, punctuation to spaces: "José  O'Neil" → "jose o neil"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def email_key(email: str | None) -> str | None:
    return email.strip().lower() if email and email.strip() else None


def phone_key(phone: str | None) -> str | None:
    """The last nine digits: "+44 20 7946 0958" and "020 7946 0958" agree."""
    digits = re.sub(r"\D", "", phone or "")
    return digits[-PHONE_DIGITS:] if len(digits) >= 7 else None


def name_key(name: str | None) -> str | None:
    """The name's words, folded and sorted: "Smith, John" and "John Smith" agree."""
    words = sorted(fold(name).split())
    return " ".join(words) if words else None


def surname_block(name: str | None) -> str | None:
    words = fold(name).split()
    if not words:
        return None
    return f"{words[-1]}|{words[0][0]}" if len(words) > 1 else words[0]


def company_key(company: str | None) -> str | None:
    folded = fold(company)
    folded = re.sub(LEGAL_FORMS, "", folded).strip()
    return " ".join(folded.split()) or None


@dataclass(frozen=True)
class Person:
    id: UUID
    full_name: str
    email: str | None = None
    phone: str | None = None
    company: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Person:
        return cls(row["id"], row["full_name"], row["email"], row["phone"], row["company"])


@dataclass(frozen=True)
class Reason:
    kind: str
    detail: str
    weight: float
    similarity: float | None = None  # the names' or the profiles' (0..1), when that is the reason


@dataclass(frozen=True)
class Candidate:
    a: UUID
    b: UUID
    score: float
    reasons: tuple[Reason, ...]


def name_similarity(a: str | None, b: str | None) -> float:
    """The better of the names compared as written and with their words sorted: sorting
    matches "Smith, John" to "John Smith", but alone it parts "Yevgeny Kuznetsov" from
    "Evgeniy Kuznetsov" (0.53: the first names sort to either end) and "Pyotr
    Tchaikovsky" from "Pyotr Chaikovsky" (0.61), which as written agree (0.94, 0.97)."""
    folded_a, folded_b = fold(a), fold(b)
    return max(fuzz.ratio(folded_a, folded_b), fuzz.token_sort_ratio(folded_a, folded_b)) / 100.0


def _other_countries(a: str | None, b: str | None) -> bool:
    """Both numbers written internationally, and different in full."""
    if not (a and b and a.strip().startswith("+") and b.strip().startswith("+")):
        return False
    return re.sub(r"\D", "", a) != re.sub(r"\D", "", b)


def compare(a: Person, b: Person, profile_similarity: float | None = None) -> Candidate | None:
    """The pair's reasons and score, or None below `MIN_SCORE`; `profile_similarity` is
    the cosine of their profile embeddings, when both have one worth comparing."""
    reasons: list[Reason] = []
    email_a, email_b = email_key(a.email), email_key(b.email)
    if email_a and email_a == email_b:
        reasons.append(Reason("SAME_EMAIL", email_a, WEIGHTS["SAME_EMAIL"]))
    phone_a, phone_b = phone_key(a.phone), phone_key(b.phone)
    if phone_a and phone_a == phone_b and not _other_countries(a.phone, b.phone):
        reasons.append(Reason("SAME_PHONE", f"…{phone_a[-4:]}", WEIGHTS["SAME_PHONE"]))
    similarity = name_similarity(a.full_name, b.full_name)
    if similarity >= NAME_SIMILARITY_MIN:
        reasons.append(
            Reason(
                "SIMILAR_NAME",
                f"{a.full_name} ~ {b.full_name} ({similarity:.2f})",
                round(WEIGHTS["SIMILAR_NAME"] * similarity, 4),
                round(similarity, 4),
            )
        )
    if not reasons:
        return None
    company_a, company_b = company_key(a.company), company_key(b.company)
    if company_a and company_a == company_b:
        reasons.append(Reason("SAME_COMPANY", a.company or "", WEIGHTS["SAME_COMPANY"]))
    if profile_similarity is not None and profile_similarity >= PROFILE_SIMILARITY_MIN:
        reasons.append(
            Reason(
                "SIMILAR_PROFILE",
                f"profiles at cosine {profile_similarity:.2f}",
                round(WEIGHTS["SIMILAR_PROFILE"] * profile_similarity, 4),
                round(profile_similarity, 4),
            )
        )
    remaining = 1.0
    for reason in reasons:
        remaining *= 1.0 - reason.weight
    score = 1.0 - remaining
    if email_a and email_b and email_a != email_b:
        score *= CONFLICTING_EMAILS_FACTOR
    if score < MIN_SCORE:
        return None
    first, second = (a, b) if str(a.id) < str(b.id) else (b, a)
    return Candidate(first.id, second.id, round(score, 4), tuple(reasons))


def pair_key(a: UUID, b: UUID) -> tuple[UUID, UUID]:
    """A pair's key, whichever way round it is named."""
    return (a, b) if str(a) < str(b) else (b, a)


def blocks(
    people: Iterable[Person], near_profiles: Iterable[tuple[UUID, UUID]] = ()
) -> list[list[Person]]:
    """Groups of people worth comparing: the same email, phone, or surname and initial;
    an oversized surname block falls back to exact name keys. Each pair of near
    profiles is a block of two (at most a few per person: the query's k)."""
    people = list(people)
    by_key: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        keys = {
            f"e:{email_key(person.email)}" if email_key(person.email) else None,
            f"p:{phone_key(person.phone)}" if phone_key(person.phone) else None,
            f"s:{surname_block(person.full_name)}" if surname_block(person.full_name) else None,
            # "Ødegård, Zoë" and "Zoë Ødegård" have other last words but one name key
            f"n:{name_key(person.full_name)}" if name_key(person.full_name) else None,
        }
        for key in keys - {None}:
            by_key[str(key)].append(person)
    found: list[list[Person]] = []
    for key, members in by_key.items():
        if len(members) < 2:
            continue
        if len(members) <= MAX_BLOCK:
            found.append(members)
            continue
        exact: dict[str | None, list[Person]] = defaultdict(list)
        for person in members:
            exact[name_key(person.full_name) if key.startswith("s:") else key].append(person)
        found.extend(group[:MAX_BLOCK] for group in exact.values() if len(group) > 1)
    by_id = {person.id: person for person in people}
    for a, b in near_profiles:
        if a in by_id and b in by_id and a != b:
            found.append([by_id[a], by_id[b]])
    return found


def candidates(
    people: Sequence[Person], near_profiles: Mapping[tuple[UUID, UUID], float] | None = None
) -> list[Candidate]:
    """Every probable duplicate pair, best first (score, then ids for a stable order).

    `near_profiles` maps pairs (`pair_key`) whose profile embeddings are near to their
    cosine similarity: they are compared even outside every name block, and the
    similarity is evidence wherever the pair is compared."""
    near = near_profiles or {}
    seen: set[tuple[UUID, UUID]] = set()
    found: list[Candidate] = []
    for block in blocks(people, near):
        for i, a in enumerate(block):
            for b in block[i + 1 :]:
                pair = pair_key(a.id, b.id)
                if a.id == b.id or pair in seen:
                    continue
                seen.add(pair)
                candidate = compare(a, b, near.get(pair))
                if candidate is not None:
                    found.append(candidate)
    found.sort(key=lambda c: (-c.score, str(c.a), str(c.b)))
    return found
