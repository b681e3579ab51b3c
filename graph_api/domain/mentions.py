"""Entity mentions: the user's contacts named in a memory's, a document's or an
interaction's text.

Matching (pure, `find_mentions`), each with a confidence:
- a contact's full name, as words (any case): 1.0; an email address: 1.0;
- a first name with the contact's company within a few words ("Priya from Helio"): 0.9;
- a common nickname of a first name ("Bob" for Robert) with the surname: 0.9; alone,
  when it fits one contact only: 0.6;
- a first name alone that only one contact has: 0.7 (several: the mention is kept
  unresolved, with the candidates' count in mind, rather than guessed);
- a first name followed by a word close to the surname (rapidfuzz ratio ≥ 85:
  a typo, "Priya Ramen"): 0.8 × the ratio.
A capitalised pair of words that matches nobody ("Jonas Berg") is kept unresolved.
Candidates are found in SQL by the text's words (never every contact in Python), and
the matching is case- and accent-insensitive, so names in other scripts match as
written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from uuid import UUID

import asyncpg
from rapidfuzz import fuzz

NICKNAMES = {
    "bob": "robert", "rob": "robert", "bobby": "robert", "bill": "william", "will": "william",
    "liz": "elizabeth", "beth": "elizabeth", "kate": "katherine", "katie": "katherine",
    "jim": "james", "jimmy": "james", "mike": "michael", "dave": "david", "tom": "thomas",
    "alex": "alexander", "sasha": "alexander", "chris": "christopher", "dan": "daniel",
    "ben": "benjamin", "sam": "samuel", "nick": "nicholas", "tony": "anthony", "joe": "joseph",
    "matt": "matthew", "andy": "andrew", "meg": "margaret", "peggy": "margaret", "jen": "jennifer",
    "sue": "susan", "vicky": "victoria", "pat": "patricia", "ed": "edward", "ted": "edward",
}  # fmt: skip
FUZZY_MIN_RATIO = 85
COMPANY_WINDOW_WORDS = 4
MAX_MENTIONS = 200

# an email address first, so its local part is not read as a name
_WORD = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[^\W\d_][\w'’-]*", re.UNICODE)
_CAPITALISED = re.compile(r"^[A-Z][a-z]+$")


def fold(text: str) -> str:
    """Lowercased without accents: how names are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Candidate:
    id: UUID
    full_name: str
    email: str | None
    company: str | None


@dataclass(frozen=True)
class Mention:
    contact_id: UUID | None
    surface: str
    start: int
    end: int
    confidence: float
    method: str


@dataclass(frozen=True)
class _Word:
    text: str
    folded: str
    start: int
    end: int


def words_of(text: str) -> list[_Word]:
    return [_Word(m.group(), fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def lookup_keys(text: str) -> list[str]:
    """The folded words (and the formal names of nicknames) to find candidates by."""
    keys = {w.folded for w in words_of(text)}
    keys |= {NICKNAMES[k] for k in keys if k in NICKNAMES}
    return sorted(keys)


def find_mentions(text: str, candidates: Sequence[Candidate]) -> list[Mention]:
    """Every mention in `text`, in order, none overlapping (the longest match wins)."""
    words = words_of(text)
    names = [(c, [fold(p) for p in c.full_name.split()]) for c in candidates]
    by_first: dict[str, list[Candidate]] = {}
    for candidate, parts in names:
        if parts:
            by_first.setdefault(parts[0], []).append(candidate)
    found: list[Mention] = []
    taken: set[int] = set()

    def add(contact: Candidate | None, first: int, last: int, confidence: float, how: str) -> None:
        if any(i in taken for i in range(first, last + 1)):
            return
        taken.update(range(first, last + 1))
        start, end = words[first].start, words[last].end
        found.append(
            Mention(contact.id if contact else None, text[start:end], start, end, confidence, how)
        )

    # full names and emails first: the surest
    for i, word in enumerate(words):
        for candidate, parts in names:
            if candidate.email and word.folded == fold(candidate.email):
                add(candidate, i, i, 1.0, "email")
            size = len(parts)
            if size > 1 and [w.folded for w in words[i : i + size]] == parts:
                add(candidate, i, i + size - 1, 1.0, "full_name")
    for i, word in enumerate(words):
        if i in taken:
            continue
        formal = NICKNAMES.get(word.folded)
        first_name = formal if formal and word.folded not in by_first else word.folded
        people = by_first.get(first_name, [])
        if not people:
            continue
        following = words[i + 1] if i + 1 < len(words) else None
        # first name + surname-like word close to one candidate's surname (typo)
        if following is not None and i + 1 not in taken:
            scored = [
                (fuzz.ratio(following.folded, fold(" ".join(c.full_name.split()[1:]))), c)
                for c in people
                if len(c.full_name.split()) > 1
            ]
            best = max(scored, key=lambda pair: pair[0], default=None)
            if best is not None and best[0] >= FUZZY_MIN_RATIO:
                how = "nickname" if formal and first_name == formal else "fuzzy"
                confidence = 0.9 if best[0] == 100 else 0.8 * best[0] / 100
                add(best[1], i, i + 1, confidence, how)
                continue
        # first name with the company nearby
        window = {w.folded for w in words[i + 1 : i + 1 + COMPANY_WINDOW_WORDS]}
        at_company = [c for c in people if c.company and set(fold(c.company).split()) & window]
        if len(at_company) == 1:
            add(at_company[0], i, i, 0.9, "first_name_company")
        elif len(people) == 1:
            is_nickname = formal is not None and first_name == formal
            add(
                people[0],
                i,
                i,
                0.6 if is_nickname else 0.7,
                "nickname" if is_nickname else "first_name",
            )
        else:
            add(None, i, i, 0.5, "unknown")  # ambiguous: several contacts share it
    # a person-like pair of capitalised words nobody matched (not a contact's company)
    companies = {fold(c.company) for c in candidates if c.company}
    for i in range(len(words) - 1):
        a, b = words[i], words[i + 1]
        if i in taken or i + 1 in taken:
            continue
        between = text[a.end : b.start]
        sentence_start = i == 0 or text[: a.start].rstrip().endswith((".", "!", "?", "\n"))
        if (
            between == " "
            and not sentence_start
            and f"{a.folded} {b.folded}" not in companies
            and _CAPITALISED.match(a.text)
            and _CAPITALISED.match(b.text)
        ):
            add(None, i, i + 1, 0.5, "unknown")
    found.sort(key=lambda m: m.start)
    return found[:MAX_MENTIONS]


CANDIDATES = """-- mention_candidates
    select id, full_name, email, company
      from contacts
     where user_id = $1 and archived_at is null
       and (lower(split_part(full_name, ' ', 1)) = any($2::text[])
            or lower(email) = any($2::text[]))"""

INSERT_MENTIONS = """-- insert_mentions
    insert into mentions (user_id, memory_id, document_id, interaction_id, field, contact_id,
                          surface, start_offset, end_offset, confidence, method)
    select $1, $2, $3, $4, m.field, m.contact_id, m.surface, m.start_offset, m.end_offset,
           m.confidence, m.method
      from unnest($5::text[], $6::uuid[], $7::text[], $8::integer[], $9::integer[], $10::float8[],
                  $11::text[])
           as m(field, contact_id, surface, start_offset, end_offset, confidence, method)"""

# what the user resolved by hand comes back, so the new mentions of the same name keep it
DELETE_MENTIONS = """-- delete_mentions
    delete from mentions
     where user_id = $1 and (memory_id = $2 or document_id = $3 or interaction_id = $4)
    returning surface, contact_id, method"""

MANUAL = "manual"


async def record_mentions(
    conn: asyncpg.Connection,
    user_id: UUID,
    text: str | Mapping[str, str | None],
    *,
    memory_id: UUID | None = None,
    document_id: UUID | None = None,
    interaction_id: UUID | None = None,
) -> list[Mention]:
    """(Re)write the mentions of one memory, document or interaction, in the caller's
    transaction. `text` is the content, or (an interaction's) the texts by field:
    subject, summary, content. A name the user linked by hand (resolveMention) stays
    linked to that contact when the text is written again."""
    texts = {"content": text} if isinstance(text, str) else dict(text)
    written = [(field, value) for field, value in texts.items() if value]
    # accents folded in SQL would need unaccent: candidates by lowercase first name,
    # and by the folded keys too, so "José" finds "Jose" and "jose"; one statement
    # for every text of the source
    keys: set[str] = set()
    for _, value in written:
        keys |= set(lookup_keys(value)) | {w.lower() for w in _WORD.findall(value)}
    rows = await conn.fetch(CANDIDATES, user_id, sorted(keys)) if keys else []
    candidates = [Candidate(r["id"], r["full_name"], r["email"], r["company"]) for r in rows]
    found = [(field, m) for field, value in written for m in find_mentions(value, candidates)]
    removed = await conn.fetch(DELETE_MENTIONS, user_id, memory_id, document_id, interaction_id)
    by_hand = {
        fold(r["surface"]): r["contact_id"]
        for r in removed
        if r["method"] == MANUAL and r["contact_id"] is not None
    }
    found = [
        (field, replace(m, contact_id=by_hand[fold(m.surface)], confidence=1.0, method=MANUAL))
        if fold(m.surface) in by_hand
        else (field, m)
        for field, m in found
    ][:MAX_MENTIONS]
    if found:
        await conn.execute(
            INSERT_MENTIONS,
            user_id,
            memory_id,
            document_id,
            interaction_id,
            [field for field, _ in found],
            [m.contact_id for _, m in found],
            [m.surface for _, m in found],
            [m.start for _, m in found],
            [m.end for _, m in found],
            [m.confidence for _, m in found],
            [m.method for _, m in found],
        )
    return [m for _, m in found]
